"""The cashier's pages: today's visits to bill, one bill with its VietQR, cash, live state."""

import segno
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from kcb06.audit.services import read_personal
from kcb06.errors import DomainError
from kcb06.facilities.access import role_required

from . import config, services
from .models import BillState
from .reference import transfer_message
from .words import amount_in_words

PURPOSE = "thu viện phí"
ROLES = services.CASHIER_ROLES


def _error(request, exc: DomainError):
    return render(
        request,
        "web/error.html",
        {"title": "Không thực hiện được", "message": exc.message_vi, "code": exc.code},
        status=exc.status,
    )


@role_required(*ROLES)
@require_GET
def bills(request):
    query = request.GET.get("q", "")[:100]
    rows = read_personal(
        request.principal,
        lambda: services.visits_to_pay(request.principal, query),
        what="payments.visits_to_pay",
        patient_id=None,
        purpose=PURPOSE,
    )
    template = (
        "payments/_visit_rows.html" if request.headers.get("HX-Request") else "payments/bills.html"
    )
    return render(request, template, {"rows": rows, "query": query})


@role_required(*ROLES)
@require_POST
def issue(request, visit_id: int):
    try:
        bill = services.bill_for_visit(request.principal, visit_id)
    except DomainError as exc:
        return _error(request, exc)
    return redirect("payments:bill", bill_id=bill.pk)


def _bill_context(request, bill_id: int, audited: bool = True) -> dict:
    """`audited`: the full bill (patient's name, lines) is a recorded read; the state panel
    htmx polls every 2 s shows only the state and amounts, so it does not add a row each time."""
    fetch = lambda: services.bill_for(request.principal, bill_id)  # noqa: E731
    bill = (
        read_personal(
            request.principal,
            fetch,
            what="payments.bill",
            patient_id=None,
            purpose=PURPOSE,
            object_id=bill_id,
        )
        if audited
        else fetch()
    )
    return {
        "bill": bill,
        "outstanding": max(bill.amount - bill.paid_amount, 0),
        "advice": services.STATE_ADVICE.get(bill.state, ""),
        "polling": bill.state == BillState.PENDING,
        "can_take_cash": bill.state in services.OPEN_STATES,
    }


@role_required(*ROLES)
@require_GET
def bill(request, bill_id: int):
    try:
        context = _bill_context(request, bill_id)
    except DomainError as exc:
        return _error(request, exc)
    b = context["bill"]
    if b.state in (BillState.PENDING, BillState.AMOUNT_UNDER):
        qr_text = services.bill_qr(b)
        context["qr_svg"] = segno.make(qr_text, error="m").svg_inline(scale=5, title="VietQR")
    context.update(
        bank_name=config.get("KCB06_PAYMENT_BANK_NAME"),
        bank_bin=config.get("KCB06_PAYMENT_BANK_BIN"),
        account=config.get("KCB06_PAYMENT_ACCOUNT"),
        account_name=config.get("KCB06_PAYMENT_ACCOUNT_NAME"),
        message=transfer_message(b.reference),
        words=amount_in_words(context["outstanding"] or b.amount),
    )
    return render(request, "payments/bill.html", context)


@role_required(*ROLES)
@require_GET
def bill_state(request, bill_id: int):
    """The state panel alone: htmx polls it while the bill waits for the bank."""
    try:
        context = _bill_context(request, bill_id, audited=False)
    except DomainError as exc:
        return _error(request, exc)
    return render(request, "payments/_state.html", context)


@role_required(*ROLES)
@require_POST
def cash(request, bill_id: int):
    try:
        services.record_cash(request.principal, bill_id)
    except DomainError as exc:
        return _error(request, exc)
    return redirect("payments:bill", bill_id=bill_id)
