"""Eligibility checks against the BHXH portal, the shared portal token, and the reconciliation
("seed procedure") list of citizens whose ID-card data and insurance data disagree."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    VALID = "valid", _("Thẻ hợp lệ")
    INVALID = "invalid", _("Thẻ không dùng được")
    NO_CARD = "no_card", _("Không có thẻ BHYT")
    UNVERIFIED = "unverified", _("Chưa kiểm tra được")


class CheckStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ kiểm tra lại")
    FINAL = "final", _("Đã có kết quả")


class EligibilityCheck(models.Model):
    """One question to the portal (or one answer served from the day's cache).

    `id_number` is personal data kept for the background re-check and the reconciliation
    list; it never goes to logs or URLs. A pending check is retried by jobs.recheck_pending.
    """

    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.PROTECT, related_name="eligibility_checks"
    )
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    card_number = models.CharField(max_length=15, blank=True)
    id_number = models.CharField(max_length=12, blank=True)
    lookup_key = models.CharField(max_length=15)  # what was sent as maThe
    full_name = models.CharField(max_length=255)
    name_key = models.CharField(max_length=255)  # folded name, for the cache
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=8, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    portal_code = models.CharField(max_length=8, blank=True)
    response = models.JSONField(default=dict, blank=True)  # summary, never credentials
    verdict = models.JSONField(default=dict, blank=True)  # Verdict.as_dict() at the time
    from_cache = models.BooleanField(default=False)
    checked_at = models.DateTimeField(db_index=True)
    check_date = models.DateField()  # Asia/Ho_Chi_Minh date of checked_at (the cache day)
    status = models.CharField(max_length=8, choices=CheckStatus.choices)
    attempts = models.PositiveIntegerField(default=1)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["facility", "lookup_key", "check_date", "checked_at"],
                name="elig_cache_idx",
            ),
            models.Index(fields=["status", "next_attempt_at"], name="elig_pending_idx"),
        ]


class MismatchKind(models.TextChoices):
    NAME_DIACRITICS = "name_diacritics", _("Họ tên khác dấu")
    NAME_DIFFERENT = "name_different", _("Họ tên khác")
    DOB = "dob", _("Ngày sinh khác")
    SEX = "sex", _("Giới tính khác")
    PORTAL = "portal", _("Cổng BHXH từ chối thẻ")


class ReconciliationEntry(models.Model):
    """A citizen on the list the facility sends to the police and BHXH to clean the data.

    One row per person per facility per day (`person_key` = ID number, else card number).
    """

    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.PROTECT, related_name="reconciliation_entries"
    )
    source_check = models.ForeignKey(EligibilityCheck, null=True, on_delete=models.SET_NULL)
    patient_id = models.BigIntegerField(null=True, blank=True)
    day = models.DateField(db_index=True)
    person_key = models.CharField(max_length=15)
    id_number = models.CharField(max_length=12, blank=True)
    card_number = models.CharField(max_length=15, blank=True)
    name_id_card = models.CharField(max_length=255)
    name_insurance = models.CharField(max_length=255, blank=True)
    dob_id_card = models.CharField(max_length=10)
    dob_insurance = models.CharField(max_length=10, blank=True)
    sex_id_card = models.CharField(max_length=8, blank=True)
    sex_insurance = models.CharField(max_length=8, blank=True)
    kinds = models.CharField(max_length=128)  # comma-separated MismatchKind values
    portal_code = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["day", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "person_key", "day"], name="reconciliation_person_day"
            )
        ]


# Upper bounds (ms) of the latency buckets of PortalDay; a call slower than the last falls in
# `ms_over`. Fixed, so that days and facilities add up bucket by bucket (docs/reports.md).
LATENCY_BOUNDS_MS = (100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000)
LATENCY_FIELDS = (*(f"ms_le_{b}" for b in LATENCY_BOUNDS_MS), "ms_over")


class PortalDay(models.Model):
    """How the BHXH portal answered one facility's card checks on one local day: the calls
    made, those left without a usable answer (timeouts among them), and a histogram of how long
    each took. One row per facility and day, counted as the calls happen
    (kcb06.eligibility.portalstats), so the reports read facilities × days, never calls."""

    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    calls = models.PositiveIntegerField(default=0)
    unanswered = models.PositiveIntegerField(default=0)
    timed_out = models.PositiveIntegerField(default=0)
    latency_ms_sum = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["facility", "day"], name="portal_day_once")]
        indexes = [models.Index(fields=["day"], name="portal_day_by_day")]


def add_latency_fields(model, prefix: str = "") -> None:
    """The latency buckets as columns of `model` (here and in the reports' rollup)."""
    for name in LATENCY_FIELDS:
        model.add_to_class(prefix + name, models.PositiveIntegerField(default=0))


add_latency_fields(PortalDay)
