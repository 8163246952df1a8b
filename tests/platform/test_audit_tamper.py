"""Someone who can write to the database tampers with the audit trail: `verify` must say so.

Each test is one attack from the Trust issue, done as the attacker would (plain SQL, guard
lifted and put back afterwards to hide the tracks). Before the keyed MAC and the signed
checkpoints all three verified clean.
"""

import hashlib
import hmac

import pytest
from django.db import connection

from kcb06.audit.checkpoints import write as write_checkpoint
from kcb06.audit.models import AuditChainHead, AuditEntry
from kcb06.audit.services import Action, _message, record, verify
from kcb06.facilities.services import principal_for_user

TEST_KEY = "synthetic-test-audit-key-9f3c1e7a5b2d4c6e8a0b"


@pytest.fixture(autouse=True)
def _test_key(settings):
    settings.KCB06_AUDIT_KEY = TEST_KEY


@pytest.fixture
def clerk(org):
    return principal_for_user(org["users"]["tiepdon"], ip="10.0.0.5")


def _entries(principal, n: int) -> int:
    for i in range(n):
        entry = record(principal, Action.READ, object_type="patient", patient_id=i, purpose="khám")
    return entry.chain


def _sql(*statements):
    with connection.cursor() as cur:
        for sql, params in statements:
            cur.execute(sql, params)


def _lift_guard():
    if connection.vendor == "postgresql":
        _sql(("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_no_update", []))
    else:
        _sql(("DROP TRIGGER audit_no_update", []), ("DROP TRIGGER audit_no_delete", []))


def _restore_guard():
    from kcb06.audit.guard import ensure_append_only

    if connection.vendor == "postgresql":
        _sql(("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_no_update", []))
    else:
        ensure_append_only()


def test_deleting_the_newest_entry_and_rewinding_the_head_is_reported(clerk):
    chain = _entries(clerk, 5)
    write_checkpoint()
    newest = AuditEntry.objects.get(chain=chain, seq=5)
    before = AuditEntry.objects.get(chain=chain, seq=4)
    _lift_guard()
    _sql(
        ("DELETE FROM audit_auditentry WHERE id = %s", [newest.pk]),
        (
            "UPDATE audit_auditchainhead SET seq = 4, hash = %s, prev_hash = %s WHERE chain = %s",
            [before.hash, before.prev_hash, chain],
        ),
    )
    _restore_guard()
    report = verify()
    assert not report.ok
    assert report.kinds() == {"truncated"}
    assert report.problems[0]["chain"] == chain and report.problems[0]["last_seq"] == 4


def test_deleting_a_whole_chain_with_its_head_is_reported(clerk):
    chain = _entries(clerk, 220)
    write_checkpoint()
    _lift_guard()
    _sql(
        ("DELETE FROM audit_auditentry WHERE chain = %s", [chain]),
        ("DELETE FROM audit_auditchainhead WHERE chain = %s", [chain]),
    )
    _restore_guard()
    report = verify()
    assert not report.ok
    assert report.kinds() == {"chain_deleted"}


def _attacker_rechain(chain: int, from_seq: int, value) -> None:
    """Recompute every value from `from_seq` on, as the old verify() recomputed them."""
    rows = list(AuditEntry.objects.filter(chain=chain).order_by("seq"))
    prev = rows[from_seq - 2].hash if from_seq > 1 else "0" * 64
    for row in rows[from_seq - 1 :]:
        row.prev_hash = prev
        row.hash = value(prev, row)
        _sql(
            (
                "UPDATE audit_auditentry SET prev_hash = %s, hash = %s WHERE id = %s",
                [row.prev_hash, row.hash, row.pk],
            )
        )
        prev = row.hash
    last = rows[-1]
    _sql(
        (
            "UPDATE audit_auditchainhead SET hash = %s, prev_hash = %s WHERE chain = %s",
            [last.hash, last.prev_hash, chain],
        )
    )


def _plain_sha256(prev, row):
    return hashlib.sha256(_message(prev, row).encode()).hexdigest()


def _hmac_with_a_guessed_key(prev, row):
    return hmac.new(b"kcb06-demo-audit-key", _message(prev, row).encode(), "sha256").hexdigest()


@pytest.mark.parametrize("value", [_plain_sha256, _hmac_with_a_guessed_key])
@pytest.mark.parametrize("checkpointed", [False, True])
def test_rewriting_an_entry_and_recomputing_the_chain_is_reported(clerk, value, checkpointed):
    chain = _entries(clerk, 6)
    if checkpointed:
        write_checkpoint()
    target = AuditEntry.objects.get(chain=chain, seq=3)
    _lift_guard()
    _sql(("UPDATE audit_auditentry SET purpose = %s WHERE id = %s", ["không có gì", target.pk]))
    _attacker_rechain(chain, 3, value)
    _restore_guard()
    report = verify()
    assert not report.ok
    assert "altered" in report.kinds()
    assert {p["seq"] for p in report.problems if p["problem"] == "altered"} == {3, 4, 5, 6}
    if checkpointed:
        assert "rewritten" in report.kinds()


def test_a_forged_checkpoint_line_is_reported(clerk, settings):
    _entries(clerk, 2)
    write_checkpoint()
    with open(settings.KCB06_AUDIT_CHECKPOINT_FILE, "a") as fh:
        fh.write(
            '{"v":1,"kind":"restore","at":"2030-01-01T00:00:00.000000Z","chains":[],'
            '"sig":"' + "0" * 64 + '"}\n'
        )
    report = verify()
    assert report.kinds() == {"checkpoint_forged"}


def test_moving_the_mac_era_start_is_reported_once_checkpointed(clerk):
    chain = _entries(clerk, 3)
    write_checkpoint()
    _sql(("UPDATE audit_auditchainhead SET mac_from = 4 WHERE chain = %s", [chain]))
    assert "era_moved" in verify().kinds()


def test_a_dropped_guard_is_reported(clerk):
    _entries(clerk, 1)
    _lift_guard()
    assert verify().kinds() == {"guard_missing"}
    _restore_guard()
    assert verify().ok


def test_verify_under_another_key_fails(clerk, settings):
    """The key is what proves the entries: the same rows under another key do not verify."""
    _entries(clerk, 2)
    assert verify().ok
    settings.KCB06_AUDIT_KEY = "another-synthetic-audit-key-00000000000000"
    assert "altered" in verify().kinds()


def test_untouched_trail_verifies_with_checkpoints_and_after_more_entries(clerk):
    chain = _entries(clerk, 3)
    write_checkpoint()
    _entries(clerk, 2)
    report = verify()
    assert report.ok and report.warnings == [] and report.checkpoints == 1
    quick = verify(since_checkpoint=True)
    assert quick.ok and quick.entries == 3  # seq 3 (anchored by the checkpoint), 4 and 5
    assert AuditChainHead.objects.get(chain=chain).seq == 5


def test_without_a_checkpoint_verify_warns(clerk):
    _entries(clerk, 1)
    report = verify()
    assert report.ok and [w["warning"] for w in report.warnings] == ["no_checkpoint"]


def test_the_api_reports_tampering_of_the_callers_facility_without_server_paths(login, org):
    auditor = login("kiemtra")  # logging in is audited too: before the tampering
    chain = _entries(principal_for_user(org["users"]["kiemtra"]), 3)
    write_checkpoint()
    _lift_guard()
    _sql(
        ("DELETE FROM audit_auditentry WHERE chain = %s", [chain]),
        ("DELETE FROM audit_auditchainhead WHERE chain = %s", [chain]),
    )
    _restore_guard()
    body = auditor.get("/api/v1/audit/verify").json()
    assert body["ok"] is False
    assert [p["problem"] for p in body["problems"]] == ["chain_deleted"]
    assert "checkpoint" not in body["problems"][0] and "Cả chuỗi đã bị xóa." in str(body)
