"""Background re-check of unverified eligibility checks (run by kcb06.worker)."""

import logging
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from kcb06.eligibility.models import CheckStatus, EligibilityCheck
from kcb06.eligibility.services import recheck

log = logging.getLogger(__name__)
BATCH = 20
LEASE = timedelta(minutes=2)


def _claim(limit: int) -> list[EligibilityCheck]:
    """Take due pending checks and push their next attempt past a lease, so another worker
    (or the next tick) does not ask the portal about the same check concurrently."""
    now = timezone.now()
    with transaction.atomic():
        qs = EligibilityCheck.objects.filter(
            status=CheckStatus.PENDING, next_attempt_at__lte=now
        ).order_by("next_attempt_at")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        claimed = list(qs[:limit])
        for check in claimed:
            check.attempts += 1
            check.next_attempt_at = now + LEASE
            check.save(update_fields=["attempts", "next_attempt_at"])
    return claimed


def recheck_pending(limit: int = BATCH) -> int:
    """Re-ask the portal for due pending checks (services.recheck sends verdict_resolved for
    each that gets a final answer). Returns the number of checks handled."""
    handled = 0
    for check in _claim(limit):
        try:
            verdict = recheck(check)
        except Exception:  # noqa: BLE001 - one bad row must not stop the others
            log.exception("eligibility re-check failed for check %s", check.pk)
            continue
        handled += 1
        log.info("eligibility re-check %s: %s", check.pk, verdict.outcome)
    return handled
