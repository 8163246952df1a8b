"""Unverified checks are re-checked in the background until the portal answers."""

from datetime import timedelta

from django.utils import timezone

from kcb06.eligibility.jobs import recheck_pending
from kcb06.eligibility.models import CheckStatus, EligibilityCheck
from kcb06.eligibility.services import check_eligibility
from kcb06.eligibility.signals import verdict_resolved

EXPIRED = {
    "card_number": "GD4272700000010",
    "full_name": "Bùi Văn Hết Hạn Demo",
    "date_of_birth": "1970-09-09",
}


def _due(check_id):
    EligibilityCheck.objects.filter(pk=check_id).update(next_attempt_at=timezone.now())


def test_pending_check_resolves_and_sends_the_signal(sim, principal):
    sim.fault(scope="global", mode="http500")
    verdict = check_eligibility(principal(), **EXPIRED, patient_id=42)
    assert verdict.pending
    check = EligibilityCheck.objects.get(pk=verdict.check_id)
    assert check.next_attempt_at > timezone.now()
    assert recheck_pending() == 0  # not due yet

    received = []

    def on_resolved(sender, check, verdict, **kw):
        received.append((check.pk, verdict.outcome, verdict.portal_code))

    verdict_resolved.connect(on_resolved)
    try:
        _due(check.pk)
        assert recheck_pending() == 1  # still failing: stays pending, later attempt
        check.refresh_from_db()
        assert check.status == CheckStatus.PENDING and check.attempts == 2
        first_delay = check.next_attempt_at - timezone.now()
        assert received == []

        sim.reset()
        _due(check.pk)
        assert recheck_pending() == 1
    finally:
        verdict_resolved.disconnect(on_resolved)
    check.refresh_from_db()
    assert check.status == CheckStatus.FINAL and check.outcome == "invalid"
    assert check.portal_code == "010" and check.next_attempt_at is None
    assert check.verdict["outcome"] == "invalid" and check.verdict["pending"] is False
    assert received == [(check.pk, "invalid", "010")]
    assert first_delay > timedelta(seconds=30)  # backoff doubled after the second failure


def test_backoff_grows_and_is_capped(sim, principal):
    sim.fault(scope="global", mode="http500")
    verdict = check_eligibility(principal(), **EXPIRED)
    delays = []
    for _ in range(9):
        _due(verdict.check_id)
        recheck_pending()
        check = EligibilityCheck.objects.get(pk=verdict.check_id)
        delays.append(round((check.next_attempt_at - timezone.now()).total_seconds()))
    assert delays == sorted(delays)
    assert delays[0] == 60 and delays[-1] == 3600


def test_a_failing_receiver_leaves_the_check_pending(sim, principal):
    sim.fault(scope="global", mode="http500", count=1)
    verdict = check_eligibility(principal(), **EXPIRED)
    assert verdict.pending

    def broken(sender, **kw):
        raise RuntimeError("visit update failed")

    verdict_resolved.connect(broken)
    try:
        _due(verdict.check_id)
        assert recheck_pending() == 0
    finally:
        verdict_resolved.disconnect(broken)
    check = EligibilityCheck.objects.get(pk=verdict.check_id)
    assert check.status == CheckStatus.PENDING and check.outcome == "unverified"
    assert check.next_attempt_at > timezone.now()  # retried after the lease
