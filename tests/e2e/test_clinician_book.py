"""The health book in Vietnamese, in Chromium (issue #16, health book): the entry form's ICD
field searches the Ministry's Vietnamese names ("tang huyet ap" finds I10), the same chronic
condition twice is refused, the diagnosis picked by "viêm họng" is written in Vietnamese in
the book, the printed book, the PDF and CHAN_DOAN_RV; the printed access list shows roles and
purposes in Vietnamese; the FHIR export names the person by ID and card numbers."""

import json
import shutil
import subprocess

from lxml import etree

from kcb06.audit.services import record
from kcb06.interchange.models import OutboxItem
from kcb06.patients.models import PatientIdentifier
from kcb06.visits.models import Visit
from tests.healthbook import factories as f


def test_vietnamese_icd10_chronic_flag_print_pdf_xml_and_fhir(
    e2e_org, logged_in_page, screenshot, tmp_path
):
    patient = f.patient("Cao Thị Tăng Áp")
    visit = f.visit(patient, reason="Đau họng, nhức đầu")
    Visit.objects.filter(pk=visit.pk).update(card_number="GD4797932241231")
    PatientIdentifier.objects.create(patient=patient, kind="id_number", value="001180054321")
    PatientIdentifier.objects.create(patient=patient, kind="bhyt_card", value="GD4797932241231")
    # The desk read the patient at check-in (reception records its purpose as a code word).
    record(
        f.principal(e2e_org, "tiepdon"),
        "read",
        object_type="patient",
        patient_id=patient.pk,
        purpose="check_in",
    )

    page = logged_in_page("bacsi")
    page.goto(page.kcb06_url + f"/healthbook/visits/{visit.pk}/")
    page.wait_for_selector("[data-testid=hb-summary]")

    # A chronic condition through the ICD search, no diacritics typed.
    page.select_option("[data-testid=entry-kind]", "chronic")
    page.locator("[data-testid=entry-code]").press_sequentially("tang huyet ap", delay=20)
    page.click("#icd-entry-results [data-icd-code='I10']")
    assert page.input_value("[data-testid=entry-code]") == "I10"
    assert page.input_value("[data-testid=entry-title]") == "Bệnh lý tăng huyết áp"
    page.click("[data-testid=entry-save]")
    page.locator("[data-testid=hb-summary]", has_text="Bệnh lý tăng huyết áp").wait_for()

    # The same condition again is flagged, nothing added.
    page.select_option("[data-testid=entry-kind]", "chronic")
    page.fill("[data-testid=entry-title]", "THA")
    page.fill("[data-testid=entry-code]", "I10")
    page.click("[data-testid=entry-save]")
    page.wait_for_selector("#entry-form .field-error")
    assert "đã có trong sổ" in page.inner_text("#entry-form")

    # Close the visit: "viêm họng" finds J02 / J02.9 in Vietnamese.
    page.click("[data-testid=close-visit]")
    page.locator("[data-testid=main-icd10]").press_sequentially("viêm họng", delay=20)
    results = page.locator("#icd-main-results")
    results.locator("[data-icd-code='J02.9']").wait_for()
    assert "Viêm họng cấp, không đặc hiệu" in results.inner_text()
    results.locator("[data-icd-code='J02.9']").click()
    page.fill("[data-testid=weight]", "57")
    page.fill("[data-testid=rx-0-code]", "40.9101")
    page.fill("[data-testid=rx-0-drug]", "Paracetamol")
    page.fill("[data-testid=rx-0-dose]", "1 viên × 3 lần/ngày")
    page.fill("[data-testid=rx-0-quantity]", "10")
    page.fill("[data-testid=rx-0-price]", "500")
    page.click("[data-testid=close-submit]")
    page.wait_for_selector("[data-testid=timeline]")
    assert "Viêm họng cấp, không đặc hiệu" in page.inner_text("[data-testid=timeline]")

    # The claim's CHAN_DOAN_RV is Vietnamese.
    item = OutboxItem.objects.get(visit=visit, kind="claim")
    xml1 = etree.fromstring(item.tables["XML1"].encode())
    assert xml1.findtext("CHAN_DOAN_RV") == "J02.9 Viêm họng cấp, không đặc hiệu"

    # FHIR export: whose book it is.
    resp = page.request.get(page.kcb06_url + f"/api/v1/patients/{patient.pk}/healthbook")
    resource = json.loads(resp.text())["entry"][0]["resource"]
    systems = {i["system"]: i["value"] for i in resource["identifier"]}
    assert systems["urn:kcb06:vn:personal-id"] == "001180054321"
    assert systems["urn:kcb06:vn:bhyt-card"] == "GD4797932241231"

    # The printed book: Vietnamese diagnosis, roles and purposes.
    page.goto(page.url.split("#")[0] + "print/")
    text = page.inner_text("body")
    assert "Viêm họng cấp, không đặc hiệu" in text and "Bệnh lý tăng huyết áp" in text
    access = page.inner_text("[data-testid=access-list]")
    assert "(Bác sĩ)" in access and "(clinician)" not in access
    assert "(Tiếp đón)" in access and "tiếp đón khám bệnh" in access and "check_in" not in access
    screenshot("clinician-print-vi", page, full_page=True)

    # The citizen's PDF says the same.
    pdf = page.request.get(page.url.replace("/print/", "/pdf/"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    if shutil.which("pdftotext"):
        path = tmp_path / "book.pdf"
        path.write_bytes(pdf.body())
        out = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        words = " ".join(out.split())
        assert "Viêm họng cấp, không đặc hiệu" in words
        assert "(Bác sĩ)" in words and "tiếp đón khám bệnh" in words
