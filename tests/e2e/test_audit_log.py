"""The auditor's journeys through the audit log: find a patient's entries by ID number, filter,
read them as words, export the filtered log (itself audited)."""

import csv
import io
from datetime import date

from openpyxl import load_workbook

from tests.e2e.conftest import DESK

ID_NUMBER = "001190012345"


def _world(org):
    from kcb06.audit.services import Action, record
    from kcb06.facilities.services import principal_for_user
    from kcb06.patients.services import PersonData, create_with_identifiers

    lan = create_with_identifiers(
        PersonData("Nguyễn Thị Lan", date(1990, 3, 4), "female", id_number=ID_NUMBER)
    )
    bacsi = principal_for_user(org["users"]["bacsi"], via="session", ip="10.0.0.7")
    tiepdon = principal_for_user(org["users"]["tiepdon"], via="session", ip="10.0.0.5")
    record(
        tiepdon,
        Action.CREATE,
        object_type="visit",
        object_id=1,
        patient_id=lan.pk,
        purpose="check_in",
    )
    record(
        bacsi, Action.READ, object_type="healthbook", patient_id=lan.pk, purpose="khám chữa bệnh"
    )
    record(bacsi, Action.READ, object_type="patient", patient_id=None, purpose="người khác")
    return lan


def test_auditor_finds_a_patients_entries_by_id_number_and_exports_them(
    logged_in_page, e2e_org, screenshot, tmp_path
):
    _world(e2e_org)
    page = logged_in_page("kiemtra", DESK)
    page.goto(page.kcb06_url + "/audit/")
    page.select_option("#id_action", "read")
    page.focus("#id_patient")
    page.keyboard.type(ID_NUMBER)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    table = page.locator("[data-testid=audit-rows]")
    text = table.inner_text()
    assert "Nguyễn Thị Lan (********2345)" in text
    assert "Sổ sức khỏe" in text and "khám chữa bệnh" in text
    assert "Đợt khám" not in text  # a creation, filtered out by "Xem"
    assert "người khác" not in text
    assert ID_NUMBER not in page.url and page.url.endswith("/audit/")
    assert page.locator("#id_patient").input_value() == ID_NUMBER  # the filter stays on
    screenshot("audit-log-filtered-1366x768", page)

    with page.expect_download() as download:
        page.click("[data-testid=export-xlsx]")
    assert download.value.suggested_filename.endswith(".xlsx")
    path = tmp_path / "log.xlsx"
    download.value.save_as(path)
    rows = [[c.value for c in r] for r in load_workbook(path).active.iter_rows()]
    assert rows[0][:3] == ["Thời điểm", "Tài khoản", "Vai trò"]
    # The doctor's read, and the auditor's own look at Lan's entries a moment ago.
    assert [(r[1], r[3], r[4], r[5]) for r in rows[1:]] == [
        ("kiemtra", "Xem", "Nhật ký truy cập", "Nguyễn Thị Lan (********2345)"),
        ("bacsi", "Xem", "Sổ sức khỏe", "Nguyễn Thị Lan (********2345)"),
    ]

    with page.expect_download() as download:
        page.click("[data-testid=export-csv]")
    path = tmp_path / "log.csv"
    download.value.save_as(path)
    lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [line[4] for line in lines[1:]] == ["Nhật ký truy cập", "Sổ sức khỏe"]

    # The exports are in the log too, as the auditor's own actions.
    page.goto(page.kcb06_url + "/audit/")
    page.fill("#id_username", "kiemtra")
    page.select_option("#id_action", "export")
    with page.expect_navigation():
        page.click("[data-testid=audit-filter] button.primary")
    rows = page.locator("[data-testid=audit-rows] tbody tr")
    assert rows.count() == 2
    assert "Xuất" in rows.first.inner_text() and "Nhật ký truy cập" in rows.first.inner_text()
    assert "Nguyễn Thị Lan" in rows.first.inner_text()


def test_auditor_sees_a_clear_message_for_a_number_that_is_no_id(logged_in_page, e2e_org):
    page = logged_in_page("kiemtra", DESK)
    page.goto(page.kcb06_url + "/audit/")
    page.fill("#id_patient", "12345")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Nhập số CCCD 12 số, CMND 9 số hoặc họ tên" in page.inner_text("body")
