"""Cashier (thu ngân) journeys: bill a visit, show the VietQR, the patient's bank pays it
(banksim, over real HTTP to the live kcb06), and the page turns to "paid" by itself."""

import io

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from tests.payments.banksim_process import SECRET, start_banksim


@pytest.fixture(scope="module")
def banksim_server():
    sim = start_banksim()
    yield sim
    sim.proc.terminate()
    sim.proc.wait(timeout=10)


@pytest.fixture
def bank(banksim_server, live_url, settings):
    settings.KCB06_BANK_WEBHOOK_SECRET = SECRET
    banksim_server.configure(live_url)
    return banksim_server


@pytest.fixture
def billable_visit(e2e_org):
    from kcb06.healthbook import services
    from tests.healthbook import factories as f

    visit = f.visit(f.patient(name="Đỗ Thị Thanh Toán"))
    services.close_visit(f.principal(e2e_org), visit, dict(f.CLOSE, weight_kg="58.5"))
    return visit


def scan_qr_on_screen(page) -> str:
    """What a banking app reads from the QR the screen shows."""
    png = page.get_by_test_id("bill-qr").locator("svg").screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert found, "no QR code readable on the screen"
    return found[0].text


def test_cashier_bills_and_takes_vietqr(logged_in_page, bank, billable_visit, screenshot):
    page = logged_in_page("thungan")
    page.goto(page.kcb06_url + "/payments/")
    page.get_by_test_id("cashier-search").fill("thanh toan")
    row = page.get_by_test_id("cashier-visit").filter(has_text="Đỗ Thị Thanh Toán")
    row.wait_for()
    assert "7.500 đ" in row.inner_text()
    assert page.get_by_test_id("cashier-visit").count() == 1  # the search narrowed the list
    row.get_by_role("button", name="Thu tiền").focus()
    page.keyboard.press("Enter")
    page.get_by_test_id("bill-qr").wait_for()
    assert page.get_by_test_id("bill-outstanding").inner_text() == "7.500 đ"
    assert page.get_by_test_id("bill-words").inner_text() == "Bảy nghìn năm trăm đồng"
    assert page.get_by_test_id("bill-state").get_attribute("data-state") == "pending"
    screenshot("cashier-bill", page)

    tx = bank.pay(scan_qr_on_screen(page), alter="all", delay_ms=300)
    assert tx["amount"] == 7500
    page.wait_for_function(
        "() => document.querySelector('[data-testid=bill-state]').dataset.state === 'paid'",
        timeout=20_000,
    )
    assert "Đã thanh toán" in page.get_by_test_id("bill-state").inner_text()
    assert "7.500 đ" in page.get_by_test_id("bill-state").inner_text()
    screenshot("cashier-bill-paid", page)

    page.goto(page.kcb06_url + "/payments/")
    row = page.get_by_test_id("cashier-visit").filter(has_text="Đỗ Thị Thanh Toán")
    assert "Đã thanh toán" in row.inner_text()


def test_cashier_takes_cash(logged_in_page, billable_visit):
    page = logged_in_page("thungan")
    page.goto(page.kcb06_url + "/payments/")
    row = page.get_by_test_id("cashier-visit").filter(has_text="Đỗ Thị Thanh Toán")
    row.get_by_role("button", name="Thu tiền").focus()
    page.keyboard.press("Enter")
    page.get_by_test_id("bill-cash").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("bill-state")).to_have_attribute("data-state", "paid")
    assert "Đã thu đủ" in page.get_by_test_id("bill-state").inner_text()
    assert page.get_by_test_id("bill-cash").count() == 0


def test_bank_confirms_late(logged_in_page, bank, billable_visit):
    page = logged_in_page("thungan")
    page.goto(page.kcb06_url + "/payments/")
    row = page.get_by_test_id("cashier-visit").filter(has_text="Đỗ Thị Thanh Toán")
    row.get_by_role("button", name="Thu tiền").focus()
    page.keyboard.press("Enter")
    state = page.get_by_test_id("bill-state")
    tx = bank.pay(scan_qr_on_screen(page), lose=True)  # the bank's first notification is lost
    page.wait_for_timeout(2500)  # more than one polling round
    expect(state).to_have_attribute("data-state", "pending")
    assert "Chờ người bệnh quét mã" in state.inner_text()
    bank.post(f"/_control/redeliver/{tx['transaction_id']}")  # the bank's retry, later
    page.wait_for_function(
        "() => document.querySelector('[data-testid=bill-state]').dataset.state === 'paid'",
        timeout=20_000,
    )
    assert "Đã thu đủ" in state.inner_text()
