"""The cashier's pages: today's visits to bill, one bill with its VietQR, cash, live state."""

import segno
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kcb06.audit.services import read_personal
from kcb06.errors import DomainError
from kcb06.facilities.access import role_required
from kcb06.visits.kiosk import KIOSK_ROLES

from . import config, services, statements
from .models import BillState
from .receipts import receipt_pdf
from .reference import transfer_message
from .report import cashless_share
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
    context["oob"] = True  # a settled state also replaces the QR card (hx-swap-oob)
    return render(request, "payments/_state.html", context)


@role_required(*ROLES)
@require_POST
def cash(request, bill_id: int):
    try:
        services.record_cash(request.principal, bill_id)
    except DomainError as exc:
        return _error(request, exc)
    return redirect("payments:bill", bill_id=bill_id)


# --- states the cashier acts on ---------------------------------------------------------------


@role_required(*ROLES)
@require_POST
def confirm(request, bill_id: int):
    """Confirm by hand a transfer the bank did not notify (reason and the bank's id)."""
    try:
        services.confirm_transfer(
            request.principal,
            bill_id,
            request.POST.get("transaction_id", ""),
            request.POST.get("amount", ""),
            request.POST.get("reason", ""),
        )
    except DomainError as exc:
        return _error(request, exc)
    return redirect("payments:bill", bill_id=bill_id)


@role_required(*ROLES)
@require_POST
def refund(request, bill_id: int):
    try:
        services.refund(request.principal, bill_id, request.POST.get("reason", ""))
    except DomainError as exc:
        return _error(request, exc)
    return redirect("payments:bill", bill_id=bill_id)


@role_required(*ROLES)
@require_GET
def unmatched(request):
    rows = read_personal(
        request.principal,
        lambda: services.unmatched_transfers(request.principal),
        what="payments.unmatched",
        patient_id=None,
        purpose=PURPOSE,
    )
    return render(request, "payments/unmatched.html", {"rows": rows})


@role_required(*ROLES)
@require_POST
def attach(request, payment_id: int):
    try:
        bill = services.attach_transfer(
            request.principal,
            payment_id,
            request.POST.get("reference", ""),
            request.POST.get("reason", ""),
        )
    except DomainError as exc:
        return _error(request, exc)
    return redirect("payments:bill", bill_id=bill.pk)


def _pdf(content: bytes, name: str) -> HttpResponse:
    resp = HttpResponse(content, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{name}"'
    return resp


@role_required(*ROLES)
@require_GET
def receipt(request, bill_id: int):
    size = "a4" if request.GET.get("size") == "a4" else "80mm"
    try:
        b = _bill_context(request, bill_id)["bill"]
    except DomainError as exc:
        return _error(request, exc)
    return _pdf(receipt_pdf(b, size), f"bien-lai-{b.reference}-{size}.pdf")


# --- reconciliation ----------------------------------------------------------------------------


@role_required(*ROLES)
@require_http_methods(["GET", "POST"])
def statements_page(request):
    from .models import PaymentSettings, StatementImport

    settings_row = PaymentSettings.objects.filter(facility_id=request.principal.facility_id).first()
    context = {
        "layouts": statements.layouts(),
        "layout": settings_row.statement_layout if settings_row else "vcb",
        "day": timezone.localdate().isoformat(),
        "recent": StatementImport.objects.filter(
            facility_id=request.principal.facility_id
        ).order_by("-imported_at")[:20],
    }
    if request.method == "POST":
        upload = request.FILES.get("file")
        context["layout"] = request.POST.get("layout", context["layout"])
        context["day"] = request.POST.get("day", context["day"])
        try:
            day = parse_date(context["day"] or "")
            if day is None:
                raise DomainError("statement_day", "Ngày sao kê không hợp lệ.", "Bad day.")
            if upload is None:
                raise DomainError(
                    "statement_file", "Chọn tệp sao kê (.csv hoặc .xlsx).", "Choose a file."
                )
            statement = statements.import_statement(
                request.principal, upload.read(), upload.name, context["layout"], day
            )
        except DomainError as exc:
            context["error"] = exc
            return render(request, "payments/statements.html", context, status=400)
        return redirect("payments:statement", statement_id=statement.pk)
    return render(request, "payments/statements.html", context)


@role_required(*ROLES)
@require_GET
def statement(request, statement_id: int):
    try:
        rec = read_personal(
            request.principal,
            lambda: statements.reconciliation(request.principal, statement_id),
            what="payments.statement",
            patient_id=None,
            purpose=PURPOSE,
            object_id=statement_id,
        )
    except DomainError as exc:
        return _error(request, exc)
    problems = [line for line in rec.lines if line.match != "matched"]
    return render(
        request,
        "payments/statement.html",
        {
            "rec": rec,
            "problems": problems[:500],
            "matched": rec.count("matched"),
            "total": len(rec.lines),
        },
    )


@role_required(*ROLES)
@require_POST
def confirm_line(request, line_id: int):
    try:
        statements.confirm_line(request.principal, line_id, request.POST.get("reason", ""))
    except DomainError as exc:
        return _error(request, exc)
    return redirect("payments:statement", statement_id=int(request.POST.get("statement", 0)))


# --- the daily cash report ---------------------------------------------------------------------


@role_required(*ROLES)
@require_GET
def cash_report(request):
    day = parse_date(request.GET.get("day", "") or "") or timezone.localdate()
    share = cashless_share(request.principal.facility_id, day)
    return render(request, "payments/report.html", {"share": share, "day": day})


# --- the kiosk -------------------------------------------------------------------------------


def _kiosk_render(request, context: dict, status: int = 200):
    template = (
        "payments/_kiosk_pay.html" if request.headers.get("HX-Request") else "payments/kiosk.html"
    )
    context.setdefault("idle_seconds", django_settings.KCB06_KIOSK_IDLE_SECONDS)
    return render(request, template, context, status=status)


@role_required(*KIOSK_ROLES)
@require_http_methods(["GET", "POST"])
def kiosk_pay(request):
    """GET: "scan your ticket"; POST with the ticket's token: what is owed and the VietQR."""
    if request.method == "GET":
        return _kiosk_render(request, {"step": "scan"})
    try:
        b = services.kiosk_bill(request.principal, request.POST.get("token", ""))
    except DomainError as exc:
        return _kiosk_render(request, {"step": "error", "error": exc}, status=exc.status)
    return _kiosk_render(request, _kiosk_bill_context(b))


def _kiosk_bill_context(b) -> dict:
    outstanding = max(b.amount - b.paid_amount, 0)
    context = {
        "step": "bill",
        "bill": b,
        "outstanding": outstanding,
        "polling": b.state == BillState.PENDING,
        "paid": b.state in (BillState.PAID, BillState.PAID_AFTER_EXPIRY, BillState.AMOUNT_OVER),
        "advice": services.STATE_ADVICE.get(b.state, ""),
    }
    if b.state in (BillState.PENDING, BillState.AMOUNT_UNDER):
        context["qr_svg"] = segno.make(services.bill_qr(b), error="m").svg_inline(
            scale=6, title="VietQR"
        )
        context.update(
            bank_name=config.get("KCB06_PAYMENT_BANK_NAME"),
            account=config.get("KCB06_PAYMENT_ACCOUNT"),
            account_name=config.get("KCB06_PAYMENT_ACCOUNT_NAME"),
            message=transfer_message(b.reference),
            words=amount_in_words(outstanding or b.amount),
        )
    return context


@role_required(*KIOSK_ROLES)
@require_GET
def kiosk_state(request, reference: str):
    """The kiosk's state panel, polled by htmx until the bank confirms (no name shown)."""
    try:
        b = services.kiosk_bill_by_reference(request.principal, reference)
    except DomainError as exc:
        return _kiosk_render(request, {"step": "error", "error": exc}, status=exc.status)
    return render(request, "payments/_kiosk_state.html", _kiosk_bill_context(b))


@role_required(*KIOSK_ROLES)
@require_GET
def kiosk_receipt(request, reference: str):
    try:
        b = services.kiosk_bill_by_reference(request.principal, reference)
    except DomainError as exc:
        return _kiosk_render(request, {"step": "error", "error": exc}, status=exc.status)
    if b.paid_amount <= 0:
        return _kiosk_render(
            request,
            {
                "step": "error",
                "error": DomainError(
                    "not_paid", "Hóa đơn chưa được thanh toán.", "The bill is not paid yet."
                ),
            },
            status=409,
        )
    return _pdf(receipt_pdf(b, "80mm"), f"bien-lai-{b.reference}.pdf")
