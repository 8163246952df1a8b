"""The reception desk in Chromium: the clerk scans (the scanner types the QR text and Enter),
sees each of the four verdicts with no other keystroke, and issues the ticket with one key."""

import time

from tests.e2e.conftest import DESK
from tests.visits.helpers import INVALID, NO_CARD, UNVERIFIED, VALID

SCANS = [
    ("valid", VALID, "Nguyễn Văn Hợp Lệ Demo"),
    ("invalid", INVALID, "Bùi Văn Hết Hạn Demo"),
    ("no_card", NO_CARD, "Ngô Thị Chưa Thẻ Demo"),
    ("unverified", UNVERIFIED, "Phan Văn Máy Chủ Demo"),
]


def scan(page, text: str) -> float:
    """Type like a keyboard-wedge scanner and return seconds from Enter to the verdict."""
    # the cursor is back in the field by itself (never clicked); waits out a slow swap
    page.wait_for_function(
        "() => document.activeElement === document.querySelector('[data-testid=scan-field]')",
        timeout=5000,
    )
    page.keyboard.type(text)
    started = time.perf_counter()
    page.keyboard.press("Enter")
    page.locator("[data-testid=verdict]").wait_for()
    return time.perf_counter() - started


def test_clerk_sees_each_verdict_and_issues_tickets_by_keyboard(logged_in_page, portal, screenshot):
    page = logged_in_page("tiepdon", DESK)
    page.goto(page.kcb06_url + "/reception/")
    for number, (outcome, text, name) in enumerate(SCANS, start=1):
        scan(page, text)
        verdict = page.locator("[data-testid=verdict]")
        assert verdict.get_attribute("data-outcome") == outcome
        assert page.locator("[data-testid=patient-name]").inner_text() == name
        assert page.locator("[data-testid=verdict-reason]").inner_text().strip()
        assert page.locator("[data-testid=departments] input[name=department]").count() == 5
        screenshot(f"reception-{outcome}", page, full_page=True)
        # One more key: Enter on the (now empty) field issues the ticket.
        page.keyboard.press("Enter")
        ticket = page.locator("[data-testid=ticket-number]")
        ticket.wait_for()
        assert ticket.inner_text() == str(number)
        # the field is ready for the next scan, with no click
        field = page.locator("[data-testid=scan-field]")
        assert field.input_value() == ""
        assert field.evaluate("el => el === document.activeElement")
    screenshot("reception-ticket", page)


def test_alt_number_picks_department_and_repeat_scan_gives_same_ticket(logged_in_page, portal):
    page = logged_in_page("tiepdon", DESK)
    page.goto(page.kcb06_url + "/reception/")
    scan(page, VALID)
    page.keyboard.press("Alt+3")  # 3rd department: K19, Nhi
    page.locator("[data-testid=ticket-number]").wait_for()
    assert "Nhi" in page.locator("[data-testid=ticket]").inner_text()
    scan(page, VALID)
    assert page.locator("[data-testid=existing-visit]").count() == 1
    page.keyboard.press("Alt+3")
    page.locator("[data-testid=ticket-number]").wait_for()
    assert "không cấp số mới" in page.locator("[data-testid=ticket]").inner_text()
    assert page.locator("[data-testid=ticket-number]").inner_text() == "1"


def test_not_an_id_and_typed_number_of_unknown_person(logged_in_page, portal, screenshot):
    page = logged_in_page("tiepdon", DESK)
    page.goto(page.kcb06_url + "/reception/")
    page.keyboard.type("PARK|B1-0234|29A12345|2026-11-23T07:14|GATE2")
    page.keyboard.press("Enter")
    err = page.locator("[data-testid=scan-error]")
    err.wait_for()
    assert err.inner_text().strip()
    screenshot("reception-not-an-id", page)
    page.locator("[data-testid=scan-field]").focus()
    page.keyboard.type("027070000010")
    page.keyboard.press("Enter")
    page.locator("[data-testid=details-form]").wait_for()
    # the cursor moved to the name: the clerk types, tabs, and confirms with Enter
    page.keyboard.type("Bùi Văn Hết Hạn Demo")
    page.keyboard.press("Tab")
    page.keyboard.type("09091970")
    page.keyboard.press("Enter")
    page.locator("[data-testid=verdict]").wait_for()
    assert page.locator("[data-testid=verdict]").get_attribute("data-outcome") == "invalid"
