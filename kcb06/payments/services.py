"""Bills, cash and bank payments: every change goes through here and is audited.

Why the shape: a payment is one row per distinct money movement (the bank's transaction id is
unique, so the same notification delivered twice — even at the same instant — inserts once);
the bill's state is recomputed from its payments under a row lock, so two payments racing on
one bill cannot both see "pending"."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from kcb06.audit.services import Action, record_about
from kcb06.errors import DomainError, NotFound
from kcb06.facilities.models import Role
from kcb06.identity.vietqr import VietQr, build_vietqr
from kcb06.visits.models import Visit, VisitStatus

from . import config
from .lines import BillLine, visit_lines
from .models import Bill, BillState, Method, Payment
from .reference import candidate_references, new_reference, transfer_message

CASHIER_ROLES = (Role.CASHIER, Role.FACILITY_ADMIN)
OPEN_STATES = (BillState.PENDING, BillState.EXPIRED, BillState.AMOUNT_UNDER)


def _audit(principal, bill: Bill, what: str, **detail) -> None:
    record_about(
        principal,
        Action.UPDATE if what != "bill_issued" else Action.CREATE,
        "payments.bill",
        bill,
        what,
        patient_id=bill.visit.patient_id,
        facility_id=bill.facility_id,
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
    return issue_bill(principal, _visit_for(principal, visit_id))


def _paid_before(visit: Visit) -> int:
    """What earlier, settled bills of the visit already took (a registration fee paid at the
    kiosk, say), so a later bill asks only for the rest."""
    settled = (BillState.PAID, BillState.AMOUNT_OVER, BillState.PAID_AFTER_EXPIRY)
    return sum(b.amount for b in Bill.objects.filter(visit=visit, state__in=settled).only("amount"))


def _refuse_if_provisional(visit: Visit) -> None:
    """A visit checked in while the portal could not answer is billed with the re-check's
    final verdict, not the provisional one (the fund's share depends on it)."""
    if provisional(visit):
        raise DomainError(
            "eligibility_pending",
            "Thẻ BHYT của lượt khám đang chờ kiểm tra lại với cổng BHXH: chờ kết quả rồi mới "
            "lập hóa đơn (phần quỹ chi trả phụ thuộc vào kết quả).",
            "The card check is still pending: bill once the portal's verdict is in.",
            status=409,
        )


def provisional(visit: Visit) -> bool:
    from kcb06.eligibility.models import CheckStatus, EligibilityCheck

    if not visit.eligibility_check_id:
        return False
    return EligibilityCheck.objects.filter(
        pk=visit.eligibility_check_id, status=CheckStatus.PENDING
    ).exists()


def issue_bill(principal, visit: Visit) -> Bill:
    """Issue (or return the usable) bill of a visit the caller may see; shared by the cashier
    and the kiosk."""
    expire_due(Bill.objects.filter(visit=visit))
    bill = current_bill(visit)
    if bill is not None and bill.state not in (BillState.EXPIRED, BillState.PAID):
        return bill
    if visit.status == VisitStatus.CANCELLED:
        if bill is not None:
            return bill
        raise DomainError(
            "visit_cancelled",
            "Lượt khám đã hủy: không lập hóa đơn.",
            "The visit is cancelled: no bill is issued.",
        )
    _refuse_if_provisional(visit)
    lines, owed = visit_lines(visit)
    already = _paid_before(visit)
    if already:
        lines.append(BillLine("Đã thanh toán trước", "", "", 0, 0, -already))
    owed -= already
    if owed <= 0:
        if bill is not None:
            return bill  # paid in full: the settled bill is the answer
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
    if previous in OPEN_STATES and bill.paid_amount >= bill.amount and bill.visit.closed_at:
        bill.claim_due = True  # NGAY_TTOAN: the worker re-queues the claim (payments.jobs)
    bill.save(update_fields=["paid_amount", "state", "settled_at", "claim_due"])


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
    provisional: bool = False  # the card check still waits for the portal's re-check
    rechecked: bool = False  # the verdict shown is the re-check's, not the first answer

    @property
    def eligibility(self) -> str:
        from kcb06.eligibility.models import Outcome

        outcome = self.visit.eligibility_outcome
        return str(Outcome(outcome).label) if outcome in Outcome.values else outcome


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
    from kcb06.eligibility.models import CheckStatus, EligibilityCheck

    check_ids = [v.eligibility_check_id for v in visits if v.eligibility_check_id]
    checks = EligibilityCheck.objects.filter(pk__in=check_ids).values_list(
        "pk", "status", "attempts"
    )
    pending = {pk for pk, status, _n in checks if status == CheckStatus.PENDING}
    rechecked = {pk for pk, status, n in checks if status == CheckStatus.FINAL and n > 1}
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
            rows.append(
                VisitToPay(
                    visit,
                    owed,
                    bill,
                    provisional=visit.eligibility_check_id in pending,
                    rechecked=visit.eligibility_check_id in rechecked,
                )  # fmt: skip
            )
    return rows


def _current(bill: Bill | None) -> Bill:
    """The bill as it stands now (an expired one marked so), or NotFound."""
    if bill is None:
        raise NotFound("bill_not_found", "Không tìm thấy hóa đơn.", "No such bill.")
    expire_due(Bill.objects.filter(pk=bill.pk))
    bill.refresh_from_db(fields=["state", "paid_amount", "settled_at"])
    return bill


def bill_for(principal, bill_id: int) -> Bill:
    principal.require_role(*CASHIER_ROLES)
    bill = (
        Bill.objects.select_related("visit__patient")
        .filter(pk=bill_id, facility_id=principal.facility_id)
        .first()
    )
    return _current(bill)


# --- what the cashier does by hand ------------------------------------------------------------


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise DomainError(
            "reason_required",
            "Cần ghi lý do (ít nhất 5 ký tự) cho thao tác xác nhận thủ công.",
            "A reason (5 characters or more) is required.",
        )
    return reason[:255]


def _locked_bill(principal, bill_id: int | None = None, reference: str | None = None) -> Bill:
    query = Bill.objects.select_for_update().select_related("visit")
    query = query.filter(facility_id=principal.facility_id)
    bill = (query.filter(pk=bill_id) if bill_id else query.filter(reference=reference)).first()
    if bill is None:
        raise NotFound("bill_not_found", "Không tìm thấy hóa đơn.", "No such bill.")
    return bill


def confirm_transfer(
    principal, bill_id: int, transaction_id: str, amount, reason: str, source: str = "manual"
) -> Bill:
    """The cashier confirms a transfer the bank did not notify (seen in the patient's app or in
    the statement). The bank's transaction id is required: it is the same unique key a late
    webhook carries, so the late notification then answers "duplicate" and pays nothing more."""
    principal.require_role(*CASHIER_ROLES)
    reason = _reason(reason)
    transaction_id = (transaction_id or "").strip().upper()
    if not 4 <= len(transaction_id) <= 64:
        raise DomainError(
            "transaction_id_required",
            "Cần mã giao dịch ngân hàng (4–64 ký tự) như trên ứng dụng hoặc sao kê.",
            "The bank's transaction id (4-64 characters) is required.",
        )
    try:
        amount = int(str(amount).replace(".", "").replace(",", "").strip())
    except ValueError:
        amount = 0
    if not 0 < amount <= config.get_int("KCB06_PAYMENT_MAX_AMOUNT"):
        raise DomainError(
            "amount_invalid",
            "Số tiền phải là số nguyên đồng lớn hơn 0.",
            "The amount must be a whole number of đồng above 0.",
        )
    with transaction.atomic():
        bill = _locked_bill(principal, bill_id)
        if Payment.objects.filter(bank_transaction_id=transaction_id).exists():
            raise DomainError(
                "transaction_known",
                "Giao dịch này đã được ghi nhận trước đó: không ghi lần hai.",
                "This transaction is already recorded: not recorded twice.",
                status=409,
            )
        if bill.state == BillState.REFUNDED:
            raise DomainError(
                "bill_settled",
                "Hóa đơn đã hoàn tiền: không ghi nhận thêm.",
                "The bill is refunded: nothing more is recorded.",
                status=409,
            )
        payment = Payment.objects.create(
            facility_id=bill.facility_id,
            bill=bill,
            method=Method.VIETQR,
            amount=amount,
            bank_transaction_id=transaction_id,
            manual_reason=reason,
            recorded_by=principal.user,
        )
        _apply(bill, payment, timezone.now())
        _audit(
            principal,
            bill,
            "transfer_confirmed_by_hand",
            amount=amount,
            payment=payment.pk,
            reason=reason,
            source=source,
        )
    return bill


def unmatched_transfers(principal) -> list[Payment]:
    """Money with no bill: transfers whose message carried no reference we know."""
    principal.require_role(*CASHIER_ROLES)
    return list(
        Payment.objects.filter(bill__isnull=True, method=Method.VIETQR)
        .filter(Q(facility__isnull=True) | Q(facility_id=principal.facility_id))
        .order_by("-received_at")[:300]
    )


def attach_transfer(principal, payment_id: int, reference: str, reason: str) -> Bill:
    """Put an unmatched transfer on the bill the cashier identified (with a reason). The
    payment's row is locked, so two cashiers cannot attach it twice."""
    principal.require_role(*CASHIER_ROLES)
    reason = _reason(reason)
    refs = candidate_references(reference or "")
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .filter(pk=payment_id, bill__isnull=True, method=Method.VIETQR)
            .filter(Q(facility__isnull=True) | Q(facility_id=principal.facility_id))
            .first()
        )
        if payment is None:
            raise DomainError(
                "transfer_not_open",
                "Giao dịch không còn trong danh sách chưa khớp (đã được gán trước đó?).",
                "The transfer is no longer unmatched.",
                status=409,
            )
        if not refs:
            raise DomainError(
                "reference_required",
                "Nhập mã hóa đơn dạng KCBxxxxxx.",
                "Enter a bill reference (KCBxxxxxx).",
            )
        bill = _locked_bill(principal, reference=refs[0])
        payment.bill = bill
        payment.facility_id = bill.facility_id
        payment.manual_reason = reason
        payment.recorded_by = principal.user
        payment.save(update_fields=["bill", "facility", "manual_reason", "recorded_by"])
        _apply(bill, payment, timezone.now())
        _audit(
            principal, bill, "transfer_attached", amount=payment.amount, payment=payment.pk,
            reason=reason,
        )  # fmt: skip
    return bill


# --- the kiosk ---------------------------------------------------------------------------------

KIOSK_RECENT_HOURS = 12


def kiosk_bill(principal, token: str) -> Bill:
    """The patient at the kiosk, holding their ticket (its QR token): their visit's bill."""
    from kcb06.visits.kiosk import KIOSK_ROLES
    from kcb06.visits.models import Ticket

    principal.require_role(*KIOSK_ROLES)
    token = (token or "").strip()
    ticket = (
        Ticket.objects.select_related("visit__facility")
        .filter(token=token, visit__facility_id=principal.facility_id)
        .first()
        if 8 <= len(token) <= 32
        else None
    )
    if ticket is None:
        raise NotFound(
            "ticket_not_found",
            "Không đọc được phiếu: hãy quét lại mã QR trên phiếu số thứ tự.",
            "No such ticket here: scan the ticket's QR again.",
        )
    return issue_bill(principal, ticket.visit)


def kiosk_bill_by_reference(principal, reference: str) -> Bill:
    """A bill the kiosk showed lately (its state and receipt), by reference and facility."""
    from kcb06.visits.kiosk import KIOSK_ROLES

    principal.require_role(*KIOSK_ROLES)
    since = timezone.now() - timedelta(hours=KIOSK_RECENT_HOURS)
    bill = (
        Bill.objects.select_related("visit__patient", "facility")
        .filter(reference=reference, facility_id=principal.facility_id, created_at__gte=since)
        .first()
    )
    return _current(bill)
