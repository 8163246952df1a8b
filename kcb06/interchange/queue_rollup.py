"""Checking and rebuilding the claim counters (models.QueueCount by day, models.QueuePendingCount
by month) against the outbox rows.

The counters are kept by triggers (migration 0006_queue_rollup), so they can only drift if
someone switches the triggers off, restores one table without the other, or edits a counter by
hand: `kcb06 xml queue-counts` compares a period with a recount, and `--rebuild` writes the
recount. The rebuild holds a SHARE lock on the outbox (PostgreSQL) while it recounts, so no
claim changes between the recount and its write; readers go on, writers wait a few seconds.
A period is whole UTC days; the month counters of every month it touches are rebuilt whole.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, DateField, Q, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth

from kcb06.interchange.models import (
    QUEUE_STATES,
    OutboxItem,
    OutboxKind,
    QueueCount,
    QueuePendingCount,
)


@dataclass(frozen=True)
class Counters:
    model: type
    period: str  # the counter's time column: "day" or "month"
    key: tuple[str, ...]  # its key, as the outbox rows are grouped
    claims: Q  # which claims it counts

    def period_of(self):
        if self.period == "day":
            return TruncDate("queue_since", tzinfo=UTC)
        return TruncMonth("queue_since", tzinfo=UTC, output_field=DateField())


BY_DAY = Counters(QueueCount, "day", ("queue_stage", "state"), Q())
BY_MONTH = Counters(QueuePendingCount, "month", ("queue_error",), Q(state__in=QUEUE_STATES))
ALL = (BY_DAY, BY_MONTH)


def _span(c: Counters, first: date | None, last: date | None) -> tuple:
    """[first, last] widened to whole periods of `c`: (first day, day after the last)."""
    if c.period == "month":
        first = first.replace(day=1) if first else None
        last = (last.replace(day=28) + timedelta(days=4)).replace(day=1) if last else None
    else:
        last = last + timedelta(days=1) if last else None
    return first, last


def recounted(c: Counters, first: date | None = None, last: date | None = None) -> dict:
    """{(facility, department or 0, period, *key): claims} from the outbox rows."""
    start, end = _span(c, first, last)
    rows = OutboxItem.objects.filter(c.claims, kind=OutboxKind.CLAIM)
    if start is not None:
        rows = rows.filter(queue_since__gte=datetime.combine(start, time(), tzinfo=UTC))
    if end is not None:
        rows = rows.filter(queue_since__lt=datetime.combine(end, time(), tzinfo=UTC))
    grouped = (
        rows.annotate(at=c.period_of(), dept=Coalesce("department_id", 0))
        .values_list("facility_id", "dept", "at", *c.key)
        .annotate(n=Count("*"))
        .order_by()
    )
    return {tuple(key): n for *key, n in grouped}


def _counters(c: Counters, first: date | None, last: date | None):
    start, end = _span(c, first, last)
    rows = c.model.objects.all()
    if start is not None:
        rows = rows.filter(**{c.period + "__gte": start})
    if end is not None:
        rows = rows.filter(**{c.period + "__lt": end})
    return rows


def stored(c: Counters, first: date | None = None, last: date | None = None) -> dict:
    """The same as `recounted`, as the counters hold it (zero counters left out)."""
    grouped = (
        _counters(c, first, last)
        .values_list("facility_id", "department_id", c.period, *c.key)
        .annotate(total=Sum("n"))
        .order_by()
    )
    return {tuple(key): n for *key, n in grouped if n}


def differences(first: date | None = None, last: date | None = None) -> dict[tuple, tuple]:
    """{(table, *key): (counters, recount)} wherever they disagree; empty when all is right."""
    out = {}
    for c in ALL:
        held, counted = stored(c, first, last), recounted(c, first, last)
        for key in held.keys() | counted.keys():
            if held.get(key, 0) != counted.get(key, 0):
                out[(c.model._meta.db_table, *key)] = (held.get(key, 0), counted.get(key, 0))
    return out


def rebuild(first: date | None = None, last: date | None = None) -> int:
    """Replace the counters of [first, last] by a recount; the number of counters written."""
    written = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f"LOCK TABLE {OutboxItem._meta.db_table} IN SHARE MODE")  # noqa: S608 - the model's own table
        for c in ALL:
            _counters(c, first, last).delete()
            names = ("facility_id", "department_id", c.period, *c.key)
            rows = [
                c.model(**dict(zip(names, key, strict=True)), n=n)
                for key, n in recounted(c, first, last).items()
            ]
            c.model.objects.bulk_create(rows, batch_size=2000)
            written += len(rows)
    return written
