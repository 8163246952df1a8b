"""The kiosk takes the payment: the patient's ticket QR -> what they owe and the VietQR; the
screen turns to "paid" by itself when banksim (real HTTP) confirms, and the receipt prints."""

import pytest

from kcb06.identity.vietqr import parse_vietqr
from kcb06.payments import services
from kcb06.payments.models import Bill, PaymentSettings
from tests.payments.conftest import give_ticket, pdf_text


@pytest.mark.django_db(transaction=True)
def test_kiosk_shows_qr_and_turns_paid_when_the_bank_confirms(bank, kiosk_client, billable_visit):
    ticket = give_ticket(billable_visit)
    page = kiosk_client.post("/payments/kiosk/", {"token": ticket.token}).content.decode()
    bill = Bill.objects.get(visit=billable_visit)
    assert "7.500 đ" in page and "<svg" in page and f"VIEN PHI {bill.reference}" in page
    assert billable_visit.patient.full_name not in page  # a kiosk screen in a public hall
    state_url = f"/payments/kiosk/{bill.reference}/state/"
    assert f'hx-get="{state_url}"' in page and 'hx-trigger="every 2s"' in page
    assert "<script>" not in page
    tx = bank.pay(services.bill_qr(bill))
    bank.wait_delivered(tx["transaction_id"])
    state = kiosk_client.get(state_url).content.decode()
    assert "Đã thanh toán 7.500 đ" in state and "every 2s" not in state
    receipt = kiosk_client.get(f"/payments/kiosk/{bill.reference}/receipt.pdf")
    text = pdf_text(receipt.content)
    assert "Paracetamol" in text and bill.reference in text and tx["transaction_id"] in text


@pytest.mark.django_db
def test_registration_fee_is_paid_at_the_kiosk_right_after_the_ticket(kiosk_client, org):
    from tests.healthbook import factories as f

    PaymentSettings.objects.create(facility=org["facilities"]["27901"], registration_fee=30000)
    visit = f.visit(f.patient())  # open, no costs yet: only the registration fee
    ticket = give_ticket(visit)
    page = kiosk_client.post("/payments/kiosk/", {"token": ticket.token}).content.decode()
    bill = Bill.objects.get(visit=visit)
    assert bill.amount == 30000 and bill.lines[0]["name"] == "Phí đăng ký khám"
    assert "30.000 đ" in page and "Ba mươi nghìn đồng" in page
    assert parse_vietqr(services.bill_qr(bill)).amount == 30000


@pytest.mark.django_db
def test_unknown_ticket_or_nothing_to_pay_is_said_plainly(kiosk_client, org):
    from tests.healthbook import factories as f

    resp = kiosk_client.post("/payments/kiosk/", {"token": "not-a-ticket-token"})
    assert resp.status_code == 404 and "quét lại mã QR trên phiếu" in resp.content.decode()
    ticket = give_ticket(f.visit(f.patient()))
    resp = kiosk_client.post("/payments/kiosk/", {"token": ticket.token})
    assert resp.status_code == 400 and "chưa có khoản nào" in resp.content.decode()


@pytest.mark.django_db
def test_a_cashier_account_is_not_a_kiosk_and_a_kiosk_is_not_a_cashier(login, kiosk_client, org):
    assert kiosk_client.get("/payments/").status_code == 403
    assert login("bacsi").get("/payments/kiosk/").status_code == 403


@pytest.mark.django_db
def test_kiosk_of_another_facility_cannot_pay_this_ticket(client, org, billable_visit):
    from kcb06.visits.demo import _kiosk_user

    client.force_login(_kiosk_user(org["facilities"]["27903"]))
    ticket = give_ticket(billable_visit)
    assert client.post("/payments/kiosk/", {"token": ticket.token}).status_code == 404
    assert not Bill.objects.exists()
