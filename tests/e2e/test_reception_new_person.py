"""A new person without a chip card at the desk: the clerk types the number (12-digit ID, BHYT
card or BHXH number), then name, date of birth and sex, and issues the ticket with the
keyboard — at most 3 further keys. A date that does not exist is kept and explained."""

from datetime import date

from kcb06.audit.models import AuditEntry
from kcb06.patients.models import Patient
from kcb06.visits.models import Visit
from tests.e2e.desk import Keys, desk, prints, scan, wait_focus


def _type_details(page, name: str, dob: str, sex: str) -> None:
    wait_focus(page, "details-name")
    page.keyboard.type(name)  # a digit moves on to the date by itself
    page.keyboard.type(dob)  # the date's last digit moves on to sex by itself
    page.keyboard.type(sex)


def test_new_person_by_id_number_gets_a_ticket_with_three_further_keys(logged_in_page, portal):
    page = desk(logged_in_page)
    keys = Keys(page)
    wait_focus(page, "scan-field")
    page.keyboard.type("027070000010")
    keys.press("Enter")
    page.locator("[data-testid=details-form]").wait_for()
    _type_details(page, "Bùi Văn Hết Hạn Demo", "09091970", "1")
    keys.press("Enter")
    page.locator("[data-testid=verdict]").wait_for()
    assert page.locator("[data-testid=verdict]").get_attribute("data-outcome") == "invalid"
    assert page.locator("[data-testid=patient-name]").inner_text() == "Bùi Văn Hết Hạn Demo"
    keys.press("Enter")
    page.locator("[data-testid=ticket-number]").wait_for()
    assert page.locator("[data-testid=ticket-number]").inner_text() == "1"
    assert keys.count <= 3
    patient = Patient.objects.get()
    assert (patient.full_name, patient.date_of_birth, patient.sex) == (
        "Bùi Văn Hết Hạn Demo",
        date(1970, 9, 9),
        "male",
    )
    assert Visit.objects.get().patient == patient
    # printed on the desk's printer with no key at all
    page.wait_for_function("() => (window.__prints || 0) >= 1")
    assert prints(page) == 1


def test_new_person_by_bhxh_number_types_sex_as_a_word(logged_in_page, portal):
    page = desk(logged_in_page)
    keys = Keys(page)
    wait_focus(page, "scan-field")
    page.keyboard.type("0123456789")  # a BHXH number the portal does not know: no card
    keys.press("Enter")
    page.locator("[data-testid=details-form]").wait_for()
    _type_details(page, "Lò Thị Mới Demo", "05/05/1999", "nữ")
    keys.press("Enter")
    page.locator("[data-testid=verdict]").wait_for()
    keys.press("Enter")
    page.locator("[data-testid=ticket-number]").wait_for()
    assert keys.count <= 3
    assert Patient.objects.get().sex == "female"


def test_date_of_birth_that_does_not_exist_is_kept_and_explained(logged_in_page, portal):
    page = desk(logged_in_page)
    scan(page, "027070000010")
    page.locator("[data-testid=details-form]").wait_for()
    _type_details(page, "Bùi Văn Hết Hạn Demo", "31021990", "1")
    page.keyboard.press("Enter")
    error = page.locator("[data-testid=details-dob-error]")
    error.wait_for()
    assert "31/02/1990 không có thật" in error.inner_text()
    assert "28 ngày" in error.inner_text()
    # what was typed is still there, and the cursor is on the wrong date, selected
    assert page.locator("[data-testid=details-name]").input_value() == "Bùi Văn Hết Hạn Demo"
    assert page.locator("[data-testid=details-dob]").input_value() == "31021990"
    assert page.locator("[data-testid=details-sex]").input_value() == "1"
    wait_focus(page, "details-dob")
    page.keyboard.type("09091970")  # replaces the selected text, moves on to sex
    page.keyboard.press("Enter")
    page.locator("[data-testid=verdict]").wait_for()
    page.keyboard.press("Enter")
    page.locator("[data-testid=ticket-number]").wait_for()
    assert Patient.objects.get().date_of_birth == date(1970, 9, 9)
    assert AuditEntry.objects.filter(object_type="visit", action="create").count() == 1
