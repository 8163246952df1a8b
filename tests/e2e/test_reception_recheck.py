"""Answer 003 (the card expired, a newer card exists): one key re-checks with the newer card
number the portal named, and the ticket is issued under it."""

from kcb06.visits.models import Visit
from tests.e2e.desk import desk, scan, wait_focus
from tests.visits.helpers import cccd

NEW_CARD_HOLDER = cccd("027179000013", "Đặng Thị Thẻ Mới Demo", "07071979", "Nữ")


def test_alt_m_rechecks_with_the_newer_card_and_issues_under_it(logged_in_page, portal):
    page = desk(logged_in_page)
    scan(page, NEW_CARD_HOLDER)
    verdict = page.locator("[data-testid=verdict]")
    verdict.wait_for()
    assert verdict.get_attribute("data-outcome") == "invalid"
    assert "HC4272700000113" in page.locator("[data-testid=recheck-new-card]").inner_text()
    wait_focus(page, "scan-field")
    page.keyboard.press("Alt+M")
    page.locator("[data-testid=verdict][data-outcome=valid]").wait_for()
    assert "HC4272700000113" in page.locator("[data-testid=verdict-card]").inner_text()
    assert page.locator("[data-testid=recheck-new-card]").count() == 0
    wait_focus(page, "scan-field")
    page.keyboard.press("Enter")
    page.locator("[data-testid=ticket-number]").wait_for()
    visit = Visit.objects.get()
    assert visit.uses_bhyt and visit.card_number == "HC4272700000113"
    assert visit.patient.identifiers.filter(value="HC4272700000113", is_active=True).exists()
