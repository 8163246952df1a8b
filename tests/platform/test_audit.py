"""The audit trail is append-only and `kcb06 audit verify` notices any tampering."""

import pytest
from django.db import connection

from kcb06.audit.models import AuditEntry
from kcb06.audit.services import Action, read_personal, record, verify
from kcb06.facilities.services import principal_for_user


@pytest.fixture
def clerk(org):
    return principal_for_user(org["users"]["tiepdon"], ip="10.0.0.5")


def _drop_guard():
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_no_update")
        else:
            cur.execute("DROP TRIGGER audit_no_update")
            cur.execute("DROP TRIGGER audit_no_delete")


def test_entries_record_who_what_where_and_verify_clean(clerk):
    entry = record(
        clerk, Action.READ, object_type="patient", object_id=7, patient_id=7, purpose="khám bệnh"
    )
    assert entry.username == "tiepdon"
    assert entry.role == "reception"
    assert entry.facility_id == clerk.facility_id
    assert entry.ip == "10.0.0.5"
    assert verify().ok


def test_read_personal_audits_in_the_same_call(clerk):
    value = read_personal(
        clerk, lambda: {"name": "x"}, what="patient", patient_id=3, purpose="tra cứu"
    )
    assert value == {"name": "x"}
    assert AuditEntry.objects.filter(patient_id=3, action="read", purpose="tra cứu").count() == 1


def test_database_refuses_update_and_delete(clerk):
    record(clerk, Action.READ, object_type="patient", patient_id=1)
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.update(purpose="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all()._raw_delete(AuditEntry.objects.db)


@pytest.mark.parametrize("tamper", ["edit", "delete_middle", "delete_last"])
def test_verify_detects_tampering(clerk, tamper):
    for i in range(4):
        record(clerk, Action.READ, object_type="patient", patient_id=i, purpose="khám")
    assert verify().ok
    _drop_guard()
    rows = list(AuditEntry.objects.order_by("seq"))
    if tamper == "edit":
        AuditEntry.objects.filter(pk=rows[1].pk).update(purpose="sửa lén")
    elif tamper == "delete_middle":
        AuditEntry.objects.filter(pk=rows[1].pk)._raw_delete(AuditEntry.objects.db)
    else:
        AuditEntry.objects.filter(pk=rows[-1].pk)._raw_delete(AuditEntry.objects.db)
    report = verify()
    assert not report.ok
    assert report.problems


def test_login_is_audited(client, org):
    client.post("/login/", {"username": "bacsi", "password": "wrong"})
    client.post("/login/", {"username": "bacsi", "password": "demo"})
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "login" in actions and "login_failed" in actions


def test_second_and_later_entries_hash_vietnamese_text_and_detail_like_verify(clerk):
    """On PostgreSQL entries after a chain's first are hashed inside the database: the hash
    must be the one verify() recomputes in Python, for any text and detail."""
    for i in range(3):
        entry = record(
            clerk,
            Action.EXPORT,
            object_type="reconciliation",
            patient_id=i,
            purpose="Xuất danh sách đối chiếu — “ưu tiên” ✓",
            detail={"từ": "2026-11-01", "đến": "2026-11-23", "rows": i, "z": [1.5, None]},
        )
        assert entry.seq == i + 1 and len(entry.hash) == 64
    assert verify().ok


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's test database is in memory with table locks; production SQLite is a WAL "
    "file whose IMMEDIATE transactions queue writers (busy_timeout)",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_every_chain_whole(org):
    """Threads appending at once (as the web server's threads do) lose no entry and leave
    every chain verifiable."""
    import threading

    principal = principal_for_user(org["users"]["tiepdon"], via="session")
    errors = []

    def append(n):
        try:
            for i in range(n):
                record(principal, Action.READ, object_type="patient", patient_id=i, purpose="khám")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(15,)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditEntry.objects.filter(action="read", object_type="patient").count() == 90
    assert verify().ok
