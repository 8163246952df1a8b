"""The audit log page: auditors and facility admins see their own facility's entries only, in
Vietnamese words, the patient by name and masked ID number; filters travel by POST."""

import csv
import io
from datetime import date, timedelta

from django.utils import timezone
from openpyxl import load_workbook

from kcb06.audit.models import AuditEntry
from kcb06.audit.services import Action, record
from kcb06.facilities.services import principal_for_user
from kcb06.patients.services import PersonData, create_with_identifiers

ID_NUMBER = "001190012345"


def _rows(response) -> str:
    body = response.content.decode()
    return body.split('data-testid="audit-rows"', 1)[1].split("</table>", 1)[0]


def _patient(name="Nguyễn Thị Lan", id_number=ID_NUMBER):
    return create_with_identifiers(
        PersonData(
            full_name=name, date_of_birth=date(1990, 3, 4), sex="female", id_number=id_number
        )
    )


def test_filters_by_user_patient_and_date(login, org):
    bacsi = principal_for_user(org["users"]["bacsi"])
    tiepdon = principal_for_user(org["users"]["tiepdon"])
    lan = _patient()
    other = _patient("Trần Văn Bình", "079085001111")
    record(bacsi, Action.READ, object_type="patient", patient_id=other.pk, purpose="khám bệnh A")
    record(
        tiepdon, Action.UPDATE, object_type="patient", patient_id=lan.pk, purpose="sửa địa chỉ B"
    )
    client = login("kiemtra")

    rows = _rows(client.post("/audit/", {"username": "bacsi"}))
    assert "khám bệnh A" in rows and "sửa địa chỉ B" not in rows

    rows = _rows(client.post("/audit/", {"patient": ID_NUMBER}))
    assert "sửa địa chỉ B" in rows and "khám bệnh A" not in rows
    rows = _rows(client.post("/audit/", {"patient": "nguyen thi lan"}))  # diacritics optional
    assert "sửa địa chỉ B" in rows and "khám bệnh A" not in rows

    rows = _rows(client.post("/audit/", {"action": "update"}))
    assert "sửa địa chỉ B" in rows and "khám bệnh A" not in rows

    today = timezone.localdate()
    rows = _rows(client.post("/audit/", {"date_from": today.isoformat()}))
    assert "khám bệnh A" in rows
    rows = _rows(client.post("/audit/", {"date_to": (today - timedelta(days=1)).isoformat()}))
    assert "khám bệnh A" not in rows


def test_rows_read_as_words_with_the_patient_by_name_and_masked_id(login, org):
    lan = _patient()
    clerk = principal_for_user(org["users"]["tiepdon"], via="session")
    record(
        clerk,
        Action.CREATE,
        object_type="visit",
        object_id=9,
        patient_id=lan.pk,
        purpose="check_in",
    )
    rows = _rows(login("kiemtra").get("/audit/"))
    assert "Nguyễn Thị Lan (********2345)" in rows
    assert ID_NUMBER not in rows
    for words in ("Tạo", "Đợt khám #9", "Tiếp đón, đăng ký khám", "trình duyệt", "Tiếp đón"):
        assert words in rows
    assert "check_in" not in rows and ">create<" not in rows


def test_searching_by_id_number_keeps_the_number_out_of_the_url_and_the_trail(login, org):
    _patient()
    client = login("kiemtra")
    response = client.post("/audit/", {"patient": ID_NUMBER})
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == "/audit/" and not response.request.get("QUERY_STRING")
    entry = AuditEntry.objects.filter(object_type="audit_log").get()
    assert ID_NUMBER not in str(entry.detail) and entry.detail["patient_by"] == "id_number"
    assert entry.patient_id is not None
    # The page's links and form never carry it either.
    assert f"?patient={ID_NUMBER}" not in response.content.decode()


def test_never_shows_another_facilitys_entries(login, org):
    other = principal_for_user(org["users"]["tiepdon2"])  # facility 27903
    record(other, Action.READ, object_type="patient", patient_id=77, purpose="chỉ ở trạm 27903")
    for username in ("kiemtra", "quantri"):
        body = login(username).get("/audit/").content.decode()
        assert "chỉ ở trạm 27903" not in body
        export = login(username).post("/audit/", {"export": "csv"}).content.decode("utf-8-sig")
        assert "chỉ ở trạm 27903" not in export


def test_viewing_the_log_is_itself_audited(login, org):
    lan = _patient()
    login("kiemtra").post("/audit/", {"patient": "Nguyễn Thị Lan"})
    entry = AuditEntry.objects.filter(object_type="audit_log").get()
    assert entry.username == "kiemtra" and entry.patient_id == lan.pk
    assert entry.detail == {"patient_by": "name", "patients_found": 1}


def test_export_csv_and_xlsx_of_the_filtered_log_is_audited(login, org):
    bacsi = principal_for_user(org["users"]["bacsi"])
    lan = _patient()
    record(
        bacsi, Action.READ, object_type="healthbook", patient_id=lan.pk, purpose="khám chữa bệnh"
    )
    record(bacsi, Action.UPDATE, object_type="patient", patient_id=lan.pk, purpose="sửa địa chỉ")
    client = login("kiemtra")

    response = client.post("/audit/", {"action": "read", "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Thời điểm", "Tài khoản", "Vai trò", "Hành động"]
    assert [r[4] for r in rows[1:]] == ["Sổ sức khỏe"]  # only the filtered read
    assert rows[1][5] == "Nguyễn Thị Lan (********2345)"

    response = client.post("/audit/", {"username": "bacsi", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Thời điểm" and len(values) == 3
    assert {v[3] for v in values[1:]} == {"Xem", "Sửa"}

    exports = AuditEntry.objects.filter(object_type="audit_log", action="export").order_by("seq")
    assert [(e.detail["format"], e.detail["rows"]) for e in exports] == [("csv", 1), ("xlsx", 2)]
    assert exports[0].detail["action"] == "read" and exports[1].detail["username"] == "bacsi"


def test_bad_filters_show_a_vietnamese_message(login, org):
    client = login("kiemtra")
    response = client.post("/audit/", {"date_from": "2025-02-02", "date_to": "2025-01-01"})
    assert response.status_code == 200
    assert "Ngày bắt đầu phải trước ngày kết thúc" in response.content.decode()
    response = client.post("/audit/", {"patient": "12345"})
    assert response.status_code == 200
    assert "Nhập số CCCD 12 số, CMND 9 số hoặc họ tên" in response.content.decode()


def test_other_roles_are_refused(login, org):
    for username in ("tiepdon", "bacsi", "thungan", "soyte"):
        assert login(username).get("/audit/").status_code == 403
        assert login(username).post("/audit/", {"export": "csv"}).status_code == 403


def test_exported_text_never_runs_as_a_spreadsheet_formula(login, org):
    """Free text in the trail (a purpose, a user name typed at a failed login) stays text."""
    bacsi = principal_for_user(org["users"]["bacsi"])
    record(bacsi, Action.READ, object_type="patient", purpose="=1+2")
    response = login("kiemtra").post("/audit/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    purposes = [row[6].value for row in sheet.iter_rows(min_row=2)]
    assert "'=1+2" in purposes
    assert all(r[6].data_type == "s" for r in sheet.iter_rows(min_row=2) if r[6].value)
