"""The portal client against a misbehaving portalsim: tokens, deadline, breaker, cache, faults,
and no credential in logs. Portal calls are counted by portalsim, never by mocking."""

import logging
import time

import pytest

from kcb06.bhxh import client
from kcb06.bhxh.models import PortalToken
from kcb06.eligibility.models import EligibilityCheck
from kcb06.eligibility.services import check_eligibility

VALID = {
    "card_number": "HC4272700000000",
    "full_name": "Nguyễn Văn Hợp Lệ Demo",
    "date_of_birth": "1985-08-15",
}
EXPIRED = {
    "card_number": "GD4272700000010",
    "full_name": "Bùi Văn Hết Hạn Demo",
    "date_of_birth": "1970-09-09",
}


def test_token_is_reused_then_renewed_before_expiry(sim, principal, settings):
    p = principal()
    check_eligibility(p, **VALID)
    check_eligibility(p, **EXPIRED)
    assert sim.calls("token") == 1 and sim.calls("card_check") == 2
    row = PortalToken.objects.get(username="27901_BV")
    assert row.expires_at > row.obtained_at
    # The token now counts as "about to expire": kcb06 renews it without waiting for a 401.
    settings.KCB06_PORTAL_TOKEN_MARGIN = 10**7
    assert check_eligibility(p, **EXPIRED).portal_code == "010"
    assert sim.calls("token") == 2 and sim.calls("card_check") == 3


def test_shared_token_row_is_used_by_another_process(sim, principal):
    check_eligibility(principal(), **EXPIRED)
    client.forget_tokens()  # as if a second kcb06 process asked next
    check_eligibility(principal(), **EXPIRED)
    assert sim.calls("token") == 1


def test_401_after_token_expiry_logs_in_again_once(sim, principal):
    p = principal()
    check_eligibility(p, **EXPIRED)
    sim.expire_tokens()
    verdict = check_eligibility(p, **EXPIRED)
    assert verdict.portal_code == "010"
    assert sim.calls("token") == 2 and sim.calls("card_check") == 3


def test_wrong_portal_password_is_unverified_for_it(sim, principal, monkeypatch):
    monkeypatch.setenv("KCB06_PORTAL_PASSWORD_27901", "not-the-password")
    verdict = check_eligibility(principal(), **VALID)
    assert verdict.outcome == "unverified" and verdict.portal_code is None
    assert "từ chối tài khoản" in verdict.reason_vi and "CNTT" in verdict.next_step_vi


def test_missing_portal_password_is_unverified_not_configured(sim, principal, monkeypatch):
    monkeypatch.delenv("KCB06_PORTAL_PASSWORD", raising=False)
    monkeypatch.delenv("KCB06_PORTAL_PASSWORD_27901", raising=False)
    verdict = check_eligibility(principal(), **VALID)
    assert verdict.outcome == "unverified" and "chưa cấu hình" in verdict.reason_vi
    assert sim.calls("card_check") == 0


def test_deadline_caps_a_hanging_portal(sim, principal, settings):
    settings.KCB06_PORTAL_TIMEOUT = 0.5
    sim.fault(scope="global", mode="timeout", timeout_seconds=5)
    # The portal would answer "valid" after 5 s: an unverified "too slow" verdict proves the
    # deadline cut the wait (asserting on outcomes, not on wall-clock time).
    verdict = check_eligibility(principal(), **VALID)
    assert verdict.outcome == "unverified" and verdict.pending
    assert "không trả lời kịp" in verdict.reason_vi


def test_deadline_covers_token_and_check_together(sim, principal, settings):
    settings.KCB06_PORTAL_TIMEOUT = 0.6
    sim.fault(scope="global", latency_ms=400, endpoints=["token", "card_check"])
    # Each step alone fits in 0.6 s; only a deadline over both together gives up.
    verdict = check_eligibility(principal(), **VALID)
    assert verdict.outcome == "unverified"


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        ("http500", "Cổng BHXH đang lỗi"),
        ("malformed", "không đọc được"),
        ("success_wrapped_error", "báo thành công nhưng không có kết quả"),
        ("rate_limit", "quá tải"),
    ],
)
def test_broken_answers_are_unverified_and_pending(sim, principal, mode, words):
    sim.fault(scope="HC4272700000000", mode=mode)
    verdict = check_eligibility(principal(), **VALID)
    assert verdict.outcome == "unverified" and verdict.pending
    assert words in verdict.reason_vi
    assert EligibilityCheck.objects.get(pk=verdict.check_id).status == "pending"


def test_portal_down_connection_refused(sim, principal, settings):
    from tests.conftest import free_port

    settings.KCB06_PORTAL_URL = f"http://127.0.0.1:{free_port()}"
    verdict = check_eligibility(principal(), **VALID)
    assert verdict.outcome == "unverified" and "Không kết nối được" in verdict.reason_vi


def test_breaker_opens_answers_at_once_then_probes(sim, principal, settings):
    settings.KCB06_PORTAL_TIMEOUT = 0.3
    settings.KCB06_PORTAL_BREAKER_FAILURES = 2
    settings.KCB06_PORTAL_BREAKER_SECONDS = 0.5
    p = principal()
    check_eligibility(p, **EXPIRED)  # log in while the portal is healthy
    sim.fault(scope="global", mode="timeout", timeout_seconds=3)
    for _ in range(2):
        assert check_eligibility(p, **VALID).outcome == "unverified"
    calls = sim.calls("card_check")
    verdict = check_eligibility(p, **VALID)
    assert verdict.outcome == "unverified" and "gián đoạn" in verdict.reason_vi
    assert sim.calls("card_check") == calls  # the portal was not even asked
    sim.reset()
    time.sleep(0.6)  # half-open: one probe goes through and closes the breaker
    assert check_eligibility(p, **VALID).outcome == "valid"
    assert not client.breaker().is_open


def test_cache_hit_costs_no_portal_call(sim, principal):
    p = principal()
    first = check_eligibility(p, **VALID, sex="male")
    assert first.outcome == "valid" and not first.from_cache
    calls = sim.calls("card_check")
    second = check_eligibility(p, **VALID, sex="male")
    assert second.from_cache and second.outcome == "valid"
    assert second.check_id == first.check_id
    assert second.card == first.card
    assert sim.calls("card_check") == calls
    # Another name for the same card is a new question.
    check_eligibility(
        p, card_number=VALID["card_number"], full_name="Người Khác", date_of_birth="1985-08-15"
    )
    assert sim.calls("card_check") == calls + 1


def test_verdict_asked_by_id_number_serves_the_card_it_named(sim, principal):
    """A patient scanned by chip card this morning (asked by ID number) comes back to a second
    department; kcb06 now knows the card too. The morning's verdict named that card: no second
    portal call. A different card is a different question."""
    p = principal()
    by_id = {k: v for k, v in VALID.items() if k != "card_number"}
    first = check_eligibility(p, **by_id, id_number="027085000001")
    assert first.outcome == "valid" and first.card.card_number == VALID["card_number"]
    second = check_eligibility(p, **VALID, id_number="027085000001")
    assert second.from_cache and second.check_id == first.check_id
    assert sim.calls("card_check") == 1
    other = check_eligibility(
        p, **{**VALID, "card_number": "HC4272799999999"}, id_number="027085000001"
    )
    assert not other.from_cache and sim.calls("card_check") == 2


def test_committed_valid_verdict_is_served_from_memory_and_still_audited(
    sim, principal, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kcb06.audit.models import AuditEntry

    p = principal()
    with django_capture_on_commit_callbacks(execute=True):
        first = check_eligibility(p, **VALID)
    audited = AuditEntry.objects.filter(purpose="bhyt_eligibility").count()
    with CaptureQueriesContext(connection) as queries:
        second = check_eligibility(p, **VALID)
    assert second.from_cache and second.check_id == first.check_id
    assert not any("eligibility_eligibilitycheck" in q["sql"] for q in queries.captured_queries)
    assert AuditEntry.objects.filter(purpose="bhyt_eligibility").count() == audited + 1
    assert sim.calls("card_check") == 1


def test_verdict_found_in_the_database_is_remembered_after_commit(
    sim, principal, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    p = principal()
    first = check_eligibility(p, **VALID)  # stored, but its commit is not seen here
    with django_capture_on_commit_callbacks(execute=True):
        second = check_eligibility(p, **VALID)  # found in the database
    with CaptureQueriesContext(connection) as queries:
        third = check_eligibility(p, **VALID)
    assert second.from_cache and third.from_cache
    assert first.check_id == second.check_id == third.check_id
    assert not any("eligibility_eligibilitycheck" in q["sql"] for q in queries.captured_queries)
    assert sim.calls("card_check") == 1


def test_rolled_back_check_leaves_no_verdict_in_memory(
    sim, principal, django_capture_on_commit_callbacks
):
    from django.db import transaction

    p = principal()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            check_eligibility(p, **VALID)
            raise RuntimeError("the check-in around it failed")
    again = check_eligibility(p, **VALID)
    assert not again.from_cache and sim.calls("card_check") == 2


def test_memory_keeps_the_window_and_a_bound():
    from datetime import UTC, date, datetime, timedelta

    from kcb06.eligibility import daycache

    now = datetime.now(UTC)
    key = (1, "HC4272700000000", date.today(), "nguyen van a", date(1985, 8, 15))
    daycache.put(key, daycache.CachedCheck(7, "000", {}, now - timedelta(hours=2)))
    assert daycache.get(key, since=now - timedelta(hours=3)).pk == 7
    assert daycache.get(key, since=now - timedelta(hours=1)) is None  # outside the window
    for i in range(daycache.MAX_ENTRIES + 5):
        daycache.put(
            (1, str(i), date.today(), "x", date(1985, 8, 15)),
            daycache.CachedCheck(i, "000", {}, now),
        )
    assert (
        daycache.get((1, "0", date.today(), "x", date(1985, 8, 15)), now) is None
    )  # oldest dropped
    assert daycache.get((1, "5", date.today(), "x", date(1985, 8, 15)), now).pk == 5


def test_cache_is_per_facility(sim, principal):
    check_eligibility(principal("tiepdon"), **VALID)
    check_eligibility(principal("tiepdon2"), **VALID)
    assert sim.calls("card_check") == 2


def test_cache_can_be_turned_off(sim, principal, settings):
    settings.KCB06_ELIGIBILITY_CACHE_HOURS = 0
    check_eligibility(principal(), **VALID)
    check_eligibility(principal(), **VALID)
    assert sim.calls("card_check") == 2


def test_invalid_and_unverified_are_never_cached(sim, principal):
    p = principal()
    check_eligibility(p, **EXPIRED)
    again = check_eligibility(p, **EXPIRED)
    assert not again.from_cache and sim.calls("card_check") == 2
    sim.fault(scope="HC4272700000000", mode="http500", count=1)
    assert check_eligibility(p, **VALID).outcome == "unverified"
    assert check_eligibility(p, **VALID).outcome == "valid"
    assert sim.calls("card_check") == 4


def test_no_credentials_in_logs(sim, principal, caplog, monkeypatch):
    monkeypatch.setenv("KCB06_PORTAL_PASSWORD_27901", "wrong-secret-pw")
    caplog.set_level(logging.DEBUG)
    check_eligibility(principal(), **VALID)
    monkeypatch.delenv("KCB06_PORTAL_PASSWORD_27901")
    client.reset_breakers()
    sim.fault(scope="global", mode="http500")
    check_eligibility(principal(), **VALID)
    sim.reset()
    client.forget_tokens()
    check_eligibility(principal(), **VALID)
    row = PortalToken.objects.get(username="27901_BV")
    secrets = [
        row.access_token,
        row.id_token,
        "wrong-secret-pw",
        client.md5_upper("wrong-secret-pw"),
        client.md5_upper("demo-portal"),
        "demo-portal",
    ]
    text = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert "portal card check failed" in text  # the failures were logged...
    for secret in secrets:
        assert secret not in text  # ...without credentials
    assert "KQNhanLichSuKCB2024?" not in text
