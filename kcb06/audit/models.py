"""Append-only audit trail. Each row carries the MAC of the previous row of its chain."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    chain = models.BigIntegerField(_("chuỗi (cơ sở)"), db_index=False)
    seq = models.BigIntegerField(_("số thứ tự"))
    at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    user_id = models.BigIntegerField(null=True, blank=True)
    username = models.CharField(_("tài khoản"), max_length=150, blank=True)
    role = models.CharField(_("vai trò"), max_length=20, blank=True)
    facility_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(_("hành động"), max_length=32)
    object_type = models.CharField(_("loại dữ liệu"), max_length=64, blank=True)
    object_id = models.CharField(_("mã bản ghi"), max_length=64, blank=True)
    patient_id = models.BigIntegerField(_("người bệnh"), null=True, blank=True)
    purpose = models.CharField(_("mục đích"), max_length=255, blank=True)
    ip = models.CharField(_("từ địa chỉ"), max_length=64, blank=True)
    via = models.CharField(_("kênh"), max_length=16, blank=True)
    detail = models.JSONField(_("chi tiết"), default=dict, blank=True)
    # The chain value: HMAC-SHA256 under KCB06_AUDIT_KEY over prev_hash and the entry (plain
    # SHA-256 for entries older than their chain's `mac_from`); see kcb06.audit.keys.
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("nhật ký truy cập")
        verbose_name_plural = _("nhật ký truy cập")
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq")]
        indexes = [
            models.Index(fields=["patient_id", "at"], name="audit_patient_at"),
            models.Index(fields=["facility_id", "at"], name="audit_facility_at"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit entries are append-only")


class AuditChainHead(models.Model):
    """Last seq and hash of each chain, so that removing the newest rows is detected too."""

    chain = models.BigIntegerField(primary_key=True)
    seq = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    # The hash before the last append (PostgreSQL's one-statement append returns it from here:
    # an upsert's RETURNING sees only the new row).
    prev_hash = models.CharField(max_length=64, default="", blank=True)
    # First seq of this chain whose value is a keyed MAC. Entries before it were written
    # before the MAC era (plain SHA-256, migration 0004); a chain begun since has 1. The
    # signed checkpoints carry it too, so moving it in the database is reported.
    mac_from = models.BigIntegerField(db_default=1)
