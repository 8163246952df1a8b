"""Catalogues in Chromium: the facility admin imports a drug list and sees what changes before
confirming; the clinician picks a drug from the catalogue by typing its name without
diacritics, and the line carries the catalogue's code, tender data and price (issue #19)."""

from kcb06.catalogue import demo as catalogue_demo
from kcb06.catalogue.models import Drug
from kcb06.healthbook.models import Prescription
from kcb06.interchange.models import OutboxItem
from tests.catalogue.files import DRUG_HEADER, drug, xlsx
from tests.healthbook import factories as f


def test_admin_import_shows_the_changes_before_confirming(
    e2e_org, logged_in_page, screenshot, tmp_path
):
    first = tmp_path / "danh-muc-thuoc.xlsx"
    first.write_bytes(
        xlsx(DRUG_HEADER, [drug("40.1", "Paracetamol", 1200), drug("40.2", "Vitamin C", 300)])
    )
    page = logged_in_page("quantri")
    page.goto(page.kcb06_url + "/catalogue/")
    page.select_option("[data-testid=import-catalogue]", "drugs")
    page.set_input_files("[data-testid=import-file]", str(first))
    page.click("[data-testid=import-submit]")
    page.wait_for_selector("[data-testid=diff-summary]")
    assert "Thêm 2" in page.inner_text("[data-testid=diff-summary]")
    assert "Paracetamol" in page.inner_text("[data-testid=diff-added]")
    assert not Drug.objects.exists()  # nothing until confirmed
    page.click("[data-testid=import-confirm]")
    page.wait_for_selector("[data-testid=catalogue-rows]")
    assert "Đã cập nhật danh mục thuốc: thêm 2" in page.inner_text("main")

    # A new price and a drug dropped: shown as changed and retired; a bad file is explained.
    second = tmp_path / "thuoc-moi.xlsx"
    second.write_bytes(xlsx(DRUG_HEADER, [drug("40.1", "Paracetamol", 1350)]))
    page.goto(page.kcb06_url + "/catalogue/")
    page.select_option("[data-testid=import-catalogue]", "drugs")
    page.set_input_files("[data-testid=import-file]", str(second))
    page.click("[data-testid=import-submit]")
    page.wait_for_selector("[data-testid=diff-changed]")
    changed = page.inner_text("[data-testid=diff-changed]")
    assert "DON_GIA: 1.200 → 1.350" in changed
    assert "Vitamin C" in page.inner_text("[data-testid=diff-retired]")
    screenshot("catalogue-import-preview", page, full_page=True)
    page.click("[data-testid=import-discard]")
    page.wait_for_selector("[data-testid=import-form]")
    assert Drug.objects.get(name="Paracetamol").price == 1200

    bad = tmp_path / "sai.xlsx"
    bad.write_bytes(xlsx(DRUG_HEADER, [drug("40.1", "Paracetamol", -1)]))
    page.set_input_files("[data-testid=import-file]", str(bad))
    page.click("[data-testid=import-submit]")
    page.wait_for_selector("[data-testid=row-errors]")
    assert "Dòng 2" in page.inner_text("[data-testid=row-errors]")
    assert "không được âm" in page.inner_text("[data-testid=row-errors]")


def test_clinician_picks_a_drug_from_the_catalogue(e2e_org, logged_in_page, screenshot):
    catalogue_demo.seed()
    visit = f.visit(f.patient("Đào Thị Chọn Thuốc"), reason="Viêm kết mạc")
    page = logged_in_page("bacsi")
    page.goto(page.kcb06_url + f"/healthbook/visits/{visit.pk}/close/")
    page.fill("[data-testid=main-icd10]", "H10.9")
    page.locator("[data-testid=rx-0-drug]").press_sequentially("natri clorid", delay=20)
    page.wait_for_selector("[data-testid=catalogue-results]")
    page.click("[data-testid=catalogue-results] [data-cat-code='40.9007']")
    assert page.input_value("[data-testid=rx-0-code]") == "40.9007"
    assert page.input_value("[data-testid=rx-0-drug]") == "Natri clorid 0,9%"
    assert page.input_value("[data-testid=rx-0-price]") == "3200"
    page.fill("[data-testid=rx-0-dose]", "Nhỏ mắt 4 lần/ngày")
    page.fill("[data-testid=rx-0-quantity]", "1")
    # A second line typed as free text: a note, not billed.
    page.fill("[data-testid=rx-1-drug]", "Nước muối tự pha")
    page.fill("[data-testid=rx-1-dose]", "Rửa mắt")
    page.fill("[data-testid=weight]", "50")
    screenshot("catalogue-clinician-pick", page, full_page=True)
    page.click("[data-testid=close-submit]")
    page.wait_for_selector("[data-testid=timeline]")
    line = Prescription.objects.get(visit=visit, drug_code="40.9007")
    assert line.unit_price == 3200 and line.tender == "1021/QĐ-SYT;G3;N5;2025"
    assert line.registration == "VD-90007-23" and line.billable
    assert not Prescription.objects.get(visit=visit, drug_name="Nước muối tự pha").billable
    xml2 = OutboxItem.objects.get(visit=visit, kind="claim").tables["XML2"]
    assert "<TT_THAU>1021/QĐ-SYT;G3;N5;2025</TT_THAU>" in xml2 and "Nước muối" not in xml2
