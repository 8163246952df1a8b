"""Outbox delivery through real HTTP to portalsim: accepted, rejected with each code, retried
on 5xx/garbage/time-outs, refused without a certificate, replacement after an edit."""

import time
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from kcb06.interchange import jobs, outbox
from kcb06.interchange.core import certs, signing
from kcb06.interchange.models import OutboxItem, OutboxState


@pytest.fixture(autouse=True)
def _db(transactional_db):
    """Real commits: the worker's claims and updates are separate transactions."""


def _queue(org, visit):
    return outbox.enqueue_claim_data(org["facilities"]["27901"], None, visit)


def _deliver(item):
    jobs.deliver_pending()
    item.refresh_from_db()
    return item


def _stats(sim):
    return sim.get("/_control/receiving/stats").json()


def test_claim_and_checkin_are_accepted_and_held_once(org, signer_27901, receiving, make_visit):
    v = make_visit()
    claim = _queue(org, v)
    checkin = outbox.enqueue_checkin_data(org["facilities"]["27901"], None, v)
    assert claim.state == OutboxState.WAITING and checkin.state == OutboxState.WAITING
    assert jobs.deliver_pending() == 2
    claim.refresh_from_db()
    checkin.refresh_from_db()
    assert claim.state == OutboxState.ACCEPTED, claim.last_error
    assert checkin.state == OutboxState.ACCEPTED, checkin.last_error
    assert claim.result_code == "200" and claim.transaction_id and len(claim.received_at) == 14
    stats = _stats(receiving)
    assert stats["claim"]["accepted_visits"] == 1
    assert stats["checkin"]["accepted_visits"] == 1
    # Queuing the same content again writes nothing new (idempotent on MA_LK + content hash).
    assert _queue(org, v).pk == claim.pk


def test_edit_after_acceptance_is_sent_as_a_replacement(org, signer_27901, receiving, make_visit):
    v = make_visit()
    first = _deliver(_queue(org, v))
    assert first.state == OutboxState.ACCEPTED
    v.final_diagnosis = "Viêm họng cấp do liên cầu"
    second = _deliver(_queue(org, v))
    assert second.pk != first.pk
    assert second.state == OutboxState.ACCEPTED
    first.refresh_from_db()
    assert first.state == OutboxState.ACCEPTED  # the history stays
    versions = receiving.get(f"/_control/receiving/stats?ma_lk={v.ma_lk}").json()["versions"]
    assert [x["current"] for x in versions] == [False, True]


def test_edit_before_sending_supersedes_the_waiting_file(org, signer_27901, receiving, make_visit):
    v = make_visit()
    first = _queue(org, v)
    v.note = "Tái khám nếu sốt cao"
    second = _queue(org, v)
    first.refresh_from_db()
    assert first.state == OutboxState.SUPERSEDED
    jobs.deliver_pending()
    second.refresh_from_db()
    assert second.state == OutboxState.ACCEPTED
    assert _stats(receiving)["claim"]["versions"] == 1


@pytest.mark.parametrize("code", ["403", "123", "125", "400"])
def test_rejection_codes_stop_and_show_their_meaning(
    org, signer_27901, receiving, make_visit, code
):
    receiving.post(
        "/_control/faults", json={"mode": f"code:{code}", "endpoints": ["xml_claim"], "count": 1}
    )
    item = _deliver(_queue(org, make_visit()))
    assert item.state == OutboxState.REJECTED
    assert item.result_code == code
    assert item.last_error  # the meaning in Vietnamese
    # Not retried by itself:
    assert jobs.deliver_pending() == 0
    # Staff re-send after the portal-side problem is fixed:
    item = outbox.resend(item)
    assert item.state == OutboxState.WAITING
    item = _deliver(item)
    assert item.state == OutboxState.ACCEPTED


@pytest.mark.parametrize("mode", ["http500", "malformed", "success_wrapped_error"])
def test_server_errors_and_garbage_are_retried_with_backoff(
    org, signer_27901, receiving, make_visit, mode
):
    receiving.post("/_control/faults", json={"mode": mode, "endpoints": ["xml_claim"], "count": 1})
    item = _deliver(_queue(org, make_visit()))
    assert item.state == OutboxState.WAITING
    assert item.attempts == 1 and item.next_attempt_at is not None and item.last_error
    OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=None)
    item = _deliver(item)
    assert item.state == OutboxState.ACCEPTED
    assert _stats(receiving)["claim"]["accepted_visits"] == 1


@override_settings(KCB06_XML_TIMEOUT=1.0, KCB06_XML_MAX_ATTEMPTS=2)
def test_timeouts_end_in_failed_after_the_attempts_and_can_be_resent(
    org, signer_27901, receiving, make_visit
):
    receiving.post(
        "/_control/faults",
        json={"mode": "timeout", "timeout_seconds": 2, "endpoints": ["xml_claim"], "count": 2},
    )
    item = _deliver(_queue(org, make_visit()))
    assert item.state == OutboxState.WAITING and "timeout" in item.last_error
    OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=None)
    item = _deliver(item)
    assert item.state == OutboxState.FAILED
    item = _deliver(outbox.resend(item))
    assert item.state == OutboxState.ACCEPTED
    # The portal finished the timed-out requests after kcb06 gave up: it holds the visit once,
    # the repeats acknowledged as the same content.
    time.sleep(2.5)
    stats = _stats(receiving)["claim"]
    assert stats["accepted_visits"] == 1 and stats["ma_lk_with_two_current"] == 0


def test_without_certificate_nothing_is_sent_and_the_reason_is_shown(org, receiving, make_visit):
    signing.forget()
    item = _deliver(_queue(org, make_visit()))
    assert item.state == OutboxState.WAITING
    assert "chứng thư số" in item.last_error
    assert item.signed is None
    assert _stats(receiving)["claim"]["versions"] == 0


def test_certificate_of_another_facility_is_refused(org, receiving, make_visit):
    from kcb06.errors import DomainError
    from kcb06.interchange import certificates

    key, cert = certs.make_certificate("27902", "PKĐK khác")
    other = signing.Signer(key, cert)
    with pytest.raises(DomainError) as exc:
        certificates.register(org["facilities"]["27901"], other)
    assert exc.value.code == "certificate_other_facility"
    # Even installed directly in memory, an unregistered certificate does not sign.
    signing.install("27901", other)
    try:
        item = _deliver(_queue(org, make_visit()))
    finally:
        signing.forget()
    assert item.state == OutboxState.WAITING
    assert "không được đăng ký" in item.last_error
    assert _stats(receiving)["claim"]["versions"] == 0


def test_portal_refuses_a_certificate_it_does_not_know(org, signer_27901, receiving, make_visit):
    receiving.post("/_control/receiving/certificates/clear", json={"facility_code": "27901"})
    item = _deliver(_queue(org, make_visit()))
    assert item.state == OutboxState.REJECTED
    assert item.result_code == "125"


def test_invalid_visit_is_not_sent_and_says_which_field(org, signer_27901, receiving, make_visit):
    v = make_visit(main_icd="VIEM")
    item = _queue(org, v)
    assert item.state == OutboxState.INVALID
    assert any(e["field"] == "MA_BENH_CHINH" and e["message_vi"] for e in item.errors)
    assert jobs.deliver_pending() == 0
    assert _stats(receiving)["claim"]["versions"] == 0


def test_going_back_to_an_earlier_version_the_same_day_is_refused_as_older(
    org, signer_27901, receiving, make_visit
):
    """portalsim cannot tell a same-day return to earlier content from a late copy of the
    earlier file, so it keeps what it holds and says so (409); nothing is rolled back."""
    v = make_visit()
    a = _deliver(_queue(org, v))
    original = v.final_diagnosis
    v.final_diagnosis = "Chẩn đoán sửa nhầm"
    b = _deliver(_queue(org, v))
    assert (a.state, b.state) == (OutboxState.ACCEPTED, OutboxState.ACCEPTED)
    v.final_diagnosis = original  # corrected back
    again = _queue(org, v)
    assert again.pk == a.pk and again.state == OutboxState.WAITING and again.signed is None
    again = _deliver(again)
    assert again.state == OutboxState.REJECTED and again.result_code == "409"
    assert "phiên bản mới hơn" in again.last_error
    versions = receiving.get(f"/_control/receiving/stats?ma_lk={v.ma_lk}").json()["versions"]
    current = [x for x in versions if x["current"]]
    assert len(current) == 1 and current[0]["transaction_id"] == b.transaction_id


def test_a_batch_is_sent_together_and_every_answer_recorded(
    org, signer_27901, receiving, make_visit
):
    items = [_queue(org, make_visit()) for _ in range(6)]
    assert jobs.deliver_pending() == 6
    ids = set()
    for item in items:
        item.refresh_from_db()
        assert item.state == OutboxState.ACCEPTED, item.last_error
        assert item.signed and item.claimed_until is None and item.attempts == 1
        ids.add(item.transaction_id)
    assert len(ids) == 6
    assert _stats(receiving)["claim"]["accepted_visits"] == 6


def test_worker_killed_between_sending_and_recording_sends_again_once_held(
    org, signer_27901, receiving, make_visit
):
    item = _queue(org, make_visit())
    (claimed,) = jobs.claim()
    # The file reaches the portal, then the worker dies before recording the answer.
    lost = jobs.outcome(claimed, jobs.usable_signer(claimed.facility))
    assert lost["state"] == OutboxState.ACCEPTED
    item.refresh_from_db()
    assert item.state != OutboxState.ACCEPTED and item.claimed_until is not None
    assert jobs.deliver_pending() == 0  # still leased
    OutboxItem.objects.filter(pk=item.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )
    item = _deliver(item)
    assert item.state == OutboxState.ACCEPTED
    assert item.transaction_id == lost["transaction_id"]  # the portal's first receipt
    stats = _stats(receiving)["claim"]
    assert stats["versions"] == 1 and stats["repeats_acknowledged"] == 1
