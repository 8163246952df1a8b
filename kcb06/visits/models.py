"""Visits (đợt khám) keyed by MA_LK."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitStatus(models.TextChoices):
    OPEN = "open", _("Đang khám")
    CLOSED = "closed", _("Đã kết thúc")
    CANCELLED = "cancelled", _("Đã hủy")


class Visit(models.Model):
    # Unique through visit_ma_lk_once: a constraint, not unique=True, so that PostgreSQL gets
    # no second (LIKE-pattern) index to keep at every check-in.
    ma_lk = models.CharField(_("mã liên kết (MA_LK)"), max_length=100)
    facility = models.ForeignKey(
        "facilities.Facility",
        verbose_name=_("cơ sở"),
        on_delete=models.PROTECT,
        related_name="visits",
        db_index=False,  # visit_facility_date leads with facility
    )
    patient = models.ForeignKey(
        "patients.Patient",
        verbose_name=_("người bệnh"),
        on_delete=models.PROTECT,
        related_name="visits",
        db_index=False,  # visit_patient_arrived and visit_patient_day lead with patient
    )
    department = models.ForeignKey(
        "facilities.Department",
        verbose_name=_("khoa/phòng"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    arrived_at = models.DateTimeField(_("thời gian đến (NGAY_VAO)"))
    visit_date = models.DateField(_("ngày khám (giờ Việt Nam)"))
    visit_type = models.CharField(_("loại KCB (MA_LOAI_KCB)"), max_length=2, default="01")
    # What the person presented at check-in (cccd_qr, vneid_qr, id_number, bhyt_card,
    # bhxh_number; blank: no document or not recorded). Counted by kcb06.reports.
    check_in_method = models.CharField(_("giấy tờ khi tiếp đón"), max_length=12, blank=True)
    reason = models.CharField(_("lý do vào viện (LY_DO_VV)"), max_length=1024, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.OPEN
    )
    closed_at = models.DateTimeField(_("kết thúc lúc (NGAY_RA)"), null=True, blank=True)
    # A cancelled visit says when and why, and only a cancelled one does (visit_cancel_kept:
    # the database refuses anything else). Set through `cancel`.
    cancelled_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    cancel_reason = models.CharField(_("lý do hủy"), max_length=255, blank=True)
    # BHYT verdict at check-in, as used for this visit.
    eligibility_outcome = models.CharField(_("kết quả kiểm tra thẻ"), max_length=12, blank=True)
    portal_code = models.CharField(_("mã kết quả cổng BHXH"), max_length=8, blank=True)
    card_number = models.CharField(_("mã thẻ BHYT"), max_length=15, blank=True)
    card_valid_from = models.DateField(_("thẻ có giá trị từ"), null=True, blank=True)
    card_valid_to = models.DateField(_("thẻ có giá trị đến"), null=True, blank=True)
    ma_dkbd = models.CharField(_("nơi ĐKBĐ (MA_DKBD)"), max_length=5, blank=True)
    benefit_level = models.CharField(_("mức hưởng"), max_length=1, blank=True)
    uses_bhyt = models.BooleanField(_("khám BHYT"), default=False)
    # The eligibility check behind the verdict (kcb06.eligibility); a pending (unverified)
    # check is resolved in the background and verdict_resolved updates this visit.
    eligibility_check_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # The verdict as shown to the clerk (reason, next step, mismatches), for re-display.
    eligibility_detail = models.JSONField(default=dict, blank=True)
    # Not indexed: staff leave by being locked ("Khóa tài khoản"), not deleted; deleting a user
    # (superuser only) then reads this table once to clear the field.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("đợt khám")
        verbose_name_plural = _("đợt khám")
        indexes = [
            models.Index(fields=["facility", "visit_date"], name="visit_facility_date"),
            models.Index(fields=["patient", "arrived_at"], name="visit_patient_arrived"),
            # "Has this patient a ticket here today?" is asked at every check-in: one index
            # scan instead of ANDing the patient and department indexes.
            models.Index(fields=["patient", "visit_date", "department"], name="visit_patient_day"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["ma_lk"], name="visit_ma_lk_once"),
            models.CheckConstraint(
                condition=(
                    models.Q(status=VisitStatus.CANCELLED, cancelled_at__isnull=False)
                    & ~models.Q(cancel_reason="")
                )
                | (
                    ~models.Q(status=VisitStatus.CANCELLED)
                    & models.Q(cancelled_at__isnull=True, cancel_reason="")
                ),
                name="visit_cancel_kept",
                violation_error_message=_("Lượt khám đã hủy phải có thời điểm và lý do hủy."),
            ),
        ]

    def __str__(self) -> str:
        return self.ma_lk

    def cancel(self, reason: str, at=None) -> list[str]:
        """Make this visit cancelled, with when and why (not saved); answers the fields to
        save. Its ticket and today's DailyCheckIn row are the caller's (visits.changes)."""
        from django.utils import timezone

        reason = " ".join((reason or "").split())[:255]
        if not reason:
            raise ValueError("a cancelled visit needs a reason")
        self.status = VisitStatus.CANCELLED
        self.cancelled_at = at or timezone.now()
        self.cancel_reason = reason
        return ["status", "cancelled_at", "cancel_reason", "updated_at"]


class DailyCounter(models.Model):
    """One row per (scope, local day): queue numbers per department and MA_LK per facility.

    Bumped with a single INSERT … ON CONFLICT DO UPDATE … RETURNING inside the check-in
    transaction: the row lock is held until commit, so numbers have no gaps and no duplicates
    whatever the number of clerks, kiosks or workers (SQLite serialises writers anyway)."""

    scope = models.CharField(max_length=40)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "day"], name="counter_scope_day")]


class DailyCheckIn(models.Model):
    """One row per patient, department and local day: the arbiter of "the same patient at the
    same department the same day gets the same visit and ticket".

    A check-in reads whether the patient already has today's visit there before it writes; two
    scans of one patient at once both read "not yet". The unique constraint lets only one of
    them commit: the other fails whole (one transaction) and retries, and then finds the visit
    of the first. So a returning patient's check-in needs no row lock on the patient (three
    round trips: BEGIN, the lock, the standing read under it).

    No foreign-key constraints: the row is only an arbiter, written in the same transaction as
    the visit that names the same patient and department (those keys are checked there). A
    merge leaves these rows with the merged-away record: the survivor's own check-ins find the
    moved visits through the visits themselves. Cancelling a visit must delete its row."""

    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the unique constraint's index leads with it
        related_name="+",
    )
    department = models.ForeignKey(
        "facilities.Department",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "department", "day"], name="one_check_in_per_patient_day"
            )
        ]


class DepartmentClosure(models.Model):
    """A department that takes no new patients on one day (holiday, doctor absent, …)."""

    department = models.ForeignKey(
        "facilities.Department", on_delete=models.CASCADE, related_name="closures"
    )
    day = models.DateField(_("ngày nghỉ"))
    reason = models.CharField(_("lý do"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("ngày khoa nghỉ")
        verbose_name_plural = _("ngày khoa nghỉ")
        constraints = [
            models.UniqueConstraint(fields=["department", "day"], name="closure_once_per_day")
        ]


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Đang chờ")
    CALLED = "called", _("Đang gọi")
    DONE = "done", _("Đã vào khám")
    ABSENT = "absent", _("Vắng mặt")
    # A cancelled visit's ticket stays (its number is never given again), out of the queue.
    CANCELLED = "cancelled", _("Đã hủy")


class Priority(models.TextChoices):
    """Who is examined first under the Law on Medical Examination and Treatment (Luật Khám
    bệnh, chữa bệnh số 15/2023/QH15, its priority rule): children under 6, pregnant women,
    people with severe or very severe disabilities, people aged 75 and over, people with
    meritorious services to the revolution. Ages come from the record's date of birth; the
    other groups are the clerk's choice at the desk."""

    # The clerk's groups first (Alt+U steps through them at the desk), then those by age.
    NONE = "", _("Không")
    PREGNANT = "pregnant", _("Phụ nữ có thai")
    SEVERE_DISABILITY = "disability", _("Người khuyết tật nặng, đặc biệt nặng")
    MERITORIOUS = "merit", _("Người có công với cách mạng")
    CHILD_UNDER_6 = "child", _("Trẻ em dưới 6 tuổi")
    ELDERLY_75 = "elderly", _("Người từ đủ 75 tuổi")


class Ticket(models.Model):
    """Queue ticket: number per department per local day; `token` is what the QR encodes."""

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="ticket")
    department = models.ForeignKey(
        "facilities.Department",
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,  # ticket_number_once and ticket_queue lead with it
    )
    day = models.DateField()
    number = models.PositiveIntegerField(_("số thứ tự"))
    token = models.CharField(max_length=32)  # unique through ticket_token_once (no LIKE index)
    status = models.CharField(
        max_length=10, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    called_at = models.DateTimeField(null=True, blank=True)
    call_count = models.PositiveSmallIntegerField(default=0)
    # A database default: the check-in's hand-written insert (visits.numbers) leaves it out.
    priority = models.CharField(
        _("ưu tiên"), max_length=10, choices=Priority.choices, default="", db_default="", blank=True
    )

    class Meta:
        verbose_name = _("phiếu số thứ tự")
        verbose_name_plural = _("phiếu số thứ tự")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "day", "number"], name="ticket_number_once"
            ),
            models.UniqueConstraint(fields=["token"], name="ticket_token_once"),
        ]
        indexes = [models.Index(fields=["department", "day", "status"], name="ticket_queue")]
