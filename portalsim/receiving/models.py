"""What the simulated portal received: facility certificates and submissions."""

from django.db import models


class RegisteredCertificate(models.Model):
    """A facility's signing certificate as registered on the portal (Danh mục chứng thư số)."""

    facility_code = models.CharField(max_length=5, db_index=True)
    pem = models.TextField()
    fingerprint = models.CharField(max_length=64, unique=True)
    registered_at = models.DateTimeField(auto_now_add=True)


class Submission(models.Model):
    """One accepted file version. The same MA_LK with the same content is acknowledged again
    (repeats += 1); newer different content is a replacement (the older row's current=False);
    an older version than the current one is refused (see views._store)."""

    kind = models.CharField(max_length=10)  # checkin | claim
    facility_code = models.CharField(max_length=5)
    ma_lk = models.CharField(max_length=200, db_index=True)
    content_hash = models.CharField(max_length=64)
    transaction_id = models.CharField(max_length=40, unique=True)
    received_at = models.DateTimeField(auto_now_add=True)
    current = models.BooleanField(default=True)
    repeats = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    # When the signed data says it was made: NGAYLAP (yyyyMMdd) of a claim, the latest
    # NGAY_VAO / NGAY_VAO_NOI_TRU / NGAY_YL (yyyyMMddHHmm) of a check-in. Orders the versions.
    signed_at = models.CharField(max_length=14, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "ma_lk", "content_hash"], name="receiving_once_per_content"
            )
        ]
