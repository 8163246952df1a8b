"""Health book in Chromium: a clinician opens a checked-in patient's book, adds an allergy,
closes the visit with two ICD-10 codes and a follow-up date; the printed book and the FHIR
export show them and the access list shows the reads. A clinician of another facility cannot
open the book."""

import json
from datetime import timedelta

from django.utils import timezone

from tests.healthbook import factories as f


def test_clinician_book_allergy_close_print_fhir(e2e_org, logged_in_page, screenshot):
    from kcb06.healthbook import icd10

    icd10.import_rows([("J06.9", "Nhiễm trùng hô hấp trên cấp, không đặc hiệu")])
    patient = f.patient("Hoàng Thị Trình Duyệt")
    f.visit(patient, reason="Sốt, đau họng")
    follow = timezone.localdate() + timedelta(days=14)

    page = logged_in_page("bacsi")
    page.goto(page.kcb06_url + "/healthbook/")
    page.click("text=Hoàng Thị Trình Duyệt")
    page.wait_for_selector("[data-testid=hb-summary]")
    assert "Chưa ghi nhận dị ứng" in page.inner_text("[data-testid=hb-summary]")

    # Add an allergy (htmx): an empty substance is refused next to the field first.
    page.select_option("[data-testid=entry-kind]", "allergy")
    page.select_option("[data-testid=entry-severity]", "severe")
    page.click("[data-testid=entry-save]")
    page.wait_for_selector("#entry-form .field-error")
    assert "Cần ghi chất gây dị ứng" in page.inner_text("#entry-form")
    page.fill("[data-testid=entry-title]", "Penicillin")
    page.fill("[data-testid=entry-reaction]", "Sốc phản vệ")
    page.click("[data-testid=entry-save]")
    page.wait_for_selector("[data-testid=summary-allergies]")
    assert "Penicillin" in page.inner_text("[data-testid=summary-allergies]")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot("healthbook-book", page)

    # Close the visit: main code through the search (no diacritics), secondary code typed.
    page.click("[data-testid=close-visit]")
    page.locator("[data-testid=main-icd10]").press_sequentially("nhiem trung ho hap", delay=20)
    page.click("[data-icd-code='J06.9']")
    assert page.input_value("[data-testid=main-icd10]") == "J06.9"
    page.fill("[data-testid=secondary-icd10-0]", "I10")
    page.fill("[data-testid=treatment-summary]", "Hạ sốt, súc họng.")
    page.fill("[data-testid=rx-0-drug]", "Paracetamol")
    page.fill("[data-testid=rx-0-days]", "5")
    page.click("[data-testid=close-submit]")
    # No dose: refused next to the field, nothing saved.
    page.wait_for_selector("[data-testid=close-errors]")
    assert "cần ghi liều dùng" in page.inner_text("form.hb-close")
    page.fill("[data-testid=rx-0-dose]", "1 viên × 3 lần/ngày")
    page.fill("[data-testid=rx-0-quantity]", "15")
    page.fill("[data-testid=rx-0-price]", "500")
    page.fill("[data-testid=weight]", "54")
    page.fill("[data-testid=follow-up]", follow.isoformat())
    screenshot("healthbook-close", page)
    page.click("[data-testid=close-submit]")
    page.wait_for_selector("[data-testid=timeline]")
    timeline = page.inner_text("[data-testid=timeline]")
    assert "J06.9" in timeline and "I10" in timeline and follow.strftime("%d/%m/%Y") in timeline

    # FHIR export from the same session.
    resp = page.request.get(page.kcb06_url + f"/api/v1/patients/{patient.pk}/healthbook")
    assert resp.status == 200 and resp.headers["content-type"].startswith("application/fhir+json")
    bundle = json.loads(resp.text())
    resources = [e["resource"] for e in bundle["entry"]]
    codes = {
        r["code"]["coding"][0]["code"]
        for r in resources
        if r["resourceType"] == "Condition" and "coding" in r["code"]
    }
    assert {"J06.9", "I10"} <= codes
    assert any(
        r["resourceType"] == "AllergyIntolerance" and r["code"]["text"] == "Penicillin"
        for r in resources
    )
    assert any(
        x.get("valueDate") == follow.isoformat()
        for r in resources
        if r["resourceType"] == "Encounter"
        for x in r.get("extension", [])
    )

    # The printed book shows all of it and the access list shows those reads.
    page.goto(page.url.split("#")[0] + "print/")
    text = page.inner_text("body")
    assert "Penicillin" in text and "J06.9" in text and "I10" in text
    assert follow.strftime("%d/%m/%Y") in text
    access = page.inner_text("[data-testid=access-list]")
    assert "Trần Văn Bác Sĩ" in access and "xuất sổ sức khỏe (FHIR)" in access
    screenshot("healthbook-print", page, full_page=True)


def test_clinician_of_another_facility_cannot_open_the_book(e2e_org, logged_in_page, new_page):
    from kcb06.healthbook import services

    patient = f.patient("Vương Thị Nơi Khác", "27901")
    f.visit(patient)
    token = services.book_of(patient).token
    user = f.clinician_at(e2e_org, "27903")
    user.set_password("demo")
    user.save()
    page = logged_in_page(user.username)
    resp = page.goto(page.kcb06_url + f"/healthbook/b/{token}/")
    assert resp.status == 403
    body = page.inner_text("body")
    assert "Vương Thị Nơi Khác" not in body and "Bạn chỉ xem được sổ sức khỏe" in body
