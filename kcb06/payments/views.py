"""The cashier's pages: today's visits to bill, one bill with its VietQR, cash, live state."""

from functools import wraps

import segno
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kcb06.audit.services import read_personal
from kcb06.errors import DomainError
from kcb06.facilities.access import refusals_answered, refusals_shown, role_required
from kcb06.visits.kiosk import KIOSK_ROLES

from . import config, services, statements
from .models import BillState
from .receipts import receipt_pdf
from .reference import transfer_message
from .report import cashless_share
from .words import amount_in_words

PURPOSE = "thu viện phí"
ROLES = services.CASHIER_ROLES


def _cashier_action(to: str = "bill"):
    """A cashier's POST: the view does it and answers the id of the page to go back to
    (`to`: the bill, or the statement); a refusal is the error page."""

    def decorator(view):
        @role_required(*ROLES)
        @require_POST
        @refusals_shown
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            return redirect(f"payments:{to}", **{f"{to}_id": view(request, *args, **kwargs)})

        return wrapper

    return decorator


def _cashier_read(request, what: str, fetch, object_id: str | int = ""):
    """`fetch()` and its audit row, one step: the cashier's pages show several patients' bills,
    so the row names the page and the object, not a patient."""
    return read_personal(
        request.principal,
        fetch,
        what=f"payments.{what}",
        patient_id=None,
        purpose=PURPOSE,
        object_id=object_id,
    )


@role_required(*ROLES)
@require_GET
def bills(request):
    query = request.GET.get("q", "")[:100]
    rows = _cashier_read(
        request, "visits_to_pay", lambda: services.visits_to_pay(request.principal, query)
    )
    template = (
        "payments/_visit_rows.html" if request.headers.get("HX-Request") else "payments/bills.html"
    )
    return render(request, template, {"rows": rows, "query": query})


@_cashier_action()
def issue(request, visit_id: int) -> int:
    return services.bill_for_visit(request.principal, visit_id).pk


def _bill_context(request, bill_id: int, audited: bool = True) -> dict:
    """`audited`: the full bill (patient's name, lines) is a recorded read; the state panel
    htmx polls every 2 s shows only the state and amounts, so it does not add a row each time."""
    fetch = lambda: services.bill_for(request.principal, bill_id)  # noqa: E731
    bill = _cashier_read(request, "bill", fetch, bill_id) if audited else fetch()
    return {
        "bill": bill,
        "outstanding": max(bill.amount - bill.paid_amount, 0),
        "advice": services.STATE_ADVICE.get(bill.state, ""),
        "polling": bill.state == BillState.PENDING,
        "can_take_cash": bill.state in services.OPEN_STATES,
    }


def _transfer_details(b, outstanding: int) -> dict:
    """What the patient types into a banking app when not scanning the QR."""
    return {
        "bank_name": config.get("KCB06_PAYMENT_BANK_NAME"),
        "account": config.get("KCB06_PAYMENT_ACCOUNT"),
        "account_name": config.get("KCB06_PAYMENT_ACCOUNT_NAME"),
        "message": transfer_message(b.reference),
        "words": amount_in_words(outstanding or b.amount),
    }


@role_required(*ROLES)
@require_GET
@refusals_shown
def bill(request, bill_id: int):
    context = _bill_context(request, bill_id)
    b = context["bill"]
    if b.state in (BillState.PENDING, BillState.AMOUNT_UNDER):
        qr_text = services.bill_qr(b)
        context["qr_svg"] = segno.make(qr_text, error="m").svg_inline(scale=5, title="VietQR")
    context.update(
        _transfer_details(b, context["outstanding"]), bank_bin=config.get("KCB06_PAYMENT_BANK_BIN")
    )
    return render(request, "payments/bill.html", context)


@role_required(*ROLES)
@require_GET
@refusals_shown
def bill_state(request, bill_id: int):
    """The state panel alone: htmx polls it while the bill waits for the bank."""
    context = _bill_context(request, bill_id, audited=False)
    context["oob"] = True  # a settled state also replaces the QR card (hx-swap-oob)
    return render(request, "payments/_state.html", context)


@_cashier_action()
def cash(request, bill_id: int) -> int:
    services.record_cash(request.principal, bill_id)
    return bill_id


# --- states the cashier acts on ---------------------------------------------------------------


@_cashier_action()
def confirm(request, bill_id: int) -> int:
    """Confirm by hand a transfer the bank did not notify (reason and the bank's id)."""
    got = request.POST.get
    services.confirm_transfer(
        request.principal, bill_id, got("transaction_id", ""), got("amount", ""), got("reason", "")
    )
    return bill_id


@_cashier_action()
def refund(request, bill_id: int) -> int:
    services.refund(request.principal, bill_id, request.POST.get("reason", ""))
    return bill_id


@role_required(*ROLES)
@require_GET
def unmatched(request):
    rows = _cashier_read(
        request, "unmatched", lambda: services.unmatched_transfers(request.principal)
    )
    return render(request, "payments/unmatched.html", {"rows": rows})


@_cashier_action()
def attach(request, payment_id: int) -> int:
    got = request.POST.get
    return services.attach_transfer(
        request.principal, payment_id, got("reference", ""), got("reason", "")
    ).pk


def _pdf(content: bytes, name: str) -> HttpResponse:
    resp = HttpResponse(content, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{name}"'
    return resp


@role_required(*ROLES)
@require_GET
@refusals_shown
def receipt(request, bill_id: int):
    size = "a4" if request.GET.get("size") == "a4" else "80mm"
    b = _bill_context(request, bill_id)["bill"]
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
@refusals_shown
def statement(request, statement_id: int):
    rec = _cashier_read(
        request,
        "statement",
        lambda: statements.reconciliation(request.principal, statement_id),
        statement_id,
    )
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


@_cashier_action(to="statement")
def confirm_line(request, line_id: int) -> int:
    statements.confirm_line(request.principal, line_id, request.POST.get("reason", ""))
    return int(request.POST.get("statement", 0))


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


def _kiosk_error(request, exc: DomainError):
    """A refusal said on the kiosk's own screen."""
    return _kiosk_render(request, {"step": "error", "error": exc}, status=exc.status)


_kiosk_refusals_shown = refusals_answered(_kiosk_error)


@role_required(*KIOSK_ROLES)
@require_http_methods(["GET", "POST"])
@_kiosk_refusals_shown
def kiosk_pay(request):
    """GET: "scan your ticket"; POST with the ticket's token: what is owed and the VietQR."""
    if request.method == "GET":
        return _kiosk_render(request, {"step": "scan"})
    b = services.kiosk_bill(request.principal, request.POST.get("token", ""))
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
        context.update(_transfer_details(b, outstanding))
    return context


@role_required(*KIOSK_ROLES)
@require_GET
@_kiosk_refusals_shown
def kiosk_state(request, reference: str):
    """The kiosk's state panel, polled by htmx until the bank confirms (no name shown)."""
    b = services.kiosk_bill_by_reference(request.principal, reference)
    return render(request, "payments/_kiosk_state.html", _kiosk_bill_context(b))


@role_required(*KIOSK_ROLES)
@require_GET
@_kiosk_refusals_shown
def kiosk_receipt(request, reference: str):
    b = services.kiosk_bill_by_reference(request.principal, reference)
    if b.paid_amount <= 0:
        raise DomainError(
            "not_paid", "Hóa đơn chưa được thanh toán.", "The bill is not paid yet.", 409
        )
    return _pdf(receipt_pdf(b, "80mm"), f"bien-lai-{b.reference}.pdf")
