"""The desk's panel as the clerk reads it: the ID-card vs insurance-card differences in
Vietnamese with dates as dd/mm/yyyy, the ticket printed with no mouse (and again with
Alt+P), the panel redrawn after the ticket."""

import re

from tests.e2e.desk import desk, prints, scan, wait_focus
from tests.visits.helpers import cccd

SEX_DIFFERS = cccd("027095000004", "Phạm Minh Giới Demo", "20111995", "Nam")


def test_differences_table_is_vietnamese(logged_in_page, portal, screenshot):
    page = desk(logged_in_page)
    scan(page, SEX_DIFFERS)
    table = page.locator("[data-testid=mismatches]")
    table.wait_for()
    text = table.inner_text()
    assert "Giới tính" in text and "Ghi chú" in text
    for english in ("sex", "full_name", "date_of_birth"):
        assert english not in text
    card = page.locator("[data-testid=verdict-card]").inner_text()
    assert re.search(r"hạn \d{2}/\d{2}/\d{4} → \d{2}/\d{2}/\d{4}", card), card
    screenshot("reception-differences", page, full_page=True)


def test_ticket_prints_without_the_mouse_and_again_with_alt_p(logged_in_page, portal):
    page = desk(logged_in_page)
    scan(page, SEX_DIFFERS)
    page.locator("[data-testid=verdict]").wait_for()
    page.keyboard.press("Enter")
    page.locator("[data-testid=ticket-number]").wait_for()
    page.wait_for_function("() => (window.__prints || 0) === 1")
    # the panel now shows today's ticket of this person; the cursor is back for the next scan
    assert "số 1" in page.locator("[data-testid=existing-visit]").inner_text()
    wait_focus(page, "scan-field")
    page.keyboard.press("Alt+P")
    page.wait_for_function("() => (window.__prints || 0) === 2")
    assert prints(page) == 2
    # the same person's second department is one key away on the redrawn panel
    page.keyboard.press("Alt+3")
    page.wait_for_function("() => (window.__prints || 0) === 3")
    assert page.locator("[data-testid=existing-visit]").count() == 2
