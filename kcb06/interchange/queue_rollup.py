"""Checking and rebuilding the claim counters (models.QueueCount) against the outbox rows.

The counters are kept by triggers (migration 0006_queue_rollup), so they can only drift if
someone switches the triggers off, restores one table without the other, or edits a counter by
hand: `kcb06 xml queue-counts` compares a period with a recount, and `--rebuild` writes the
recount. The rebuild holds a SHARE lock on the outbox (PostgreSQL) while it recounts, so no
claim changes between the recount and its write; readers go on, writers wait a few seconds.
"""

from datetime import UTC, date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce, TruncDate

from kcb06.interchange.models import OutboxItem, OutboxKind, QueueCount

KEY = ("facility_id", "department_id", "day", "queue_stage", "state")


def recounted(first: date | None = None, last: date | None = None) -> dict[tuple, int]:
    """{key: claims} counted from the outbox rows whose queue_since falls on [first, last]."""
    rows = OutboxItem.objects.filter(kind=OutboxKind.CLAIM)
    if first is not None:
        rows = rows.filter(queue_since__gte=datetime.combine(first, time(), tzinfo=UTC))
    if last is not None:
        end = datetime.combine(last, time(), tzinfo=UTC) + timedelta(days=1)
        rows = rows.filter(queue_since__lt=end)
    grouped = (
        rows.annotate(
            day=TruncDate("queue_since", tzinfo=UTC),
            dept=Coalesce("department_id", 0),
        )
        .values_list("facility_id", "dept", "day", "queue_stage", "state")
        .annotate(n=Count("*"))
        .order_by()
    )
    return {tuple(key): n for *key, n in grouped}


def _counters(first: date | None, last: date | None):
    rows = QueueCount.objects.all()
    if first is not None:
        rows = rows.filter(day__gte=first)
    if last is not None:
        rows = rows.filter(day__lte=last)
    return rows


def stored(first: date | None = None, last: date | None = None) -> dict[tuple, int]:
    """{key: claims} as the counters hold them for [first, last] (zero counters left out)."""
    grouped = _counters(first, last).values_list(*KEY).annotate(total=Sum("n")).order_by()
    return {tuple(key): n for *key, n in grouped if n}


def differences(first: date | None = None, last: date | None = None) -> dict[tuple, tuple]:
    """{key: (counters, recount)} wherever the two disagree; empty when the counters are right."""
    held, counted = stored(first, last), recounted(first, last)
    return {
        key: (held.get(key, 0), counted.get(key, 0))
        for key in held.keys() | counted.keys()
        if held.get(key, 0) != counted.get(key, 0)
    }


def rebuild(first: date | None = None, last: date | None = None) -> int:
    """Replace the counters of [first, last] by a recount; the number of counters written."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f"LOCK TABLE {OutboxItem._meta.db_table} IN SHARE MODE")  # noqa: S608 - the model's own table
        _counters(first, last).delete()
        counters = [
            QueueCount(**dict(zip(KEY, key, strict=True)), n=n)
            for key, n in recounted(first, last).items()
        ]
        QueueCount.objects.bulk_create(counters, batch_size=2000)
    return len(counters)
