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
