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
    expect(page.get_by_test_id("bill-qr-gone")).to_be_visible()  # no QR left to pay twice
    page.evaluate("() => window.scrollTo(0, 0)")
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


def _kiosk_qr(page) -> str:
    png = page.get_by_test_id("kiosk-pay-qr").locator("svg").screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert found, "no QR code readable on the kiosk screen"
    return found[0].text


def test_kiosk_patient_pays_by_vietqr(logged_in_page, e2e_org, bank, portal, screenshot):
    """Right after the ticket, the patient pays the facility's registration fee at the kiosk."""
    from kcb06.payments.models import PaymentSettings
    from kcb06.visits.demo import _kiosk_user
    from tests.e2e.conftest import KIOSK
    from tests.visits.helpers import VALID

    PaymentSettings.objects.create(facility=e2e_org["facilities"]["27901"], registration_fee=30000)
    _kiosk_user(e2e_org["facilities"]["27901"])
    page = logged_in_page("kiosk", KIOSK)
    page.goto(page.kcb06_url + "/kiosk/")
    page.locator("[data-testid=kiosk-step-scan]").wait_for()
    page.keyboard.type(VALID)
    page.keyboard.press("Enter")
    page.click("[data-testid=kiosk-yes]")
    page.click("[data-testid=kiosk-dep-K19]")
    page.locator("[data-testid=kiosk-step-ticket]").wait_for()
    page.click("[data-testid=kiosk-pay]")
    page.get_by_test_id("kiosk-pay-qr").wait_for()
    assert page.get_by_test_id("kiosk-pay-amount").inner_text() == "30.000 đ"
    assert "Nguyễn Văn Hợp Lệ" not in page.content()  # a public hall: no name on the screen
    screenshot("kiosk-5-pay", page)
    tx = bank.pay(_kiosk_qr(page), delay_ms=300)
    assert tx["amount"] == 30000
    page.wait_for_function(
        "() => document.querySelector('[data-testid=kiosk-pay-state]').dataset.state === 'paid'",
        timeout=20_000,
    )
    assert "Đã thanh toán 30.000 đ" in page.get_by_test_id("kiosk-paid").inner_text()
    assert page.get_by_test_id("kiosk-receipt-frame").count() == 1  # the receipt prints
    screenshot("kiosk-6-paid", page)


def test_cashier_reconciles_a_day(
    logged_in_page, bank, e2e_org, billable_visit, tmp_path, screenshot
):
    import httpx
    from django.utils import timezone

    from kcb06.facilities.services import principal_for_user
    from kcb06.payments import services
    from kcb06.payments.models import Bill

    cashier = principal_for_user(e2e_org["users"]["thungan"])
    bill = services.bill_for_visit(cashier, billable_visit.pk)
    lost = bank.pay(services.bill_qr(bill), lose=True)  # paid, but the bank never called
    stray = bank.transfer(20000, "chuyen khoan")
    bank.wait_delivered(stray["transaction_id"])
    day = timezone.localdate().isoformat()
    statement = httpx.get(f"{bank.url}/api/statements",
                          params={"date": day, "layout": "tcb", "format": "xlsx"})  # fmt: skip
    path = tmp_path / f"saoke-{day}.xlsx"
    path.write_bytes(statement.content)

    page = logged_in_page("thungan")
    page.goto(page.kcb06_url + "/payments/")
    screenshot("cashier-list", page)
    page.get_by_test_id("nav-statements").click()
    page.get_by_test_id("statement-layout").select_option("vcb")  # the wrong bank's layout
    page.get_by_test_id("statement-file").set_input_files(str(path))
    page.get_by_test_id("statement-submit").click()
    assert "Không tìm thấy đủ các cột" in page.get_by_test_id("statement-error").inner_text()
    page.get_by_test_id("statement-layout").select_option("tcb")
    page.get_by_test_id("statement-file").set_input_files(str(path))
    page.get_by_test_id("statement-submit").click()
    summary = page.get_by_test_id("statement-summary")
    summary.wait_for()
    assert "2 dòng tiền vào" in summary.inner_text()
    line = page.get_by_test_id("statement-line").filter(has_text=lost["transaction_id"])
    assert "chưa nhận báo có" in line.inner_text()
    stray_line = page.get_by_test_id("statement-line").filter(has_text=stray["transaction_id"])
    assert "hoàn tiền" in stray_line.inner_text()
    screenshot("cashier-reconcile", page)
    line.get_by_test_id("line-reason").fill("Có trong sao kê ngân hàng")
    line.get_by_test_id("line-confirm").click()
    line = page.get_by_test_id("statement-line").filter(has_text=lost["transaction_id"])
    expect(line).to_contain_text("Đã xác nhận thủ công")
    assert Bill.objects.get(pk=bill.pk).state == "paid"
    page.get_by_test_id("nav-report").click()
    assert "100 %" in page.get_by_test_id("share-count").inner_text()
