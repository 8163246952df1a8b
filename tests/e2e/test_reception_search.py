"""Patient search at the desk, keyboard only: a name with or without diacritics, with a date
or year of birth, a date alone, an ID number; a date that does not exist is explained."""

from datetime import date

import pytest

from kcb06.audit.models import AuditEntry
from kcb06.patients.models import Patient, PatientFacility
from kcb06.patients.names import name_key
from kcb06.visits import services
from tests.e2e.desk import desk, wait_focus
from tests.visits.helpers import VALID, principal


@pytest.fixture
def people(e2e_org, portal):
    services.check_in(VALID, "K01", principal(e2e_org))  # Nguyễn Văn Hợp Lệ Demo, 15/08/1985
    other = Patient.objects.create(
        full_name="Nguyễn Văn Hợp Demo",
        name_key=name_key("Nguyễn Văn Hợp Demo"),
        date_of_birth=date(1990, 8, 15),
        birth_year=1990,
        sex="male",
    )
    PatientFacility.objects.create(patient=other, facility=e2e_org["facilities"]["27901"])
    elsewhere = Patient.objects.create(  # known only at another facility: never shown here
        full_name="Nguyễn Văn Hợp Lệ Demo",
        name_key=name_key("Nguyễn Văn Hợp Lệ Demo"),
        date_of_birth=date(1985, 8, 15),
        birth_year=1985,
        sex="male",
    )
    PatientFacility.objects.create(patient=elsewhere, facility=e2e_org["facilities"]["27903"])


def _search(page, text: str) -> list[str]:
    wait_focus(page, "search-q")
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    before = page.evaluate("Number(document.getElementById('results').dataset.answers || 0)")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(n) => Number(document.getElementById('results').dataset.answers || 0) > n", arg=before
    )
    rows = page.locator("[data-testid=search-row] td:nth-child(2)")
    return sorted(rows.all_inner_texts())


def test_search_by_name_date_year_and_number(logged_in_page, people, screenshot):
    page = desk(logged_in_page, path="/reception/patients/")
    assert _search(page, "nguyen van hop le demo") == ["Nguyễn Văn Hợp Lệ Demo"]
    assert _search(page, "Nguyễn Văn Hợp Demo 1990") == ["Nguyễn Văn Hợp Demo"]
    assert _search(page, "hop demo 15/08/1990") == ["Nguyễn Văn Hợp Demo"]
    assert _search(page, "15081985") == ["Nguyễn Văn Hợp Lệ Demo"]
    assert _search(page, "1990") == ["Nguyễn Văn Hợp Demo"]
    assert _search(page, "027085000001") == ["Nguyễn Văn Hợp Lệ Demo"]
    screenshot("reception-search", page)
    assert _search(page, "31/02/1990") == []
    assert "không có thật" in page.locator("[data-testid=search-error]").inner_text()
    assert AuditEntry.objects.filter(object_type="patient_search").count() >= 6
