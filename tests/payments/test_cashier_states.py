"""What the cashier does with each state: manual confirmation with a reason (a late notification
of the same transfer then pays nothing more), unmatched transfers attached to their bill,
refunds, provisional visits held until the re-check, the registration fee, and the claim
re-queued with NGAY_TTOAN once the bill is paid. Bank calls are real HTTP through banksim."""

from zoneinfo import ZoneInfo

import pytest

from kcb06.audit.models import AuditEntry
from kcb06.interchange.models import OutboxItem, OutboxKind, OutboxState
from kcb06.payments import services
from kcb06.payments.jobs import requeue_claims
from kcb06.payments.models import Bill, BillState, Payment, PaymentSettings
from tests.payments.conftest import assert_late_notification_pays_nothing


def _purposes() -> set:
    return set(AuditEntry.objects.values_list("purpose", flat=True))


@pytest.mark.django_db(transaction=True)
def test_confirmed_by_hand_then_the_late_notification_pays_nothing_more(
    bank, login, billable_visit
):
    client = login("thungan")
    client.post(f"/payments/visits/{billable_visit.pk}/bill/")
    bill = Bill.objects.get()
    tx = bank.pay(services.bill_qr(bill), lose=True)  # the bank never calls
    resp = client.post(
        f"/payments/bills/{bill.pk}/confirm/",
        {"transaction_id": tx["transaction_id"], "amount": "7.500", "reason": "Xem trên app"},
    )
    assert resp.status_code == 302
    bill.refresh_from_db()
    assert (bill.state, bill.paid_amount) == (BillState.PAID, 7500)
    assert_late_notification_pays_nothing(bank, tx["transaction_id"], bill)
    bill.refresh_from_db()
    assert bill.paid_amount == 7500
    assert "transfer_confirmed_by_hand" in _purposes()
    entry = AuditEntry.objects.get(purpose="transfer_confirmed_by_hand")
    assert entry.detail["reason"] == "Xem trên app"


@pytest.mark.django_db
def test_manual_confirmation_needs_a_reason_and_an_unknown_transaction(login, billable_visit):
    client = login("thungan")
    client.post(f"/payments/visits/{billable_visit.pk}/bill/")
    bill = Bill.objects.get()
    url = f"/payments/bills/{bill.pk}/confirm/"
    resp = client.post(url, {"transaction_id": "FT1234", "amount": "7500", "reason": ""})
    assert resp.status_code == 400 and "Cần ghi lý do" in resp.content.decode()
    resp = client.post(url, {"transaction_id": "FT1234", "amount": "-5", "reason": "Xem app"})
    assert resp.status_code == 400 and "lớn hơn 0" in resp.content.decode()
    assert client.post(url, {"transaction_id": "FT1234", "amount": "5000", "reason": "Xem app"})
    resp = client.post(url, {"transaction_id": "ft1234", "amount": "2500", "reason": "Xem app"})
    assert resp.status_code == 409 and "không ghi lần hai" in resp.content.decode()
    bill.refresh_from_db()
    assert (bill.state, bill.paid_amount) == (BillState.AMOUNT_UNDER, 5000)
    assert login("bacsi").post(url, {}).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_unmatched_transfer_is_listed_and_attached_once(bank, login, billable_visit):
    client = login("thungan")
    client.post(f"/payments/visits/{billable_visit.pk}/bill/")
    bill = Bill.objects.get()
    tx = bank.transfer(7500, "chuyen tien kham benh")  # the patient forgot the reference
    bank.wait_delivered(tx["transaction_id"])
    page = client.get("/payments/unmatched/").content.decode()
    assert tx["transaction_id"] in page and "7.500 đ" in page
    payment = Payment.objects.get(bank_transaction_id=tx["transaction_id"])
    data = {"reference": bill.reference.lower(), "reason": "Người bệnh đưa biên nhận"}
    resp = client.post(f"/payments/unmatched/{payment.pk}/attach/", data)
    assert resp.status_code == 302
    bill.refresh_from_db()
    assert (bill.state, bill.paid_amount) == (BillState.PAID, 7500)
    again = client.post(f"/payments/unmatched/{payment.pk}/attach/", data)
    assert again.status_code == 409 and "không còn trong danh sách" in again.content.decode()
    assert (
        "Không có chuyển khoản nào chưa khớp" in client.get("/payments/unmatched/").content.decode()
    )
    assert "transfer_attached" in _purposes()


@pytest.mark.django_db
def test_over_payment_is_refunded_with_a_reason(login, cashier, billable_visit):
    bill = services.bill_for_visit(cashier, billable_visit.pk)
    services.confirm_transfer(cashier, bill.pk, "FT99990001", 10000, "Xem trên app")
    client = login("thungan")
    page = client.get(f"/payments/bills/{bill.pk}/").content.decode()
    assert "Trả thừa" in page and "hoàn lại phần chênh lệch" in page
    assert client.post(f"/payments/bills/{bill.pk}/refund/", {"reason": ""}).status_code == 400
    client.post(f"/payments/bills/{bill.pk}/refund/", {"reason": "Trả lại 2.500 đ tiền mặt"})
    bill.refresh_from_db()
    assert bill.state == BillState.REFUNDED and "bill_refunded" in _purposes()


@pytest.mark.django_db
def test_provisional_visit_is_listed_with_its_recheck_and_billed_after(login, billable_visit):
    from django.utils import timezone

    from kcb06.eligibility.models import CheckStatus, EligibilityCheck, Outcome

    check = EligibilityCheck.objects.create(
        facility=billable_visit.facility, lookup_key="GD4797912345678", full_name="X",
        name_key="X", date_of_birth="1990-01-01", outcome=Outcome.UNVERIFIED,
        checked_at=timezone.now(), check_date=timezone.localdate(), status=CheckStatus.PENDING,
    )  # fmt: skip
    billable_visit.eligibility_check_id = check.pk
    billable_visit.eligibility_outcome = Outcome.UNVERIFIED
    billable_visit.save()
    client = login("thungan")
    page = client.get("/payments/").content.decode()
    assert "Đang chờ kiểm tra lại" in page and "Chờ kết quả thẻ" in page
    resp = client.post(f"/payments/visits/{billable_visit.pk}/bill/")
    assert resp.status_code == 409 and "chờ kiểm tra lại" in resp.content.decode()
    assert not Bill.objects.exists()
    # The background re-check answers: the final verdict shows and the bill can be issued.
    EligibilityCheck.objects.filter(pk=check.pk).update(
        status=CheckStatus.FINAL, outcome=Outcome.NO_CARD, attempts=2
    )
    billable_visit.eligibility_outcome = Outcome.NO_CARD
    billable_visit.save()
    page = client.get("/payments/").content.decode()
    assert "Không có thẻ BHYT" in page and "kết quả kiểm tra lại" in page
    assert client.post(f"/payments/visits/{billable_visit.pk}/bill/").status_code == 302


@pytest.mark.django_db
def test_registration_fee_is_a_line_of_the_bill(login, billable_visit, org):
    PaymentSettings.objects.create(facility=org["facilities"]["27901"], registration_fee=20000)
    client = login("thungan")
    client.post(f"/payments/visits/{billable_visit.pk}/bill/")
    bill = Bill.objects.get()
    assert bill.amount == 27500
    assert [line["name"] for line in bill.lines][:2] == ["Phí đăng ký khám", "Paracetamol"]


@pytest.mark.django_db
def test_fee_paid_first_then_the_rest_is_a_second_bill(cashier, billable_visit, org):
    PaymentSettings.objects.create(facility=org["facilities"]["27901"], registration_fee=20000)
    first = services.bill_for_visit(cashier, billable_visit.pk)
    services.record_cash(cashier, first.pk)
    assert services.bill_for_visit(cashier, billable_visit.pk).pk == first.pk  # nothing more
    Bill.objects.filter(pk=first.pk).update(amount=20000)  # as if paid before the closing
    second = services.bill_for_visit(cashier, billable_visit.pk)
    assert second.pk != first.pk and second.amount == 7500
    assert second.lines[-1] == {
        "name": "Đã thanh toán trước", "quantity": "", "unit": "", "total": 0, "fund": 0,
        "patient": -20000,
    }  # fmt: skip


@pytest.mark.django_db
def test_payment_writes_ngay_ttoan_and_requeues_the_claim(cashier, billable_visit):
    before = OutboxItem.objects.filter(visit=billable_visit, kind=OutboxKind.CLAIM)
    assert before.exists() and "<NGAY_TTOAN/>" in before.get().tables["XML1"]
    bill = services.bill_for_visit(cashier, billable_visit.pk)
    services.record_cash(cashier, bill.pk)
    bill.refresh_from_db()
    assert bill.claim_due  # the worker's job re-queues it, out of the payment's request
    assert requeue_claims() == 1 and requeue_claims() == 0
    current = (
        OutboxItem.objects.filter(visit=billable_visit, kind=OutboxKind.CLAIM)
        .exclude(state=OutboxState.SUPERSEDED)
        .get()
    )
    paid = bill.settled_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y%m%d%H%M")
    assert f"<NGAY_TTOAN>{paid}</NGAY_TTOAN>" in current.tables["XML1"]
    assert current.state in (OutboxState.WAITING, OutboxState.INVALID)
    assert OutboxItem.objects.filter(
        visit=billable_visit, kind=OutboxKind.CLAIM, state=OutboxState.SUPERSEDED
    ).exists()
