"""The facility admin merges two records of one person with a reason and undoes it, keyboard
only; both steps are audited and the undo moves back exactly what moved."""

from datetime import date

from kcb06.audit.models import AuditEntry
from kcb06.patients.models import Patient, PatientFacility, PatientMerge
from kcb06.patients.names import name_key
from kcb06.visits import services
from kcb06.visits.models import Visit
from tests.e2e.desk import desk, wait_focus
from tests.visits.helpers import NO_CARD, principal


def test_admin_merges_a_paper_record_into_the_chip_card_one_and_undoes(
    e2e_org, logged_in_page, portal, screenshot
):
    chip = services.check_in(NO_CARD, "K01", principal(e2e_org)).patient  # holds the ID number
    paper = Patient.objects.create(
        full_name="Ngô Thị Chưa Thẻ Demo",
        name_key=name_key("Ngô Thị Chưa Thẻ Demo"),
        date_of_birth=date(2000, 1, 1),
        birth_year=2000,
        sex="female",
    )
    PatientFacility.objects.create(patient=paper, facility=e2e_org["facilities"]["27901"])
    old_visit = Visit.objects.get()
    Visit.objects.filter(pk=old_visit.pk).update(patient=paper)  # an earlier visit on paper

    page = desk(logged_in_page, "quantri", "/reception/merge/")
    pair = page.locator("[data-testid=pair]")
    assert pair.count() == 1
    assert f"#{paper.pk}" in pair.inner_text() and f"#{chip.pk}" in pair.inner_text()
    wait_focus(page, "merge-reason")
    page.keyboard.type("Cùng người: hồ sơ giấy cũ")
    page.keyboard.press("Enter")
    page.locator("[data-testid=merge-message]").wait_for()
    screenshot("reception-merge", page, full_page=True)
    assert Patient.objects.get(pk=paper.pk).merged_into_id == chip.pk
    assert Visit.objects.get().patient_id == chip.pk
    assert page.locator("[data-testid=no-pairs]").count() == 1
    assert AuditEntry.objects.filter(action="merge", patient_id=chip.pk).exists()

    page.keyboard.press("Alt+Z")
    page.locator("[data-testid=merge-message]", has_text="hoàn tác").wait_for()
    assert Patient.objects.get(pk=paper.pk).merged_into_id is None
    assert Visit.objects.get().patient_id == paper.pk
    assert PatientMerge.objects.get().undone_at is not None
    assert page.locator("[data-testid=undone]").count() == 1
    assert AuditEntry.objects.filter(action="unmerge", patient_id=paper.pk).exists()


def test_clerk_cannot_open_the_merge_page(logged_in_page):
    page = logged_in_page("tiepdon")
    response = page.goto(page.kcb06_url + "/reception/merge/")
    assert response.status == 403
