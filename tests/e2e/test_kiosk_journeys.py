"""Kiosk journeys at 1080x1920, taps only (the scanner types the chip card's QR): the kiosk's own
login, a checked card under the facility's lookup officer, a printed 80 mm ticket in at most 4
touches, the date-of-birth gate for typed numbers and the desk for an expired card."""

import re

import pytest

from tests.e2e.conftest import KIOSK
from tests.visits.helpers import INVALID, VALID

# Counts every touch of the screen and every print (in the page and in its frames).
TOUCH_AND_PRINT_COUNTER = """
(() => {
  const top = window.top;
  if (window === top) {
    top.__touches = 0; top.__prints = 0;
    document.addEventListener("pointerdown", () => { top.__touches += 1; }, true);
  }
  window.print = () => { top.__prints = (top.__prints || 0) + 1; };
})();
"""


@pytest.fixture
def kiosk(e2e_org, logged_in_page):
    """The demo kiosk account (role kiosk) logged in on a portrait screen, at the kiosk page."""
    from kcb06.visits.demo import _kiosk_user

    _kiosk_user(e2e_org["facilities"]["27901"])

    def _open(count=False):
        page = logged_in_page("kiosk", KIOSK)
        if count:
            page.context.add_init_script(TOUCH_AND_PRINT_COUNTER)
        if count or not page.url.rstrip("/").endswith("/kiosk"):
            page.goto(page.kcb06_url + "/kiosk/")
        page.locator("[data-testid=kiosk-step-scan]").wait_for()
        return page

    return _open


def _scan(page, text):
    page.keyboard.type(text)  # the kiosk's scanner types into the focused field
    page.keyboard.press("Enter")


def test_kiosk_login_lands_on_the_kiosk(e2e_org, logged_in_page):
    from kcb06.visits.demo import _kiosk_user

    _kiosk_user(e2e_org["facilities"]["27901"])
    page = logged_in_page("kiosk", KIOSK)  # the login form, then wherever the login lands
    page.locator("[data-testid=kiosk-step-scan]").wait_for()
    assert page.url.rstrip("/").endswith("/kiosk")
    assert page.locator(".mainnav").count() == 0  # no staff menu on the kiosk screen


def _box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_chip_card_patient_checked_card_and_printed_ticket_in_four_touches(
    kiosk, portal, screenshot
):
    page = kiosk(count=True)
    _scan(page, VALID)
    page.locator("[data-testid=kiosk-step-confirm]").wait_for()
    verdict = page.locator("[data-testid=kiosk-verdict]")
    # The check ran under the facility's lookup officer: the portal answered, the card is valid.
    assert verdict.inner_text() == "Thẻ BHYT hợp lệ"
    assert "Chưa kiểm tra" not in page.content()
    assert "{#" not in page.content() and "#}" not in page.content()  # no template text shown
    # Readable on a 1080x1920 screen: the verdict in large type, the main action the largest.
    assert float(verdict.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 40
    yes, back = _box(page, "[data-testid=kiosk-yes]"), _box(page, "[data-testid=kiosk-back]")
    assert yes["height"] >= 140 and yes["width"] >= 900
    assert back["height"] >= 96 and yes["height"] > back["height"]
    screenshot("kiosk-journey-confirm", page)
    page.click("[data-testid=kiosk-yes]")
    page.locator("[data-testid=kiosk-step-departments]").wait_for()
    # Self-service departments only: the emergency department is chosen at the desk.
    assert page.locator("[data-testid=kiosk-dep-K02]").count() == 0
    assert page.locator("[data-testid=kiosk-dep-K01]").count() == 1
    for button in page.locator("button.kdep").all():
        assert button.bounding_box()["height"] >= 140
    page.click("[data-testid=kiosk-dep-K19]")
    page.locator("[data-testid=kiosk-step-ticket]").wait_for()
    assert page.locator("[data-testid=kiosk-ticket-number]").inner_text() == "1"
    # The ticket really prints: its frame loads (same-origin framing) and calls print once.
    page.wait_for_function("() => window.top.__prints === 1")
    frame = page.frame_locator("[data-testid=kiosk-print-frame]")
    assert frame.locator("[data-testid=ticket-print] .num").inner_text() == "1"
    touches = page.evaluate("window.__touches")
    assert 1 <= touches <= 4, touches
    screenshot("kiosk-journey-ticket", page)


def test_expired_card_tells_the_truth_and_sends_to_the_desk(kiosk, portal, screenshot):
    page = kiosk()
    _scan(page, INVALID)
    error = page.locator("[data-testid=kiosk-error]")
    error.wait_for()
    assert error.get_attribute("data-code") == "kiosk_card_invalid"
    text = error.inner_text()
    assert re.search(r"Thẻ BHYT của bạn đã hết hạn sử dụng từ ngày \d{2}/\d{2}/\d{4}\.", text)
    assert "Mời bạn đến quầy tiếp đón" in text
    assert page.locator("h1").inner_text() == "Mời bạn đến quầy tiếp đón"
    assert page.locator("[data-testid=kiosk-yes]").count() == 0  # no ticket from here
    screenshot("kiosk-journey-expired", page)


def _type_dob_on_keypad(page, digits):
    for d in digits:
        page.click(f".kkey[data-key='{d}']")


def test_typed_id_number_needs_the_persons_own_date_of_birth(e2e_org, kiosk, portal, screenshot):
    from kcb06.visits.services import check_in
    from tests.visits.helpers import principal

    check_in(VALID, "K01", principal(e2e_org))  # known at this facility from an earlier visit
    page = kiosk()
    _scan(page, "027085000001")  # someone types another person's ID number
    page.locator("[data-testid=kiosk-step-dob]").wait_for()
    assert "Hợp Lệ" not in page.content() and "15/08/1985" not in page.content()
    _type_dob_on_keypad(page, "01011990")
    assert page.locator("[data-testid=kiosk-dob-input]").input_value() == "01/01/1990"
    screenshot("kiosk-journey-dob", page)
    page.click("[data-testid=kiosk-dob-submit]")
    error = page.locator("[data-testid=kiosk-error]")
    error.wait_for()
    assert "Mời bạn đến quầy tiếp đón" in error.inner_text()
    assert "Hợp Lệ" not in page.content()
    page.click("[data-testid=kiosk-back]")
    page.locator("[data-testid=kiosk-step-scan]").wait_for()
    _scan(page, "027085000001")  # the person themself, who knows their date of birth
    page.locator("[data-testid=kiosk-step-dob]").wait_for()
    _type_dob_on_keypad(page, "15081985")
    page.click("[data-testid=kiosk-dob-submit]")
    page.locator("[data-testid=kiosk-step-confirm]").wait_for()
    assert page.locator("[data-testid=kiosk-name]").inner_text() == "Nguyễn Văn Hợp Lệ Demo"
    page.click("[data-testid=kiosk-yes]")
    page.click("[data-testid=kiosk-dep-K19]")
    page.locator("[data-testid=kiosk-step-ticket]").wait_for()


def test_ticket_page_fits_80mm_thermal_paper(e2e_org, logged_in_page, portal):
    from kcb06.visits.services import check_in
    from tests.visits.helpers import principal

    ticket = check_in(VALID, "K01", principal(e2e_org)).ticket
    page = logged_in_page("tiepdon")
    page.goto(f"{page.kcb06_url}/tickets/{ticket.token}/")
    pdf = page.pdf(prefer_css_page_size=True)
    boxes = re.findall(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert len(boxes) == 1, boxes  # one page: the whole ticket on one cut of the roll
    width_mm = float(boxes[0][0]) / 72 * 25.4
    assert abs(width_mm - 80) < 0.5, width_mm
    # Laid out on a window as wide as the paper (80 mm = 302 CSS px), nothing sticks out.
    page.set_viewport_size({"width": 302, "height": 600})
    page.emulate_media(media="print")
    assert page.evaluate("document.documentElement.scrollWidth") <= 303
