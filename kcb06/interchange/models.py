"""Outbox of files for the BHXH portal, and the facility certificates allowed to sign them."""

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Concat, Left
from django.utils.translation import gettext_lazy as _


def _staff_member(**options) -> models.ForeignKey:
    """Who did it: a staff account, kept as NULL if the account is ever deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **options,
    )


class OutboxState(models.TextChoices):
    INVALID = "invalid", _("Lỗi dữ liệu — chưa gửi")
    WAITING = "waiting", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    ACCEPTED = "accepted", _("Cổng đã tiếp nhận")
    REJECTED = "rejected", _("Cổng từ chối")
    FAILED = "failed", _("Gửi lỗi sau nhiều lần thử")
    SUPERSEDED = "superseded", _("Đã thay bằng bản sửa")


# A claim in the work queue (kcb06.interchange.queue): built but not accepted, not replaced.
QUEUE_STATES = ("invalid", "waiting", "sent", "rejected", "failed")
# Portal answers that are not an error of the claim: accepted, and 401 (log in again, retried).
NOT_CLAIM_ERRORS = ("", "200", "401")


class QueueStage(models.IntegerChoices):
    """How far a claim got on built -> valid -> signed -> sent -> accepted (the funnel)."""

    OTHER = 0, _("Đã thay bằng bản sửa")
    BUILT = 1, _("Đã lập, còn lỗi dữ liệu")
    VALID = 2, _("Hợp lệ, chưa ký")
    SIGNED = 3, _("Đã ký, chưa gửi được")
    SENT = 4, _("Đang gửi")
    REJECTED = 5, _("Cổng từ chối")
    ACCEPTED = 6, _("Cổng đã tiếp nhận")


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
    created_by = _staff_member(db_index=False)  # staff are locked, not deleted (Visit.created_by)
    # The claim-error work queue (kcb06.interchange.queue) filters on these. The department is
    # the visit's, copied when the file is written; the three generated columns are computed by
    # the database from the row itself, so every writer (the ORM, the worker's raw UPDATE) keeps
    # them right without knowing about the queue.
    department = models.ForeignKey(
        "facilities.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # outbox_queue_dept leads with facility, then department
    )
    # The first error of the claim: "XML1.MA_THE_BHYT:required" for a validation error,
    # "CONG:125" for the portal's refusal, "GUI_LOI" for a delivery given up; "" otherwise.
    queue_error = models.GeneratedField(
        expression=Left(
            Case(
                When(
                    errors__0__code__isnull=False,
                    then=Concat(
                        KT("errors__0__table"),
                        Value("."),
                        KT("errors__0__field"),
                        Value(":"),
                        KT("errors__0__code"),
                        output_field=models.TextField(),
                    ),
                ),
                When(
                    ~Q(result_code__in=NOT_CLAIM_ERRORS),
                    then=Concat(Value("CONG:"), "result_code", output_field=models.TextField()),
                ),
                When(state="failed", then=Value("GUI_LOI")),
                default=Value(""),
                output_field=models.TextField(),
            ),
            120,
        ),
        output_field=models.CharField(max_length=120),
        db_persist=True,
    )
    queue_stage = models.GeneratedField(
        expression=Case(
            When(state="invalid", then=Value(QueueStage.BUILT.value)),
            When(
                state__in=("waiting", "failed"),
                signed__isnull=True,
                then=Value(QueueStage.VALID.value),
            ),
            When(state__in=("waiting", "failed"), then=Value(QueueStage.SIGNED.value)),
            When(state="sent", then=Value(QueueStage.SENT.value)),
            When(state="rejected", then=Value(QueueStage.REJECTED.value)),
            When(state="accepted", then=Value(QueueStage.ACCEPTED.value)),
            default=Value(QueueStage.OTHER.value),
            output_field=models.SmallIntegerField(),
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
    )
    # The claim's age runs from the end of the visit (the 24-hour promise counts from there).
    queue_since = models.GeneratedField(
        expression=Coalesce("visit_ended_at", "created_at"),
        output_field=models.DateTimeField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("tệp gửi cổng BHXH")
        verbose_name_plural = _("tệp gửi cổng BHXH")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["facility", "state"], name="outbox_facility_state"),
            # The funnel: claims of a facility over a period, counted by stage and state from
            # the index alone (index-only scan on PostgreSQL).
            models.Index(
                fields=["facility", "queue_since", "queue_stage", "state"],
                name="outbox_claim_funnel",
                condition=Q(kind="claim"),
            ),
            # The work queue (claims not accepted yet), oldest first, by error or department;
            # partial, so accepted claims and check-ins cost these indexes nothing.
            models.Index(
                fields=["facility", "queue_since", "id"],
                name="outbox_queue_age",
                condition=Q(kind="claim", state__in=QUEUE_STATES),
            ),
            models.Index(
                # department last (after the unique id, so the order is unchanged): the
                # queue's counts by error x department x age come from one index-only scan
                fields=["facility", "queue_error", "queue_since", "id", "department"],
                name="outbox_queue_error",
                condition=Q(kind="claim", state__in=QUEUE_STATES),
            ),
            models.Index(
                fields=["facility", "department", "queue_since", "id"],
                name="outbox_queue_dept",
                condition=Q(kind="claim", state__in=QUEUE_STATES),
            ),
            # Top errors of the week, counting claims since corrected (superseded) too.
            models.Index(
                fields=["facility", "queue_since", "queue_error"],
                name="outbox_claim_errors",
                condition=Q(kind="claim") & ~Q(queue_error=""),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ma_lk", "kind", "content_hash"], name="outbox_once_per_content"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ma_lk} {self.state}"


class QueueCount(models.Model):
    """How many claims stand at each (facility, department, day, stage, state): what the claim
    queue's funnel adds up instead of counting a period's claims (docs/claims.md).

    Kept by triggers on the outbox table (migration 0006_queue_rollup), in the transaction of
    whatever statement changes a claim's state, stage, department or day, whoever runs it (the
    ORM, the worker's raw batch UPDATE, a bulk INSERT); `kcb06 xml queue-counts` checks or
    rebuilds a period. Keys are plain numbers, not foreign keys: the triggers copy them from
    the outbox row, which already holds valid ones."""

    facility_id = models.BigIntegerField()
    department_id = models.BigIntegerField(default=0)  # 0: the claim has no department
    day = models.DateField()  # the UTC day of the claim's queue_since
    queue_stage = models.SmallIntegerField()
    state = models.CharField(max_length=12)
    n = models.IntegerField(default=0)  # 0 once its claims moved on; a rebuild drops it

    class Meta:
        verbose_name = _("số hồ sơ theo ngày và bước")
        verbose_name_plural = _("số hồ sơ theo ngày và bước")
        constraints = [
            models.UniqueConstraint(
                fields=["facility_id", "day", "department_id", "queue_stage", "state"],
                name="queue_count_key",
            )
        ]


class QueuePendingCount(models.Model):
    """How many claims not accepted yet (QUEUE_STATES) stand at each (facility, department,
    month, error): the queue's counts of claims older than the age buckets' last edge, which
    are all "over 30 days", without reading each of them (docs/claims.md). Kept by the same
    triggers as QueueCount; a UTC month, not a day, because a backlog of old claims with many
    errors gives almost one day-counter per claim."""

    facility_id = models.BigIntegerField()
    department_id = models.BigIntegerField(default=0)  # 0: the claim has no department
    month = models.DateField()  # the first day of the UTC month of the claim's queue_since
    queue_error = models.CharField(max_length=120)
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("số hồ sơ chờ theo tháng và lỗi")
        verbose_name_plural = _("số hồ sơ chờ theo tháng và lỗi")
        constraints = [
            models.UniqueConstraint(
                fields=["facility_id", "month", "department_id", "queue_error"],
                name="queue_pending_count_key",
            )
        ]


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
    registered_by = _staff_member()

    class Meta:
        verbose_name = _("chứng thư số của cơ sở")
        verbose_name_plural = _("chứng thư số của cơ sở")


class RuleMode(models.TextChoices):
    ERROR = "error", _("Chặn hồ sơ (lỗi)")
    WARNING = "warning", _("Chỉ cảnh báo")
    OFF = "off", _("Tắt")


class RuleSetting(models.Model):
    """A facility's switch for one claim rule of the catalogue (interchange.core.rules): off,
    or a warning instead of an error. No row = the catalogue's own severity. Every change is
    audited (kcb06.audit, object_type "claim_rule")."""

    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.CASCADE, related_name="rule_settings"
    )
    code = models.CharField(max_length=16)
    mode = models.CharField(max_length=8, choices=RuleMode.choices)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = _staff_member()

    class Meta:
        verbose_name = _("thiết lập quy tắc hồ sơ")
        verbose_name_plural = _("thiết lập quy tắc hồ sơ")
        constraints = [
            models.UniqueConstraint(fields=["facility", "code"], name="rule_setting_once"),
        ]
