"""Bills, cash and bank payments: every change goes through here and is audited.

Why the shape: a payment is one row per distinct money movement (the bank's transaction id is
unique, so the same notification delivered twice — even at the same instant — inserts once);
the bill's state is recomputed from its payments under a row lock, so two payments racing on
one bill cannot both see "pending"."""

import json
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from kcb06.audit.services import Action, record
from kcb06.errors import DomainError, NotFound
from kcb06.facilities.models import Role
from kcb06.identity.vietqr import VietQr, build_vietqr
from kcb06.visits.models import Visit, VisitStatus

from . import config
from .lines import visit_lines
from .models import BankNotification, Bill, BillState, Method, Payment
from .reference import candidate_references, new_reference, transfer_message
from .signature import verify

CASHIER_ROLES = (Role.CASHIER, Role.FACILITY_ADMIN)
OPEN_STATES = (BillState.PENDING, BillState.EXPIRED, BillState.AMOUNT_UNDER)


def _audit(principal, bill: Bill, what: str, **detail) -> None:
    record(
        principal,
        Action.UPDATE if what != "bill_issued" else Action.CREATE,
        object_type="payments.bill",
        object_id=bill.pk,
        patient_id=bill.visit.patient_id,
        facility_id=bill.facility_id,
        purpose=what,
        detail={"reference": bill.reference, "state": bill.state, **detail},
    )


# --- bills ---------------------------------------------------------------------------------


def _visit_for(principal, visit_id: int) -> Visit:
    principal.require_role(*CASHIER_ROLES)
    visit = (
        Visit.objects.select_related("patient", "facility")
        .filter(pk=visit_id, facility_id=principal.facility_id)
        .first()
    )
    if visit is None:
        raise NotFound(
            "visit_not_found", "Không tìm thấy lượt khám này.", "No such visit at your facility."
        )
    return visit


def expire_due(bills=None, now=None) -> int:
    """Mark pending bills past their expiry as expired (audited); returns how many."""
    now = now or timezone.now()
    due = (bills if bills is not None else Bill.objects).filter(
        state=BillState.PENDING, expires_at__lt=now
    )
    count = 0
    for bill in due.select_related("visit"):
        with transaction.atomic():
            locked = Bill.objects.select_for_update().get(pk=bill.pk)
            if locked.state != BillState.PENDING:
                continue
            locked.state = BillState.EXPIRED
            locked.save(update_fields=["state"])
            bill.state = BillState.EXPIRED
            _audit(None, bill, "bill_expired")
            count += 1
    return count


def current_bill(visit: Visit) -> Bill | None:
    return Bill.objects.filter(visit=visit).order_by("-created_at", "-pk").first()


def bill_for_visit(principal, visit_id: int) -> Bill:
    """The visit's bill: the current one when it is still usable or settled, else a new one
    with the amount the claim data says the patient owes and a fresh reference."""
    visit = _visit_for(principal, visit_id)
    expire_due(Bill.objects.filter(visit=visit))
    bill = current_bill(visit)
    if bill is not None and bill.state != BillState.EXPIRED:
        return bill
    if visit.status == VisitStatus.CANCELLED:
        raise DomainError(
            "visit_cancelled",
            "Lượt khám đã hủy: không lập hóa đơn.",
            "The visit is cancelled: no bill is issued.",
        )
    lines, owed = visit_lines(visit)
    if owed <= 0:
        raise DomainError(
            "nothing_to_pay",
            "Lượt khám chưa có khoản nào người bệnh phải trả.",
            "The visit has nothing for the patient to pay yet.",
        )
    minutes = config.get_int("KCB06_BILL_EXPIRY_MINUTES")
    for _attempt in range(5):  # a reference collision is ~1e-9; retry rather than fail
        try:
            with transaction.atomic():
                bill = Bill.objects.create(
                    facility=visit.facility,
                    visit=visit,
                    reference=new_reference(),
                    amount=owed,
                    lines=[line.as_dict() for line in lines],
                    expires_at=timezone.now() + timedelta(minutes=minutes),
                    created_by=principal.user,
                )
                _audit(principal, bill, "bill_issued", amount=owed)
            return bill
        except IntegrityError:
            existing = current_bill(visit)
            if existing is not None and existing.state == BillState.PENDING:
                return existing  # another cashier issued it at the same moment
    raise DomainError("bill_reference", "Không tạo được mã hóa đơn.", "No bill reference left.")


def bill_qr(bill: Bill) -> str:
    """The VietQR text for the bill's outstanding amount to the facility's account."""
    outstanding = max(bill.amount - bill.paid_amount, 0) or bill.amount
    return build_vietqr(
        VietQr(
            bank_bin=config.get("KCB06_PAYMENT_BANK_BIN"),
            account=config.get("KCB06_PAYMENT_ACCOUNT"),
            amount=outstanding,
            purpose=transfer_message(bill.reference),
            bill_number=bill.reference,
        )
    )


# --- payments ------------------------------------------------------------------------------


def _apply(bill: Bill, payment: Payment, now) -> None:
    """Recompute the (locked) bill's state after `payment` was added to it."""
    previous = bill.state
    bill.paid_amount += payment.amount
    if bill.visit.status == VisitStatus.CANCELLED:
        bill.state = BillState.VISIT_CANCELLED
    elif (
        payment.method == Method.VIETQR and previous == BillState.PENDING and now > bill.expires_at
    ):
        bill.state = BillState.PAID_AFTER_EXPIRY
    elif payment.method == Method.VIETQR and previous == BillState.EXPIRED:
        bill.state = BillState.PAID_AFTER_EXPIRY
    elif bill.paid_amount == bill.amount:
        bill.state = BillState.PAID
    elif bill.paid_amount > bill.amount:
        bill.state = BillState.AMOUNT_OVER
    else:
        bill.state = BillState.AMOUNT_UNDER
    bill.settled_at = now
    bill.save(update_fields=["paid_amount", "state", "settled_at"])


def record_cash(principal, bill_id: int) -> Bill:
    """The cashier took the outstanding amount in cash: recorded like a transfer."""
    principal.require_role(*CASHIER_ROLES)
    with transaction.atomic():
        bill = (
            Bill.objects.select_for_update()
            .select_related("visit")
            .filter(pk=bill_id, facility_id=principal.facility_id)
            .first()
        )
        if bill is None:
            raise NotFound("bill_not_found", "Không tìm thấy hóa đơn.", "No such bill.")
        if bill.state not in OPEN_STATES:
            raise DomainError(
                "bill_settled",
                f"Hóa đơn đang ở trạng thái “{bill.get_state_display()}”: không thu thêm.",
                f"The bill is {bill.state}: nothing more to collect.",
                status=409,
            )
        outstanding = bill.amount - bill.paid_amount
        payment = Payment.objects.create(
            facility_id=bill.facility_id,
            bill=bill,
            method=Method.CASH,
            amount=outstanding,
            recorded_by=principal.user,
        )
        _apply(bill, payment, timezone.now())
        _audit(principal, bill, "cash_received", amount=outstanding, payment=payment.pk)
    return bill


@dataclass
class WebhookResult:
    status: int
    body: dict = field(default_factory=dict)


def _refusal(status: int, code: str, vi: str, en: str) -> WebhookResult:
    return WebhookResult(status, {"error": {"code": code, "message_vi": vi, "message_en": en}})


def _parse_notification(raw: bytes) -> dict | WebhookResult:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        return _refusal(
            400, "webhook_body", "Nội dung không phải JSON hợp lệ.", "The body is not JSON."
        )
    for key in ("notification_id", "transaction_id"):
        value = data.get(key)
        if not isinstance(value, str) or not 1 <= len(value) <= 64:
            return _refusal(
                400, "webhook_field", f"Thiếu hoặc sai trường {key}.", f"Missing or bad {key}."
            )
    if not isinstance(data.get("message", ""), str):
        return _refusal(400, "webhook_field", "Sai trường message.", "Bad message field.")
    return data


def receive_notification(raw: bytes, timestamp: str | None, signature: str | None):
    """One bank call -> WebhookResult. Refusals (401/400) record nothing but the refusal;
    every authenticated call is kept as a BankNotification, and pays at most once."""
    verify(timestamp, signature, raw)  # raises WebhookRefused (401)
    data = _parse_notification(raw)
    if isinstance(data, WebhookResult):
        return data
    amount = data.get("amount")
    limit = config.get_int("KCB06_PAYMENT_MAX_AMOUNT")
    amount_ok = isinstance(amount, int) and not isinstance(amount, bool) and 0 < amount <= limit
    now = timezone.now()
    try:
        with transaction.atomic():
            note = BankNotification.objects.create(
                notification_id=data["notification_id"],
                transaction_id=data["transaction_id"],
                body=data,
                outcome="received",
            )
            if not amount_ok:
                note.outcome = "refused_amount"
                note.save(update_fields=["outcome"])
                refusal = _refusal(
                    400,
                    "webhook_amount",
                    f"Số tiền {amount!r} không hợp lệ (phải là số nguyên đồng, 1..{limit}).",
                    f"Amount {amount!r} is not valid (whole đồng, 1..{limit}).",
                )
                return refusal
            result = _record_transfer(note, data, amount, now)
    except IntegrityError:
        return _refusal(
            400,
            "webhook_replayed",
            "Lời gọi này đã nhận trước đó (cùng notification_id): từ chối phát lại.",
            "This call was already received (same notification_id): replay refused.",
        )
    return result


def _record_transfer(note: BankNotification, data: dict, amount: int, now) -> WebhookResult:
    refs = candidate_references(data.get("message", ""))
    bill = (
        Bill.objects.select_for_update().select_related("visit").filter(reference__in=refs).first()
        if refs
        else None
    )
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                facility_id=bill.facility_id if bill else None,
                bill=bill,
                method=Method.VIETQR,
                amount=amount,
                bank_transaction_id=data["transaction_id"],
                message=str(data.get("message", ""))[:255],
            )
    except IntegrityError:
        note.outcome = "duplicate"
        note.save(update_fields=["outcome"])
        original = Payment.objects.select_related("bill").get(
            bank_transaction_id=data["transaction_id"]
        )
        return WebhookResult(
            200,
            {
                "outcome": "duplicate",
                "reference": original.bill.reference if original.bill else None,
                "state": original.bill.state if original.bill else "unmatched",
            },
        )
    if bill is None:
        note.outcome = "unmatched"
        note.save(update_fields=["outcome"])
        record(
            None,
            Action.CREATE,
            object_type="payments.payment",
            object_id=payment.pk,
            purpose="unmatched_transfer",
            detail={"amount": amount, "transaction_id": data["transaction_id"]},
        )
        return WebhookResult(200, {"outcome": "unmatched", "reference": None, "state": None})
    _apply(bill, payment, now)
    note.outcome = bill.state
    note.save(update_fields=["outcome"])
    _audit(None, bill, "transfer_received", amount=amount, payment=payment.pk)
    return WebhookResult(
        200, {"outcome": "recorded", "reference": bill.reference, "state": bill.state}
    )


def refund(principal, bill_id: int, reason: str) -> Bill:
    """Mark money given back (the transfer itself is made in the bank's own system)."""
    principal.require_role(*CASHIER_ROLES)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "Cần ghi lý do hoàn tiền.", "A reason is required.")
    with transaction.atomic():
        bill = (
            Bill.objects.select_for_update()
            .select_related("visit")
            .filter(pk=bill_id, facility_id=principal.facility_id)
            .first()
        )
        if bill is None:
            raise NotFound("bill_not_found", "Không tìm thấy hóa đơn.", "No such bill.")
        if bill.paid_amount <= 0 or bill.state == BillState.REFUNDED:
            raise DomainError(
                "nothing_to_refund", "Hóa đơn không có tiền để hoàn.", "Nothing to refund.", 409
            )
        bill.state = BillState.REFUNDED
        bill.save(update_fields=["state"])
        _audit(principal, bill, "bill_refunded", reason=reason[:255], amount=bill.paid_amount)
    return bill


# --- the cashier's page ----------------------------------------------------------------------

STATE_ADVICE = {
    BillState.PENDING: "Chờ người bệnh quét mã và chuyển khoản; trang tự cập nhật khi ngân hàng báo có.",
    BillState.PAID: "Đã thu đủ.",
    BillState.EXPIRED: "Mã QR đã hết hạn: bấm “Lập lại mã QR” hoặc thu tiền mặt.",
    BillState.AMOUNT_OVER: "Người bệnh trả thừa: hoàn lại phần chênh lệch và ghi hoàn tiền.",
    BillState.AMOUNT_UNDER: "Người bệnh trả thiếu: thu thêm phần còn lại (tiền mặt hoặc chuyển khoản).",
    BillState.PAID_AFTER_EXPIRY: "Tiền đến sau khi mã hết hạn: đối chiếu số tiền rồi xác nhận với người bệnh.",
    BillState.VISIT_CANCELLED: "Lượt khám đã hủy nhưng đã nhận tiền: hoàn tiền cho người bệnh.",
    BillState.REFUNDED: "Đã hoàn tiền.",
}


@dataclass
class VisitToPay:
    visit: Visit
    owed: int
    bill: Bill | None


def visits_to_pay(principal, query: str = "") -> list[VisitToPay]:
    """Today's visits at the cashier's facility that have something to pay or a bill."""
    from kcb06.identity.names import fold_name

    principal.require_role(*CASHIER_ROLES)
    today = timezone.localdate()
    visits = (
        Visit.objects.select_related("patient")
        .filter(facility_id=principal.facility_id, visit_date=today)
        .order_by("-arrived_at")[:300]
    )
    needle = fold_name(query).strip() if query else ""
    bills = {}
    for bill in Bill.objects.filter(visit__in=[v.pk for v in visits]).order_by("created_at", "pk"):
        bills[bill.visit_id] = bill  # the latest wins
    rows = []
    for visit in visits:
        if (
            needle
            and needle not in fold_name(visit.patient.full_name)
            and needle not in fold_name(visit.ma_lk)
        ):
            continue
        bill = bills.get(visit.pk)
        owed = bill.amount if bill else visit_lines(visit)[1]
        if owed > 0 or bill is not None:
            rows.append(VisitToPay(visit, owed, bill))
    return rows


def bill_for(principal, bill_id: int) -> Bill:
    principal.require_role(*CASHIER_ROLES)
    bill = (
        Bill.objects.select_related("visit__patient")
        .filter(pk=bill_id, facility_id=principal.facility_id)
        .first()
    )
    if bill is None:
        raise NotFound("bill_not_found", "Không tìm thấy hóa đơn.", "No such bill.")
    expire_due(Bill.objects.filter(pk=bill.pk))
    bill.refresh_from_db(fields=["state", "paid_amount", "settled_at"])
    return bill
