"""Count every card check kcb06 puts to the BHXH portal into the facility's day (PortalDay):
attempted, unanswered (timeouts apart) and how long it took, in fixed latency buckets.

Why here and not in the reports: the time a call took is known only while it runs, and a
rollup rebuilt later from stored checks would miss the background re-checks (they update one
row) and the latency. One UPDATE of one row per call, outside any transaction (the portal is
asked before the check-in's write); the first call of a day inserts the row.

What counts against the portal follows the circuit breaker (kcb06.bhxh.client): a timeout, a
refused connection, an HTTP error, a malformed or "server failure" answer, or the breaker
being open (the call was wanted but not sent: no latency). A refused login is the account's
problem, not the portal's: answered. A portal that is not configured is not asked: not counted.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from kcb06.bhxh import client as portal
from kcb06.eligibility.models import LATENCY_BOUNDS_MS, PortalDay


def bucket_of(ms: int) -> str:
    for bound in LATENCY_BOUNDS_MS:
        if ms <= bound:
            return f"ms_le_{bound}"
    return "ms_over"


def record(
    facility_id: int, seconds: float, failure: str | None = None, day: date | None = None
) -> None:
    """One card check of `facility_id` that took `seconds`; `failure` is the PortalError kind
    (or "server" for a server-failure answer code), None when the portal answered."""
    if failure == "not_configured":
        return
    day = day or timezone.localdate()
    answered = failure is None or not portal.counts_against_portal(failure)
    increments = {
        "calls": 1,
        "unanswered": int(not answered),
        "timed_out": int(failure == "timeout"),
    }
    if failure != "breaker_open":  # a call that went out: it has a latency
        ms = max(0, round(seconds * 1000))
        increments["latency_ms_sum"] = ms
        increments[bucket_of(ms)] = 1
    changes = {name: F(name) + n for name, n in increments.items() if n}
    if PortalDay.objects.filter(facility_id=facility_id, day=day).update(**changes):
        return
    try:
        with transaction.atomic():
            PortalDay.objects.create(facility_id=facility_id, day=day, **increments)
    except IntegrityError:  # another call of the same day inserted it first
        PortalDay.objects.filter(facility_id=facility_id, day=day).update(**changes)
