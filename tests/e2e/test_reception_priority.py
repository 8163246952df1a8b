"""Priority tickets (Luật Khám bệnh, chữa bệnh 2023): a child under 6 is marked by the date of
birth, a pregnant woman by the clerk (Alt+U); the board shows the waiting priority numbers
and the clinician's "next" calls them before earlier ordinary numbers."""

from kcb06.audit.models import AuditEntry
from kcb06.facilities.models import Department
from kcb06.visits import queue, services
from kcb06.visits.models import Ticket
from tests.e2e.desk import desk, scan
from tests.visits.helpers import NO_CARD, VALID, cccd, principal

CHILD = cccd("027224000130", "Trịnh Bé Demo", "01012024")


def test_priority_tickets_are_marked_shown_and_called_first(e2e_org, logged_in_page, portal):
    services.check_in(VALID, "K01", principal(e2e_org))  # an adult: number 1, no priority
    page = desk(logged_in_page)

    scan(page, CHILD)
    page.locator("[data-testid=verdict]").wait_for()
    assert page.locator("[data-testid=priority]").input_value() == "child"  # from the birth date
    page.keyboard.press("Enter")
    page.locator("[data-testid=ticket-priority]").wait_for()
    assert "Trẻ em dưới 6 tuổi" in page.locator("[data-testid=ticket-priority]").inner_text()

    scan(page, NO_CARD)
    page.locator("[data-testid=verdict]").wait_for()
    assert page.locator("[data-testid=priority]").input_value() == ""
    page.keyboard.press("Alt+U")  # the clerk's first group: pregnant
    assert page.locator("[data-testid=priority]").input_value() == "pregnant"
    page.keyboard.press("Enter")
    page.locator("[data-testid=ticket-priority]", has_text="Phụ nữ có thai").wait_for()
    assert dict(Ticket.objects.values_list("number", "priority")) == {
        1: "",
        2: "child",
        3: "pregnant",
    }
    assert AuditEntry.objects.filter(purpose="ticket_priority").count() == 2

    board = desk(logged_in_page, path="/board/")
    cell = board.locator("[data-testid=priority-K01]")
    assert cell.inner_text().strip() == "2, 3"

    doctor = principal(e2e_org, "bacsi")
    k01 = Department.objects.get(facility__code="27901", code="K01").pk
    called = [queue.call_next(doctor, k01).number for _ in range(3)]
    assert called == [2, 3, 1]
    board.wait_for_function(
        "() => document.querySelector('[data-testid=calling-K01]').textContent.trim() === '1'"
    )
    assert board.locator("[data-testid=priority-K01]").inner_text().strip() == ""
