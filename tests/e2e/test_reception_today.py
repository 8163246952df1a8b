"""Today's check-ins at the desk, keyboard only: find a visit by name (diacritics optional),
print its ticket again, send it to another department (new number, printed), cancel one with
a reason (audited; its number is never given again)."""

from kcb06.audit.models import AuditEntry
from kcb06.visits import services
from kcb06.visits.models import DailyCheckIn, Ticket, Visit
from tests.e2e.desk import desk, prints, wait_focus
from tests.visits.helpers import NO_CARD, VALID, principal


def _find(page, text: str) -> None:
    wait_focus(page, "today-q")
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def test_reprint_move_and_cancel_from_todays_list(e2e_org, logged_in_page, portal, screenshot):
    clerk = principal(e2e_org)
    first = services.check_in(VALID, "K01", clerk)
    second = services.check_in(NO_CARD, "K01", clerk)
    page = desk(logged_in_page, path="/reception/today/")
    assert page.locator("[data-testid=today-row]").count() == 2

    _find(page, "ngo thi")  # no diacritics typed
    actions = page.locator("[data-testid=visit-actions]")
    actions.wait_for()
    assert actions.get_attribute("data-visit") == str(second.visit.pk)
    page.keyboard.press("Alt+P")
    page.wait_for_function("() => (window.__prints || 0) === 1")

    page.keyboard.press("Alt+3")  # the third department: Nhi (K19), its first number
    page.locator("[data-testid=today-message]").wait_for()
    assert "Khoa Nhi" in page.locator("[data-testid=today-message]").inner_text()
    assert page.locator("[data-testid=visit-ticket-number]").inner_text() == "1"
    page.wait_for_function("() => (window.__prints || 0) === 2")  # the new number is printed
    moved = Visit.objects.get(pk=second.visit.pk)
    assert moved.department.code == "K19" and moved.ticket.number == 1
    assert DailyCheckIn.objects.filter(patient_id=moved.patient_id, department__code="K19")
    assert AuditEntry.objects.filter(purpose="change_department", object_id=str(moved.pk))

    _find(page, "hop le")
    page.locator(f"[data-testid=visit-actions][data-visit='{first.visit.pk}']").wait_for()
    page.keyboard.press("Alt+H")
    wait_focus(page, "cancel-reason")
    page.keyboard.type("Người bệnh về, không khám")
    page.keyboard.press("Enter")
    page.locator("[data-testid=today-message]", has_text="Đã hủy").wait_for()
    assert page.locator("[data-testid=visit-status]").inner_text() == "Đã hủy"
    # the list below is redrawn: both of today's visits, the cancelled one marked
    row = page.locator(f"[data-testid=today-row][data-visit='{first.visit.pk}']")
    assert row.locator("td").nth(4).inner_text() == "Đã hủy"
    assert page.locator("[data-testid=today-row]").count() == 2
    screenshot("reception-today", page, full_page=True)
    cancelled = Visit.objects.get(pk=first.visit.pk)
    assert cancelled.status == "cancelled" and cancelled.ticket.status == "cancelled"
    entry = AuditEntry.objects.get(purpose="cancel_visit")
    assert entry.detail["reason"] == "Người bệnh về, không khám"
    assert not DailyCheckIn.objects.filter(patient_id=cancelled.patient_id, department__code="K01")

    # the same person checks in again at K01: a new visit and a new number, never 1 again
    again = services.check_in(VALID, "K01", clerk)
    assert again.created and again.visit.pk != first.visit.pk
    assert again.ticket.number == 3
    assert sorted(
        Ticket.objects.filter(department__code="K01").values_list("number", flat=True)
    ) == [1, 3]
    assert prints(page) == 2


def test_cancel_needs_a_reason(e2e_org, logged_in_page, portal):
    services.check_in(VALID, "K01", principal(e2e_org))
    page = desk(logged_in_page, path="/reception/today/")
    _find(page, "1")
    page.locator("[data-testid=visit-actions]").wait_for()
    page.keyboard.press("Alt+H")
    wait_focus(page, "cancel-reason")
    page.keyboard.press("Enter")
    page.locator("[data-testid=today-error]").wait_for()
    assert "lý do" in page.locator("[data-testid=today-error]").inner_text()
    assert Visit.objects.get().status == "open"
