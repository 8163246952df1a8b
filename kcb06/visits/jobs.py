"""Periodic jobs of visits (run by `kcb06 worker`)."""

from datetime import timedelta

from django.utils import timezone

from kcb06.visits.models import DailyCheckIn

PRUNE_BATCH = 5000


def prune_daily_check_ins() -> int:
    """Delete DailyCheckIn rows of days before yesterday: they settle scans of one day only,
    and would otherwise grow by one row per visit for good. Answers how many went (a full
    batch: the worker runs it again at once)."""
    before = timezone.localdate() - timedelta(days=1)
    ids = list(
        DailyCheckIn.objects.filter(day__lt=before).values_list("pk", flat=True)[:PRUNE_BATCH]
    )
    if ids:
        DailyCheckIn.objects.filter(pk__in=ids).delete()
    return len(ids)
