"""Outbox of files for the BHXH portal, and the facility certificates allowed to sign them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxState(models.TextChoices):
    INVALID = "invalid", _("Lỗi dữ liệu — chưa gửi")
    WAITING = "waiting", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    ACCEPTED = "accepted", _("Cổng đã tiếp nhận")
    REJECTED = "rejected", _("Cổng từ chối")
    FAILED = "failed", _("Gửi lỗi sau nhiều lần thử")
    SUPERSEDED = "superseded", _("Đã thay bằng bản sửa")


class OutboxKind(models.TextChoices):
    CHECKIN = "checkin", _("Check-in (XML0)")
    CLAIM = "claim", _("Hồ sơ XML 4750 (GIAMDINHHS)")


class OutboxItem(models.Model):
    """One file to deliver. Written in the same transaction as the change that caused it
    (check-in, closing, correction). The worker claims rows by setting claimed_until (a lease)
    with SKIP LOCKED on PostgreSQL; a killed worker's claim simply expires."""

    # Every check-in writes one row: no index here that another one already leads with.
    facility = models.ForeignKey(
        "facilities.Facility",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # outbox_facility_state leads with it
    )
    visit = models.ForeignKey(
        "visits.Visit", null=True, blank=True, on_delete=models.PROTECT, related_name="outbox"
    )
    ma_lk = models.CharField(max_length=100)  # outbox_once_per_content leads with it
    kind = models.CharField(max_length=10, choices=OutboxKind.choices)
    state = models.CharField(max_length=12, choices=OutboxState.choices)  # outbox_due leads
    content_hash = models.CharField(max_length=64)
    # Regulation version the tables were built and validated under (core.versions: "qd4750",
    # "qd3176", ...); a rebuild for a resend and a re-validation use the same one. "" = a row
    # written before versions were stored (built with the 4750 tables).
    version = models.CharField(max_length=24, blank=True, default="")
    # Unsigned table documents, {"XML1": "<TONG_HOP>...", ...}; signed at send time.
    tables = models.JSONField(default=dict)
    signed = models.BinaryField(null=True, blank=True, editable=False)
    errors = models.JSONField(default=list, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    last_error = models.CharField(max_length=512, blank=True)
    result_code = models.CharField(max_length=16, blank=True)
    result_message = models.CharField(max_length=1024, blank=True)
    transaction_id = models.CharField(max_length=64, blank=True)  # maGiaoDich
    received_at = models.CharField(max_length=14, blank=True)  # thoiGianTiepNhan
    visit_ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # staff are locked, not deleted (see Visit.created_by)
    )

    class Meta:
        verbose_name = _("tệp gửi cổng BHXH")
        verbose_name_plural = _("tệp gửi cổng BHXH")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["facility", "state"], name="outbox_facility_state"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ma_lk", "kind", "content_hash"], name="outbox_once_per_content"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ma_lk} {self.state}"


class FacilityCertificate(models.Model):
    """A signing certificate registered for a facility (subject, serial, fingerprint). Only a
    registered certificate may sign that facility's files. The PKCS#12 password is never stored
    (except the demo's, flagged as such)."""

    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.CASCADE, related_name="certificates"
    )
    subject = models.CharField(max_length=512)
    serial_hex = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64, unique=True)
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    source = models.CharField(max_length=10, default="pkcs12")
    p12_path = models.CharField(max_length=512, blank=True)
    demo_password = models.CharField(max_length=64, blank=True)
    active = models.BooleanField(default=True)
    registered_at = models.DateTimeField(auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("chứng thư số của cơ sở")
        verbose_name_plural = _("chứng thư số của cơ sở")
