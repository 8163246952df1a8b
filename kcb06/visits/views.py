"""Pages: reception desk, kiosk, queue board, clinician call page, ticket print. Thin: parse the
form, call kcb06.visits.services, render. Scan texts travel in POST bodies only, never URLs."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from kcb06.errors import DomainError
from kcb06.facilities.access import role_required
from kcb06.facilities.models import Department, Role
from kcb06.identity import IdentityError
from kcb06.identity.cccd import parse_date
from kcb06.visits import departments, queue, services
from kcb06.visits.tickets import qr_svg, ticket_pdf

DESK = (Role.RECEPTION, Role.FACILITY_ADMIN)
QUEUE = (Role.CLINICIAN, Role.RECEPTION, Role.FACILITY_ADMIN)


def _birth_date(text: str):
    """The details form's date as the clerk types it, day first (15/08/1985, 15081985); an ISO
    date is the form's own hidden copy. A browser's date input would have followed the
    browser's locale, month first in an English one. Unreadable text is passed on, and the
    service asks again (needs_details)."""
    text = (text or "").strip()
    try:
        return date.fromisoformat(text) if "-" in text else parse_date(text, "date_of_birth")
    except (ValueError, IdentityError):
        return text


def _confirm(post) -> dict:
    return {
        "full_name": post.get("full_name", ""),
        "date_of_birth": _birth_date(post.get("date_of_birth", "")),
        "sex": post.get("sex", ""),
        "link_patient_id": post.get("link_patient_id") or None,
        "create_new": post.get("create_new") == "1",
    }


def _error(request, template: str, exc: DomainError, extra: dict | None = None, status=200):
    # htmx swaps only 2xx bodies by default: the error is content for the clerk, so answer 200.
    ctx = {"error": exc, "candidates": getattr(exc, "candidates", None)}
    ctx.update(extra or {})
    return render(request, template, ctx, status=status)


# --- reception desk ---------------------------------------------------------------------------


@role_required(*DESK)
def reception(request):
    deps = departments.departments_today(request.principal)
    return render(request, "visits/reception.html", {"departments": deps})


@require_POST
@role_required(*DESK)
def reception_scan(request):
    scan = request.POST.get("scan", "")
    confirm = _confirm(request.POST)
    deps = departments.departments_today(request.principal)
    try:
        pv = services.preview(scan, request.principal, confirm=confirm)
    except services.NeedsDetails as exc:
        return _error(request, "visits/_panel.html", exc, {"needs_details": True, "scan": scan})
    except DomainError as exc:
        return _error(request, "visits/_panel.html", exc)
    first_open = next((d for d in deps if d["open_today"]), None)
    return render(
        request,
        "visits/_panel.html",
        {
            "pv": pv,
            "scan": scan,
            "confirm": confirm,
            "departments": deps,
            "selected": first_open["code"] if first_open else "",
            "verdict": pv.verdict,
        },
    )


@require_POST
@role_required(*DESK)
def reception_check_in(request):
    scan = request.POST.get("scan", "")
    try:
        result = services.check_in(
            scan,
            request.POST.get("department", ""),
            request.principal,
            confirm=_confirm(request.POST),
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        return _error(request, "visits/_issued.html", exc)
    return render(request, "visits/_issued.html", {"r": result, "t": result.ticket})


# --- tickets ----------------------------------------------------------------------------------


def _not_found(request, exc: DomainError):
    return render(
        request,
        "web/error.html",
        {"title": "Không tìm thấy", "message": exc.message_vi, "code": exc.code},
        status=exc.status,
    )


@role_required(*DESK)
def ticket_html(request, token: str):
    try:
        ticket = services.ticket_by_token(request.principal, token)
    except DomainError as exc:
        return _not_found(request, exc)
    return render(
        request,
        "visits/ticket.html",
        {"t": ticket, "qr": qr_svg(ticket.token), "autoprint": request.GET.get("print") == "1"},
    )


@role_required(*DESK)
def ticket_pdf_view(request, token: str):
    try:
        ticket = services.ticket_by_token(request.principal, token)
    except DomainError as exc:
        return _not_found(request, exc)
    pdf = ticket_pdf(request, ticket)
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="phieu-{ticket.number}.pdf"'
    return resp


# --- kiosk ------------------------------------------------------------------------------------


def _kiosk_ctx(**kw):
    kw.setdefault("idle_seconds", settings.KCB06_KIOSK_IDLE_SECONDS)
    return kw


@role_required(*DESK)
def kiosk(request):
    return render(request, "visits/kiosk.html", _kiosk_ctx(step="scan"))


def _kiosk_scan_text(request) -> str:
    upload = request.FILES.get("image")
    if upload is not None:
        from kcb06.visits.camera import decode_image

        return decode_image(upload.read())
    return request.POST.get("scan", "")


@require_POST
@role_required(*DESK)
def kiosk_step(request):
    """One endpoint for the kiosk's steps; state lives only in the page (hidden fields), so
    the reset after inactivity leaves nothing behind on the server side."""
    step = request.POST.get("step", "scan")
    try:
        scan = _kiosk_scan_text(request)
        if step == "scan":
            pv = services.preview(scan, request.principal)
            if pv.patient is None and pv.candidates:
                raise DomainError(
                    "kiosk_needs_desk",
                    "Hệ thống cần nhân viên xác nhận hồ sơ của bạn. Mời bạn đến quầy tiếp đón.",
                    "Staff must confirm this record: please go to the reception desk.",
                )
            return render(
                request, "visits/_kiosk_step.html", _kiosk_ctx(step="confirm", pv=pv, scan=scan)
            )
        if step == "departments":
            deps = [d for d in departments.departments_today(request.principal) if d["open_today"]]
            return render(
                request,
                "visits/_kiosk_step.html",
                _kiosk_ctx(step="departments", departments=deps, scan=scan),
            )
        if step == "ticket":
            result = services.check_in(
                scan,
                request.POST.get("department", ""),
                request.principal,
                confirm={"create_new": True} if request.POST.get("create_new") else {},
            )
            return render(
                request,
                "visits/_kiosk_step.html",
                _kiosk_ctx(
                    step="ticket", r=result, t=result.ticket, qr=qr_svg(result.ticket.token)
                ),
            )
    except services.NeedsDetails:
        exc = DomainError(
            "kiosk_needs_desk",
            "Ki-ốt chỉ nhận mã QR trên CCCD hoặc VNeID. Mời bạn đến quầy tiếp đón.",
            "The kiosk only takes the ID-card or VNeID QR: please go to the reception desk.",
        )
        return render(request, "visits/_kiosk_step.html", _kiosk_ctx(step="error", error=exc))
    except DomainError as exc:
        return render(request, "visits/_kiosk_step.html", _kiosk_ctx(step="error", error=exc))
    return render(request, "visits/_kiosk_step.html", _kiosk_ctx(step="scan"))


# --- board and clinic -------------------------------------------------------------------------


@role_required(*QUEUE)
def board(request):
    return render(
        request,
        "visits/board.html",
        {
            "state": queue.board_state(request.principal.facility_id),
            "poll_ms": settings.KCB06_BOARD_POLL_MS,
        },
    )


@role_required(*QUEUE)
def board_state(request):
    return JsonResponse(queue.board_state(request.principal.facility_id))


@role_required(*QUEUE)
def clinic(request):
    deps = Department.objects.filter(facility_id=request.principal.facility_id)
    dep_id = request.GET.get("department") or request.POST.get("department")
    current = deps.filter(pk=dep_id).first() if dep_id and dep_id.isdigit() else deps.first()
    return render(
        request,
        "visits/clinic.html",
        {"departments": deps, "current": current, "state": _clinic_state(request, current)},
    )


def _clinic_state(request, dep):
    if dep is None:
        return None
    state = queue.board_state(request.principal.facility_id)
    return next((r for r in state["rooms"] if r["department"] == dep.code), None)


@require_POST
@role_required(*QUEUE)
def clinic_action(request, action: str):
    dep_id = int(request.POST.get("department") or 0)
    fn = {"next": queue.call_next, "recall": queue.recall, "absent": queue.mark_absent}
    message = ""
    try:
        if action not in fn:
            raise DomainError("bad_action", "Thao tác không hợp lệ.", "Unknown action.")
        ticket = fn[action](request.principal, dep_id)
        if ticket is None:
            message = (
                "Không còn người chờ." if action == "next" else "Chưa có số nào đang được gọi."
            )
    except DomainError as exc:
        message = exc.message_vi
    dep = Department.objects.filter(pk=dep_id, facility_id=request.principal.facility_id).first()
    return render(
        request,
        "visits/_clinic_state.html",
        {"current": dep, "state": _clinic_state(request, dep), "message": message},
    )
