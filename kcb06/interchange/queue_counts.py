"""The claim queue's counts (docs/claims.md): the funnel of a period, the week's top errors, the
queue by error x department x age, and the health department's counts by facility x error.

Always current and never cached. Counters that triggers keep in the transaction of every
change to a claim stand in for the many rows: the funnel (every claim of up to 90 days,
accepted ones included) adds up models.QueueCount by whole UTC days and counts the one day the
period's start cuts through from that day's outbox rows; the queue's counts add up
models.QueuePendingCount for the claims old enough to be "over 30 days" whatever the day, and
count the recent ones from the partial queue indexes of models.OutboxItem. The week's top
errors read the partial index of claims with an error (a week of them is few).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Q, Sum

from kcb06.interchange.models import (
    QUEUE_STATES,
    OutboxItem,
    OutboxKind,
    OutboxState,
    QueueCount,
    QueuePendingCount,
    QueueStage,
)
from kcb06.interchange.queue_fixes import fix_for

TOP_ERRORS = 10
# Age of a claim since the visit ended (the portal expects the data within 24 hours).
AGE_BUCKETS = [
    ("lt1d", "Dưới 24 giờ", None, timedelta(days=1)),
    ("1to3d", "1–3 ngày", timedelta(days=1), timedelta(days=3)),
    ("3to7d", "3–7 ngày", timedelta(days=3), timedelta(days=7)),
    ("7to30d", "7–30 ngày", timedelta(days=7), timedelta(days=30)),
    ("gt30d", "Trên 30 ngày", timedelta(days=30), None),
]
AGES = {key: (label, low, high) for key, label, low, high in AGE_BUCKETS}


def claims(facility_ids):
    return OutboxItem.objects.filter(kind=OutboxKind.CLAIM, facility_id__in=facility_ids)


def pending(facility_ids):
    """Claims not accepted yet and not replaced: the rows of the partial queue indexes."""
    return claims(facility_ids).filter(state__in=QUEUE_STATES)


def utc_day(at: datetime) -> date:
    """The day of QueueCount.day that a claim of queue_since `at` is counted under."""
    return at.astimezone(UTC).date()


def _by_stage_and_state(facility_ids, since: datetime) -> list[tuple[int, str, int]]:
    """(stage, state, claims) of the claims with queue_since after `since`: the counters of the
    whole days after it, and the outbox rows of its own day (outbox_claim_funnel)."""
    day = utc_day(since)
    counters = (
        QueueCount.objects.filter(facility_id__in=facility_ids, day__gt=day)
        .values_list("queue_stage", "state")
        .annotate(n=Sum("n"))
        .order_by()
    )
    first_day = (
        claims(facility_ids)
        .filter(
            queue_since__gt=since,
            queue_since__lt=datetime.combine(day, time(), tzinfo=UTC) + timedelta(days=1),
        )
        .values_list("queue_stage", "state")
        .annotate(n=Count("*"))
        .order_by()
    )
    return [*counters, *first_day]


def funnel(facility_ids, now, days: int) -> dict:
    """Claims whose visit ended in the last `days` days, by how far they got."""
    since = now - timedelta(days=days)
    by_stage: dict[int, int] = {}
    failed = 0
    for stage, state, n in _by_stage_and_state(facility_ids, since):
        by_stage[stage] = by_stage.get(stage, 0) + n
        if state == OutboxState.FAILED:
            failed += n

    def at_least(stage: int) -> int:
        return sum(n for s, n in by_stage.items() if s >= stage)

    steps = [
        ("built", "Đã lập", at_least(QueueStage.BUILT)),
        ("valid", "Hợp lệ", at_least(QueueStage.VALID)),
        ("signed", "Đã ký", at_least(QueueStage.SIGNED)),
        ("sent", "Đã gửi", at_least(QueueStage.SENT)),
        ("accepted", "Cổng tiếp nhận", at_least(QueueStage.ACCEPTED)),
    ]
    built = steps[0][2]
    return {
        "days": days,
        "at": now,
        "steps": [
            {"key": k, "label": label, "n": n, "percent": round(100 * n / built) if built else 0}
            for k, label, n in steps
        ],
        "invalid": by_stage.get(QueueStage.BUILT, 0),
        "rejected": by_stage.get(QueueStage.REJECTED, 0),
        "failed": failed,
        "in_flight": by_stage.get(QueueStage.SENT, 0),
    }


def top_errors(facility_ids, now, days: int = 7, limit: int = TOP_ERRORS) -> list[dict]:
    """The errors claims met in the last `days` days (corrected claims included), most first."""
    rows = (
        claims(facility_ids)
        .filter(queue_since__gt=now - timedelta(days=days))
        .exclude(queue_error="")
        .values_list("queue_error")
        .annotate(n=Count("*"))
        .order_by("-n", "queue_error")[:limit]
    )
    return [{"key": key, "n": n, "fix": fix_for(key)} for key, n in rows]


@dataclass
class PendingCounts:
    """Claims not accepted yet by (error, department, age bucket): every count the page
    shows, the filtered total included."""

    groups: list[tuple[str, int | None, str, int]]

    def total(self, f=None) -> int:
        """`f`: the page's filters (queue.Filters), or None for every claim of the queue."""
        return sum(
            n
            for error, dept, age, n in self.groups
            if f is None
            or (
                (not f.error or error == f.error)
                and (not f.department or dept == f.department)
                and (not f.age or age == f.age)
            )
        )

    def by(self, index: int) -> dict:
        out: dict = {}
        for group in self.groups:
            out[group[index]] = out.get(group[index], 0) + group[3]
        return out


def _month_start(at: datetime) -> datetime:
    at = at.astimezone(UTC)
    return datetime(at.year, at.month, 1, tzinfo=UTC)


def _pending_split(facility_ids, now, fields: tuple[str, ...], recent: dict):
    """Claims not accepted yet, by `fields`, as two reads: rows (*fields, claims) from the
    month counters of the UTC months before the one in which the last age edge (30 days)
    falls, all "over 30 days" whatever their day; rows (*fields, *aggregates `recent`) of the
    later claims (at most two months) from the partial queue indexes."""
    start = _month_start(now - AGE_BUCKETS[-1][2])
    old = (
        QueuePendingCount.objects.filter(facility_id__in=facility_ids, month__lt=start.date())
        .values_list(*fields)
        .annotate(n=Sum("n"))
        .order_by()
    )
    new = (
        pending(facility_ids)
        .filter(queue_since__gte=start)
        .values_list(*fields)
        .annotate(**recent)
        .order_by()
    )
    return old, new


def pending_counts(facility_ids, now) -> PendingCounts:
    """Every count the page shows, from two small reads: the month counters of the old
    claims, and the recent claims grouped by error and department with one filtered count per
    age bucket (cheaper to aggregate than a third grouping column)."""
    ages = {key: Count("pk", filter=age_q(key, now)) for key, _label, _lo, _hi in AGE_BUCKETS}
    old, new = _pending_split(facility_ids, now, ("queue_error", "department_id"), ages)
    oldest = AGE_BUCKETS[-1][0]
    groups = [(error, dept or None, oldest, n) for error, dept, n in old if n]
    for error, dept, *by_age in new:
        groups.extend((error, dept, key, n) for key, n in zip(ages, by_age, strict=True) if n)
    return PendingCounts(groups)


def age_q(age: str, now) -> Q:
    """The claims of one age bucket (AGE_BUCKETS) at `now`."""
    _label, low, high = AGES[age]
    q = Q()
    if low is not None:
        q &= Q(queue_since__lte=now - low)
    if high is not None:
        q &= Q(queue_since__gt=now - high)
    return q


def pending_by_error(counts: PendingCounts) -> list[dict]:
    by_error = sorted(counts.by(0).items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"key": key, "n": n, "fix": fix_for(key) if key else None} for key, n in by_error]


def pending_by_age(counts: PendingCounts) -> list[dict]:
    by_age = counts.by(2)
    return [
        {"key": key, "label": label, "n": by_age.get(key, 0)}
        for key, label, _lo, _hi in AGE_BUCKETS
    ]


def pending_by_facility(facility_ids, now) -> dict[int, list[tuple[str, int]]]:
    """{facility id: [(error key, claims), ...] most first}: the health department's table."""
    old, new = _pending_split(facility_ids, now, ("facility_id", "queue_error"), {"n": Count("pk")})
    total: dict[tuple[int, str], int] = {}
    for facility_id, key, n in [*old, *new]:
        total[facility_id, key] = total.get((facility_id, key), 0) + n
    out: dict[int, list[tuple[str, int]]] = {}
    for (facility_id, key), n in sorted(total.items(), key=lambda kv: (-kv[1], kv[0][1])):
        if n:
            out.setdefault(facility_id, []).append((key, n))
    return out
