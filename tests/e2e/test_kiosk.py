"""The kiosk in Chromium on a portrait 1080x1920 screen: scan → confirm → department → ticket,
a way back at every step, and the reset after inactivity."""

import pytest

from tests.e2e.conftest import KIOSK
from tests.visits.helpers import UNVERIFIED, VALID


@pytest.fixture
def kiosk_page(e2e_org, logged_in_page):
    from kcb06.visits.demo import _kiosk_user

    _kiosk_user(e2e_org["facilities"]["27901"])

    def _open():
        page = logged_in_page("kiosk", KIOSK)
        page.goto(page.kcb06_url + "/kiosk/")
        page.locator("[data-testid=kiosk-step-scan]").wait_for()
        return page

    return _open


def test_kiosk_from_scan_to_ticket(kiosk_page, portal, screenshot):
    page = kiosk_page()
    assert "kiosk" in page.locator("body").get_attribute("class")
    screenshot("kiosk-1-scan", page)
    page.keyboard.type(VALID)  # the kiosk's scanner types into the focused field
    page.keyboard.press("Enter")
    page.locator("[data-testid=kiosk-step-confirm]").wait_for()
    assert page.locator("[data-testid=kiosk-name]").inner_text() == "Nguyễn Văn Hợp Lệ Demo"
    assert page.locator("[data-testid=kiosk-dob]").inner_text() == "15/08/1985"
    screenshot("kiosk-2-confirm", page)
    page.click("[data-testid=kiosk-yes]")
    page.locator("[data-testid=kiosk-step-departments]").wait_for()
    screenshot("kiosk-3-departments", page)
    page.click("[data-testid=kiosk-dep-K19]")
    page.locator("[data-testid=kiosk-step-ticket]").wait_for()
    assert page.locator("[data-testid=kiosk-ticket-number]").inner_text() == "1"
    assert page.locator(".kqr svg").count() == 1
    screenshot("kiosk-4-ticket", page)
    # very large type: the ticket number is huge, the body text at least 28 px
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 28
    assert page.evaluate("document.documentElement.scrollWidth") <= KIOSK["width"]
    page.click("[data-testid=kiosk-done]")
    page.locator("[data-testid=kiosk-step-scan]").wait_for()


def test_kiosk_back_at_every_step(kiosk_page, portal):
    page = kiosk_page()
    page.keyboard.type(UNVERIFIED)
    page.keyboard.press("Enter")
    page.locator("[data-testid=kiosk-step-confirm]").wait_for()
    page.click("[data-testid=kiosk-back]")
    page.locator("[data-testid=kiosk-step-scan]").wait_for()
    page.keyboard.type(UNVERIFIED)
    page.keyboard.press("Enter")
    page.click("[data-testid=kiosk-yes]")
    page.locator("[data-testid=kiosk-step-departments]").wait_for()
    page.click("[data-testid=kiosk-back]")
    page.locator("[data-testid=kiosk-step-scan]").wait_for()
    page.keyboard.type("8934673123457")  # a product barcode
    page.keyboard.press("Enter")
    page.locator("[data-testid=kiosk-error]").wait_for()
    page.click("[data-testid=kiosk-back]")
    page.locator("[data-testid=kiosk-step-scan]").wait_for()


def test_kiosk_left_mid_flow_resets_and_forgets_the_patient(kiosk_page, portal, settings):
    settings.KCB06_KIOSK_IDLE_SECONDS = 2
    page = kiosk_page()
    page.keyboard.type(VALID)
    page.keyboard.press("Enter")
    page.locator("[data-testid=kiosk-step-confirm]").wait_for()
    assert "Hợp Lệ" in page.content()
    page.locator("[data-testid=kiosk-step-scan]").wait_for(timeout=6000)
    assert "Hợp Lệ" not in page.content()
    page.go_back()  # nothing of the previous patient in the history either
    assert "Hợp Lệ" not in page.content()
