"""The audit log page: auditors and facility admins see their own facility's entries only."""

from datetime import timedelta

from django.utils import timezone

from kcb06.audit.models import AuditEntry
from kcb06.audit.services import Action, record
from kcb06.facilities.services import principal_for_user


def _rows(response) -> str:
    body = response.content.decode()
    return body.split('data-testid="audit-rows"', 1)[1].split("</table>", 1)[0]


def test_filters_by_user_patient_and_date(login, org):
    bacsi = principal_for_user(org["users"]["bacsi"])
    tiepdon = principal_for_user(org["users"]["tiepdon"])
    record(bacsi, Action.READ, object_type="patient", patient_id=41, purpose="khám bệnh A")
    record(tiepdon, Action.UPDATE, object_type="patient", patient_id=42, purpose="sửa địa chỉ B")
    client = login("kiemtra")

    rows = _rows(client.get("/audit/", {"username": "bacsi"}))
    assert "khám bệnh A" in rows and "sửa địa chỉ B" not in rows

    rows = _rows(client.get("/audit/", {"patient": 42}))
    assert "sửa địa chỉ B" in rows and "khám bệnh A" not in rows

    today = timezone.localdate()
    rows = _rows(client.get("/audit/", {"date_from": today.isoformat()}))
    assert "khám bệnh A" in rows
    rows = _rows(client.get("/audit/", {"date_to": (today - timedelta(days=1)).isoformat()}))
    assert "khám bệnh A" not in rows


def test_never_shows_another_facilitys_entries(login, org):
    other = principal_for_user(org["users"]["tiepdon2"])  # facility 27903
    record(other, Action.READ, object_type="patient", patient_id=77, purpose="chỉ ở trạm 27903")
    for username in ("kiemtra", "quantri"):
        body = login(username).get("/audit/").content.decode()
        assert "chỉ ở trạm 27903" not in body


def test_viewing_the_log_is_itself_audited(login, org):
    login("kiemtra").get("/audit/", {"patient": 5})
    entry = AuditEntry.objects.filter(object_type="audit_log").get()
    assert entry.username == "kiemtra" and entry.patient_id == 5


def test_bad_filters_show_a_vietnamese_message(login, org):
    client = login("kiemtra")
    response = client.get("/audit/", {"date_from": "2025-02-02", "date_to": "2025-01-01"})
    assert response.status_code == 200
    assert "Ngày bắt đầu phải trước ngày kết thúc" in response.content.decode()
    response = client.get("/audit/", {"patient": "abc"})
    assert response.status_code == 200 and "field-error" in response.content.decode()


def test_other_roles_are_refused(login, org):
    for username in ("tiepdon", "bacsi", "thungan", "soyte"):
        assert login(username).get("/audit/").status_code == 403
