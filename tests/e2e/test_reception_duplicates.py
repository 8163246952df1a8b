"""Likely duplicate at the desk: one choice ("this record" or "a new record") made with the
keyboard, and either choice issues the ticket, audited."""

from datetime import date

import pytest

from kcb06.audit.models import AuditEntry
from kcb06.patients.models import Patient, PatientFacility
from kcb06.patients.names import name_key
from kcb06.visits.models import Visit
from tests.e2e.desk import desk, scan, wait_focus
from tests.visits.helpers import ADDR, NO_CARD

NAME = "Ngô Thị Chưa Thẻ Demo"


@pytest.fixture
def earlier_record(e2e_org):
    """The same person registered before without an ID number (paper era)."""
    p = Patient.objects.create(
        full_name=NAME,
        name_key=name_key(NAME),
        date_of_birth=date(2000, 1, 1),
        birth_year=2000,
        sex="female",
        address=ADDR,
    )
    PatientFacility.objects.create(patient=p, facility=e2e_org["facilities"]["27901"])
    return p


def _scan_and_see_choice(page):
    scan(page, NO_CARD)
    page.locator("[data-testid=duplicates]").wait_for()
    # the cursor is on the choice: nothing is pre-selected
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.name === 'record'"
    )
    assert page.locator("[data-testid=record-choice] input:checked").count() == 0


def test_clerk_links_the_visit_to_the_earlier_record(logged_in_page, portal, earlier_record):
    page = desk(logged_in_page)
    _scan_and_see_choice(page)
    page.keyboard.press("Space")  # "this record"
    page.keyboard.press("Enter")
    page.locator("[data-testid=ticket-number]").wait_for()
    assert page.locator("[data-testid=ticket-number]").inner_text() == "1"
    visit = Visit.objects.get()
    assert visit.patient_id == earlier_record.pk
    assert Patient.objects.count() == 1
    assert earlier_record.identifiers.filter(value="027200000050", is_active=True).exists()
    assert AuditEntry.objects.filter(purpose="duplicate_linked", patient_id=earlier_record.pk)
    # the panel is redrawn: the known record, with today's ticket, and no choice left
    page.locator("[data-testid=existing-visit]").wait_for()
    assert page.locator("[data-testid=duplicates]").count() == 0
    wait_focus(page, "scan-field")


def test_clerk_creates_a_new_record_despite_a_namesake(logged_in_page, portal, earlier_record):
    page = desk(logged_in_page)
    _scan_and_see_choice(page)
    page.keyboard.press("ArrowDown")  # "not these: create a new record"
    assert page.locator("[data-testid=create-new]").is_checked()
    page.keyboard.press("Enter")
    page.locator("[data-testid=ticket-number]").wait_for()
    visit = Visit.objects.get()
    assert visit.patient_id != earlier_record.pk
    assert Patient.objects.count() == 2
    assert AuditEntry.objects.filter(purpose="duplicate_new_record", patient_id=visit.patient_id)


def test_enter_without_a_choice_issues_nothing(logged_in_page, portal, earlier_record):
    page = desk(logged_in_page)
    _scan_and_see_choice(page)
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    assert page.locator("[data-testid=ticket-number]").count() == 0
    assert not Visit.objects.exists()
