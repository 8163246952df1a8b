"""The reconciliation list: who gets on it, the XLSX/CSV export, rows marked sent, audit."""

import csv
import io

from openpyxl import load_workbook

from kcb06.audit.models import AuditEntry
from kcb06.eligibility.models import ReconciliationEntry
from kcb06.eligibility.services import check_eligibility


def _seed(principal):
    p = principal("tiepdon")
    check_eligibility(
        p, id_number="027190000002", card_number="GD4272700000002",
        full_name="Trần Thị Dấu Demo", date_of_birth="1990-03-12", sex="female",
    )  # fmt: skip
    check_eligibility(
        p, card_number="GD4272700000060", full_name="Lưu Văn Đổi Demo", date_of_birth="1984-02-01"
    )
    # Same person twice the same day: one row.
    check_eligibility(
        p, card_number="GD4272700000060", full_name="Lưu Văn Đổi Demo", date_of_birth="1984-02-01"
    )


def test_invalid_and_mismatch_put_citizens_on_the_list_once_a_day(sim, principal):
    _seed(principal)
    rows = {e.person_key: e for e in ReconciliationEntry.objects.all()}
    assert set(rows) == {"027190000002", "GD4272700000060"}
    dau = rows["027190000002"]
    assert (dau.name_id_card, dau.name_insurance) == ("Trần Thị Dấu Demo", "Tran Thi Dau Demo")
    assert dau.kinds == "name_diacritics" and dau.card_number == "GD4272700000002"
    assert rows["GD4272700000060"].kinds == "portal"
    assert rows["GD4272700000060"].portal_code == "060"


def _export(client, fmt, mark=True, start="2000-01-01", end="2100-01-01"):
    data = {"start": start, "end": end, "fmt": fmt}
    if mark:
        data["mark_sent"] = "on"
    return client.post("/eligibility/reconciliation/", data)


def test_export_xlsx_marks_sent_and_is_audited(sim, principal, login):
    _seed(principal)
    client = login("quantri")
    page = client.get("/eligibility/reconciliation/?start=2000-01-01&end=2100-01-01")
    assert page.status_code == 200
    assert "Tran Thi Dau Demo" in page.content.decode()
    response = _export(client, "xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="doi-soat-27901-')
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("Số định danh cá nhân", "Họ tên trên CCCD", "Họ tên tại BHXH")
    body = {r[0] or r[7]: r for r in rows[1:]}
    assert body["027190000002"][1:3] == ("Trần Thị Dấu Demo", "Tran Thi Dau Demo")
    assert body["027190000002"][3:7] == ("12/03/1990", "12/03/1990", "Nữ", "Nữ")
    assert body["027190000002"][8] == "27901"
    assert body["027190000002"][10] == "Họ tên khác dấu"
    assert body["GD4272700000060"][11] == "060"
    assert ReconciliationEntry.objects.filter(sent_at=None).count() == 0
    assert set(ReconciliationEntry.objects.values_list("sent_by__username", flat=True)) == {
        "quantri"
    }
    audit = AuditEntry.objects.filter(action="export", object_type="reconciliation").get()
    assert audit.username == "quantri" and audit.detail["rows"] == 2


def test_export_csv_for_auditor_without_marking(sim, principal, login):
    _seed(principal)
    client = login("kiemtra")
    response = _export(client, "csv", mark=False)
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 3 and rows[0][0] == "Số định danh cá nhân"
    assert any(r[0] == "027190000002" and r[2] == "Tran Thi Dau Demo" for r in rows)
    assert ReconciliationEntry.objects.filter(sent_at=None).count() == 2
    assert AuditEntry.objects.filter(action="export", username="kiemtra").count() == 1
    # An auditor may not mark rows as sent.
    assert _export(client, "csv", mark=True).status_code == 200
    assert ReconciliationEntry.objects.filter(sent_at=None).count() == 2


def test_reconciliation_page_is_for_admins_and_auditors_only(sim, login):
    for user in ("tiepdon", "bacsi", "thungan", "soyte"):
        assert login(user).get("/eligibility/reconciliation/").status_code == 403


def test_other_facility_rows_are_not_shown(sim, principal, login):
    _seed(principal)
    check_eligibility(
        principal("tiepdon2"), card_number="GD4272700000060", full_name="Lưu Văn Đổi Demo",
        date_of_birth="1984-02-01",
    )  # fmt: skip
    response = _export(login("quantri"), "csv", mark=False)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3  # only 27901's two people


def test_bad_range_is_a_clear_error_not_a_file(sim, login):
    response = _export(login("quantri"), "csv", start="2030-01-02", end="2030-01-01")
    assert response.status_code == 200
    assert "Ngày bắt đầu phải trước" in response.content.decode()
    assert AuditEntry.objects.filter(action="export").count() == 0
