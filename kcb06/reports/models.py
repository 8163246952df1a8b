"""Daily rollups: per facility (and per department) and local day, counts only.

A row holds no patient, visit or name: only how many visits were checked in by each method,
what their BHYT verdicts were and whether the portal accepted their data (in time). The
dashboard and the API read these rows, so their cost grows with facilities × days, not visits.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kcb06.eligibility.models import LATENCY_FIELDS, add_latency_fields

# Counted columns, in the order the dashboard and the API show them.
METHOD_FIELDS = ("by_cccd_qr", "by_vneid_qr", "by_id_number", "by_bhyt_card", "by_no_document")
ELIGIBILITY_FIELDS = ("elig_valid", "elig_invalid", "elig_no_card", "elig_unverified")
OUTBOX_FIELDS = ("ended", "accepted", "accepted_on_time", "late")
# Visits of the day with a claim file our own checks refused (state "invalid").
CLAIM_FIELDS = ("claims_invalid",)
# What a department's day counts too: everything about its visits (docs/reports.md says why
# payments and the portal have no department).
VISIT_FIELDS = ("visits", *METHOD_FIELDS, *ELIGIBILITY_FIELDS, *OUTBOX_FIELDS, *CLAIM_FIELDS)
# Payments received that day (any visit's day), by number and value (whole đồng).
PAYMENT_FIELDS = ("payments", "payments_cashless", "paid_amount", "paid_cashless_amount")
# Card checks put to the BHXH portal that day (eligibility.PortalDay): attempted, left without
# a usable answer, timed out among them, the sum of their latencies and the latency histogram;
# citizens put on the police/BHXH mismatch list that day and, of them, those already sent.
PORTAL_LATENCY_FIELDS = tuple(f"portal_{name}" for name in LATENCY_FIELDS)
PORTAL_FIELDS = (
    "portal_checks",
    "portal_unanswered",
    "portal_timeouts",
    "portal_latency_ms",
    *PORTAL_LATENCY_FIELDS,
    "mismatch_listed",
    "mismatch_sent",
)
COUNT_FIELDS = (*VISIT_FIELDS, *PAYMENT_FIELDS, *PORTAL_FIELDS)
# Sums that may pass a count's bound (đồng, milliseconds).
AMOUNT_FIELDS = ("paid_amount", "paid_cashless_amount", "portal_latency_ms")


def facility_column() -> models.ForeignKey:
    """The facility a row of reports belongs to: no index of its own, because every table's
    unique constraint leads with it."""
    return models.ForeignKey(
        "facilities.Facility",
        verbose_name=_("cơ sở"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )


class VisitCounts(models.Model):
    """The counts of one day's visits (VISIT_FIELDS), at a facility or one of its departments."""

    facility = facility_column()  # each table's unique (facility, day, …) leads with it
    day = models.DateField(_("ngày"))
    visits = models.PositiveIntegerField(_("lượt khám"), default=0)
    by_cccd_qr = models.PositiveIntegerField(_("quét QR CCCD gắn chip"), default=0)
    by_vneid_qr = models.PositiveIntegerField(_("VNeID"), default=0)
    by_id_number = models.PositiveIntegerField(_("nhập số định danh"), default=0)
    by_bhyt_card = models.PositiveIntegerField(_("thẻ BHYT / mã BHXH"), default=0)
    by_no_document = models.PositiveIntegerField(_("không giấy tờ"), default=0)
    elig_valid = models.PositiveIntegerField(_("thẻ hợp lệ"), default=0)
    elig_invalid = models.PositiveIntegerField(_("thẻ không hợp lệ"), default=0)
    elig_no_card = models.PositiveIntegerField(_("không có thẻ"), default=0)
    elig_unverified = models.PositiveIntegerField(_("chưa kiểm tra được"), default=0)
    ended = models.PositiveIntegerField(_("đã kết thúc"), default=0)
    accepted = models.PositiveIntegerField(_("cổng đã tiếp nhận"), default=0)
    accepted_on_time = models.PositiveIntegerField(_("tiếp nhận trong hạn"), default=0)
    late = models.PositiveIntegerField(_("quá hạn"), default=0)
    claims_invalid = models.PositiveIntegerField(_("hồ sơ XML lỗi"), default=0)
    computed_at = models.DateTimeField(_("tính lúc"))

    class Meta:
        abstract = True


class FacilityDay(VisitCounts):
    """The figures of one facility for one local day (the day of the visits counted).

    Written whole (upsert) by `kcb06.reports.rollups.rebuild`: a visit's portal state keeps
    changing after its day, so the worker refreshes recent days and the command any period."""

    payments = models.PositiveIntegerField(_("lần thanh toán"), default=0)
    payments_cashless = models.PositiveIntegerField(_("thanh toán không tiền mặt"), default=0)
    paid_amount = models.BigIntegerField(_("số tiền đã thu (đồng)"), default=0)
    paid_cashless_amount = models.BigIntegerField(_("số tiền không tiền mặt (đồng)"), default=0)
    portal_checks = models.PositiveIntegerField(_("lượt hỏi cổng BHXH"), default=0)
    portal_unanswered = models.PositiveIntegerField(_("cổng không trả lời"), default=0)
    portal_timeouts = models.PositiveIntegerField(_("cổng quá thời gian chờ"), default=0)
    portal_latency_ms = models.BigIntegerField(_("tổng thời gian chờ cổng (ms)"), default=0)
    mismatch_listed = models.PositiveIntegerField(_("đưa vào danh sách sai lệch"), default=0)
    mismatch_sent = models.PositiveIntegerField(_("đã gửi danh sách sai lệch"), default=0)
    # Set when the row was sent by the facility's own kcb06 (province federation): the local
    # rebuild leaves such rows alone (the visits behind them are not in this database).
    received_at = models.DateTimeField(_("nhận từ cơ sở lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("số liệu ngày của cơ sở")
        verbose_name_plural = _("số liệu ngày của cơ sở")
        constraints = [
            models.UniqueConstraint(fields=["facility", "day"], name="facility_day_once")
        ]
        indexes = [models.Index(fields=["day"], name="facility_day_by_day")]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.day}: {self.visits}"


add_latency_fields(FacilityDay, prefix="portal_")


class DepartmentDay(VisitCounts):
    """One department's share of its facility's day (VISIT_FIELDS only): the drill-down from a
    facility to a department. Rebuilt with the facility's rows; never federated (a facility's
    departments exist only in its own database)."""

    department = models.ForeignKey(
        "facilities.Department",
        verbose_name=_("khoa/phòng"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("số liệu ngày của khoa")
        verbose_name_plural = _("số liệu ngày của khoa")
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "day", "department"], name="department_day_once"
            )
        ]
        indexes = [models.Index(fields=["day"], name="department_day_by_day")]


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", _("Báo cáo tuần")
    MONTHLY = "monthly", _("Báo cáo tháng")
    PILOT = "pilot", _("Báo cáo 6 tháng thí điểm sổ sức khỏe điện tử")
    CUSTOM = "custom", _("Báo cáo theo kỳ chọn")


class ProgressReport(models.Model):
    """A progress report kept as files (XLSX and PDF under the data directory): counts per
    facility of `owner`'s scope for the days start..end, never a patient, a visit or a name.

    `owner` is the facility the report speaks for: a health department (its treating
    facilities below it) or one facility (itself). Scheduled reports are made once per owner,
    kind and period (unique); a report made on demand is kind "custom" or remade in place."""

    owner = models.ForeignKey(
        "facilities.Facility",
        verbose_name=_("đơn vị báo cáo"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("loại báo cáo"), max_length=10, choices=ReportKind.choices)
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))
    facilities = models.PositiveIntegerField(_("số cơ sở"), default=0)
    visits = models.PositiveIntegerField(_("lượt khám"), default=0)
    xlsx_path = models.CharField(max_length=255)  # relative to KCB06_REPORTS_DIR
    pdf_path = models.CharField(max_length=255)
    generated_at = models.DateTimeField(_("lập lúc"))
    generated_by = models.CharField(_("người lập"), max_length=150, blank=True)  # "" = worker
    seconds = models.FloatField(_("thời gian lập (giây)"), default=0)

    class Meta:
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "kind", "start", "end"], name="progress_report_once"
            )
        ]
        ordering = ["-end", "-generated_at"]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.kind} {self.start}..{self.end}"


class ReadinessItem(models.TextChoices):
    """What a facility's administrator confirms with a date (the other readiness items are
    read from what kcb06 records: scans, devices, portal settings, certificates)."""

    PLAN_SUBMITTED = "plan_submitted", _("Đã gửi kế hoạch triển khai")
    PROCEDURE_APPROVED = "procedure_approved", _("Đã ban hành quy trình nội bộ")
    STAFF_TRAINED = "staff_trained", _("Đã tập huấn nhân viên")


class ReadinessConfirmation(models.Model):
    facility = facility_column()  # readiness_item_once leads with it
    item = models.CharField(_("hạng mục"), max_length=24, choices=ReadinessItem.choices)
    confirmed_on = models.DateField(_("ngày"))
    confirmed_by = models.CharField(_("người xác nhận"), max_length=150)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("xác nhận sẵn sàng")
        verbose_name_plural = _("xác nhận sẵn sàng")
        constraints = [
            models.UniqueConstraint(fields=["facility", "item"], name="readiness_item_once")
        ]
