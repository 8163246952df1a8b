"""Every card check put to the portal is counted in the facility's day (PortalDay): attempted,
unanswered, timed out, and how long it took — against portalsim, with its faults."""

from django.utils import timezone

from kcb06.demo import DEMO_PORTAL_PASSWORD
from kcb06.eligibility.jobs import recheck_pending
from kcb06.eligibility.models import LATENCY_FIELDS, EligibilityCheck, PortalDay
from kcb06.eligibility.services import check_eligibility
from tests.eligibility.test_client import EXPIRED, VALID

SUB_300 = ("ms_le_100", "ms_le_200", "ms_le_300")


def _day() -> PortalDay:
    return PortalDay.objects.get(facility__code="27901", day=timezone.localdate())


def _histogram(day: PortalDay) -> dict:
    return {name: getattr(day, name) for name in LATENCY_FIELDS if getattr(day, name)}


def test_answers_failures_timeouts_and_rechecks_are_counted_with_their_latency(
    sim, principal, settings
):
    p = principal()
    check_eligibility(p, **EXPIRED)  # logs in: one call, answered
    check_eligibility(p, **VALID)  # answered (valid: cached for the day)
    check_eligibility(p, **VALID)  # served from the day's cache: the portal is not asked
    day = _day()
    assert (day.calls, day.unanswered, day.timed_out) == (2, 0, 0)
    assert sum(_histogram(day).values()) == 2

    sim.fault(scope="global", latency_ms=350, endpoints=["card_check"])
    check_eligibility(p, **EXPIRED)
    day = _day()
    # The slow call falls in a bucket above 300 ms (how far above depends on the machine).
    assert day.calls == 3 and day.latency_ms_sum >= 350
    slow = sum(n for name, n in _histogram(day).items() if name not in SUB_300)
    assert slow == 1

    sim.reset()
    settings.KCB06_PORTAL_TIMEOUT = 0.3
    sim.fault(scope="global", mode="timeout", timeout_seconds=3)
    pending = check_eligibility(p, **EXPIRED)
    assert pending.pending
    day = _day()
    assert (day.calls, day.unanswered, day.timed_out) == (4, 1, 1)

    # The background re-check asks the portal again: a call of its own, answered this time.
    sim.reset()
    EligibilityCheck.objects.filter(pk=pending.check_id).update(next_attempt_at=timezone.now())
    assert recheck_pending() == 1
    day = _day()
    assert (day.calls, day.unanswered, day.timed_out) == (5, 1, 1)
    assert sum(_histogram(day).values()) == 5


def test_a_portal_not_configured_is_not_counted_and_an_open_breaker_is_unanswered(
    sim, principal, settings, monkeypatch
):
    monkeypatch.delenv("KCB06_PORTAL_PASSWORD", raising=False)
    monkeypatch.delenv("KCB06_PORTAL_PASSWORD_27901", raising=False)
    check_eligibility(principal(), **VALID)
    assert not PortalDay.objects.exists()

    monkeypatch.setenv("KCB06_PORTAL_PASSWORD", DEMO_PORTAL_PASSWORD)
    settings.KCB06_PORTAL_BREAKER_FAILURES = 1
    settings.KCB06_PORTAL_BREAKER_SECONDS = 60
    sim.fault(scope="global", mode="http500")
    check_eligibility(principal(), **EXPIRED)  # fails: the breaker opens
    check_eligibility(principal(), **EXPIRED)  # refused at once: wanted, not sent
    day = _day()
    assert (day.calls, day.unanswered, day.timed_out) == (2, 2, 0)
    assert sum(_histogram(day).values()) == 1  # the refused one has no latency
