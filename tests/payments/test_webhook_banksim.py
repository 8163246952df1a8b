"""The whole bank confirmation over real HTTP: banksim pays the bill's VietQR and calls the
live kcb06's webhook, with the faults real banks show."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from kcb06.payments import services
from kcb06.payments.models import BankNotification, Bill, BillState, Payment

pytestmark = pytest.mark.django_db(transaction=True)


def _state(bill) -> str:
    return Bill.objects.get(pk=bill.pk).state


def _pay(bank, bill, copies=1, **scenario) -> dict:
    tx = bank.pay(services.bill_qr(bill), **scenario)
    return bank.wait_delivered(tx["transaction_id"], copies=copies)


def test_paying_the_qr_marks_the_bill_paid(bank, cashier, billable_visit):
    bill = services.bill_for_visit(cashier, billable_visit.pk)
    assert (bill.amount, bill.state) == (7500, BillState.PENDING)
    tx = _pay(bank, bill)
    assert tx["deliveries"][0]["status_code"] == 200
    assert tx["deliveries"][0]["body"]["state"] == "paid"
    bill.refresh_from_db()
    assert (bill.state, bill.paid_amount) == (BillState.PAID, 7500)
    assert Payment.objects.get(bill=bill).bank_transaction_id == tx["transaction_id"]


def test_same_transfer_notified_again_pays_once(bank, cashier, billable_visit):
    bill = services.bill_for_visit(cashier, billable_visit.pk)
    tx = _pay(bank, bill)
    bank.post(f"/_control/redeliver/{tx['transaction_id']}")
    tx = bank.wait_delivered(tx["transaction_id"], copies=2)
    assert [d["body"]["outcome"] for d in tx["deliveries"]] == ["recorded", "duplicate"]
    assert Payment.objects.filter(bill=bill).count() == 1
    bill.refresh_from_db()
    assert (bill.state, bill.paid_amount) == (BillState.PAID, 7500)


# The in-memory SQLite test database is one connection shared by the live server's threads, so
# two requests at the same instant cannot be served concurrently there; a file SQLite in
# production serialises writers (IMMEDIATE transactions). PostgreSQL runs the real race.
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent requests need PostgreSQL")
def test_same_notification_twice_at_once_pays_once(bank, cashier, billable_visit):
    bill = services.bill_for_visit(cashier, billable_visit.pk)
    tx = _pay(bank, bill, copies=2, duplicates=2)
    assert sorted(d["status_code"] for d in tx["deliveries"]) == [200, 200]
    assert sorted(d["body"]["outcome"] for d in tx["deliveries"]) == ["duplicate", "recorded"]
    assert Payment.objects.filter(bill=bill).count() == 1
    bill.refresh_from_db()
    assert (bill.state, bill.paid_amount) == (BillState.PAID, 7500)
    assert BankNotification.objects.filter(transaction_id=tx["transaction_id"]).count() == 2


@pytest.mark.parametrize("how", ["spacing", "case", "diacritics", "prefix", "all"])
def test_altered_message_still_matches_the_bill(bank, cashier, billable_visit, how):
    bill = services.bill_for_visit(cashier, billable_visit.pk)
    tx = _pay(bank, bill, alter=how)
    assert tx["message"] != f"VIEN PHI {bill.reference}"
    assert _state(bill) == BillState.PAID


@pytest.mark.parametrize(
    "delta, state, paid",
    [(-2500, BillState.AMOUNT_UNDER, 5000), (500, BillState.AMOUNT_OVER, 8000)],
)
def test_wrong_amount_gets_its_own_state(bank, cashier, billable_visit, delta, state, paid):
    bill = services.bill_for_visit(cashier, billable_visit.pk)
    _pay(bank, bill, amount_delta=delta)
    bill.refresh_from_db()
    assert (bill.state, bill.paid_amount) == (state, paid)


def test_under_payment_is_completed_in_cash(bank, cashier, billable_visit):
    bill = services.bill_for_visit(cashier, billable_visit.pk)
    _pay(bank, bill, amount=5000)
    bill = services.record_cash(cashier, bill.pk)
    assert (bill.state, bill.paid_amount) == (BillState.PAID, 7500)
    assert [p.method for p in Payment.objects.filter(bill=bill).order_by("pk")] == [
        "vietqr",
        "cash",
    ]


def test_lost_call_leaves_pending_until_the_bank_confirms_late(bank, cashier, billable_visit):
    bill = services.bill_for_visit(cashier, billable_visit.pk)
    tx = bank.pay(services.bill_qr(bill), lose=True)
    time.sleep(0.5)
    assert tx["status"] == "lost" and _state(bill) == BillState.PENDING
    bank.post(f"/_control/redeliver/{tx['transaction_id']}")
    bank.wait_delivered(tx["transaction_id"])
    assert _state(bill) == BillState.PAID


def test_delayed_call_pays_when_it_arrives(bank, cashier, billable_visit):
    bill = services.bill_for_visit(cashier, billable_visit.pk)
    tx = bank.pay(services.bill_qr(bill), delay_ms=700)
    time.sleep(0.2)
    assert _state(bill) == BillState.PENDING
    bank.wait_delivered(tx["transaction_id"])
    assert _state(bill) == BillState.PAID


@pytest.mark.parametrize(
    "scenario, code",
    [
        ({"bad_signature": True}, "webhook_signature"),
        ({"timestamp_skew_s": -3600}, "webhook_stale"),
    ],
)
def test_badly_signed_or_stale_call_is_refused(bank, cashier, billable_visit, scenario, code):
    bill = services.bill_for_visit(cashier, billable_visit.pk)
    tx = _pay(bank, bill, **scenario)
    delivery = tx["deliveries"][0]
    assert delivery["status_code"] == 401
    assert delivery["body"]["error"]["code"] == code
    assert delivery["body"]["error"]["message_vi"]
    assert _state(bill) == BillState.PENDING and not Payment.objects.exists()


def test_transfer_with_unknown_reference_is_kept_as_unmatched(bank):
    tx = bank.transfer(120_000, "CHUYEN TIEN KCBZZZZZZ")
    tx = bank.wait_delivered(tx["transaction_id"])
    assert tx["deliveries"][0]["body"]["outcome"] == "unmatched"
    payment = Payment.objects.get(bank_transaction_id=tx["transaction_id"])
    assert (payment.bill, payment.amount) == (None, 120_000)


@pytest.mark.parametrize("amount", [0, -5000, 10**15, 12.5, "7500"])
def test_absurd_amount_is_refused_and_the_call_kept(bank, cashier, billable_visit, amount):
    bill = services.bill_for_visit(cashier, billable_visit.pk)
    tx = bank.wait_delivered(bank.transfer(amount, f"VIEN PHI {bill.reference}")["transaction_id"])
    assert tx["deliveries"][0]["status_code"] == 400
    assert tx["deliveries"][0]["body"]["error"]["code"] == "webhook_amount"
    note = BankNotification.objects.get(transaction_id=tx["transaction_id"])
    assert note.outcome == "refused_amount"
    assert _state(bill) == BillState.PENDING and not Payment.objects.exists()


def test_paid_after_expiry_is_recorded_and_flagged(bank, cashier, billable_visit):
    bill = services.bill_for_visit(cashier, billable_visit.pk)
    qr = services.bill_qr(bill)
    Bill.objects.filter(pk=bill.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    tx = bank.pay(qr)
    bank.wait_delivered(tx["transaction_id"])
    bill.refresh_from_db()
    assert (bill.state, bill.paid_amount) == (BillState.PAID_AFTER_EXPIRY, 7500)


def test_payment_for_a_cancelled_visit_is_kept_for_refund(bank, cashier, billable_visit):
    bill = services.bill_for_visit(cashier, billable_visit.pk)
    billable_visit.save(update_fields=billable_visit.cancel("Đăng ký nhầm"))
    _pay(bank, bill)
    bill.refresh_from_db()
    assert (bill.state, bill.paid_amount) == (BillState.VISIT_CANCELLED, 7500)
    bill = services.refund(cashier, bill.pk, "Lượt khám hủy, hoàn tiền chuyển khoản")
    assert bill.state == BillState.REFUNDED
