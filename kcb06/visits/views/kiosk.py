"""The self-service kiosk: scan, (a typed number: the person's own date of birth), confirm,
choose a department, take the printed ticket. The rules live in kcb06.visits.kiosk."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_POST

from kcb06.errors import DomainError
from kcb06.facilities.access import role_required
from kcb06.visits import kiosk as rules
from kcb06.visits import services
from kcb06.visits.tickets import qr_svg

STEP = "visits/_kiosk_step.html"


def _kiosk_ctx(**kw):
    kw.setdefault("idle_seconds", settings.KCB06_KIOSK_IDLE_SECONDS)
    return kw


@role_required(*rules.KIOSK_ROLES)
def kiosk(request):
    return render(request, "visits/kiosk.html", _kiosk_ctx(step="scan"))


def _kiosk_scan_text(request) -> str:
    upload = request.FILES.get("image")
    if upload is not None:
        from kcb06.visits.camera import decode_image

        return decode_image(upload.read())
    return request.POST.get("scan", "")


def _decoded(request, scan: str) -> str:
    """A scan decoded here from a camera frame or photo: the page never had its text, so this
    one answer hands it over (typed or scanner text is never echoed back)."""
    return scan if request.FILES.get("image") is not None else ""


def _confirm(request, scan: str):
    pv = services.preview(
        scan, request.principal, roles=services.KIOSK_CHECK_IN_ROLES, unattended=True
    )
    if pv.patient is None and pv.candidates:
        raise rules.go_to_desk(
            "Hệ thống cần nhân viên xác nhận hồ sơ của bạn.",
            "Staff must confirm this record: please go to the reception desk.",
        )
    refused = rules.verdict_needs_desk(pv.verdict)
    if refused is not None:
        raise refused
    return render(request, STEP, _kiosk_ctx(step="confirm", pv=pv, decoded=_decoded(request, scan)))


@require_POST
@role_required(*rules.KIOSK_ROLES)
def kiosk_step(request):
    """One endpoint for the kiosk's steps; state lives only in the page (hidden fields), so
    the reset after inactivity leaves nothing behind on the server side. A typed number's date
    of birth travels with every later step and is checked again at each."""
    step = request.POST.get("step", "scan")
    principal = request.principal
    try:
        scan = _kiosk_scan_text(request)
        dob = request.POST.get("dob", "")
        typed = rules.needs_date_of_birth(scan)
        if step == "scan":
            if typed:
                return render(
                    request, STEP, _kiosk_ctx(step="dob", decoded=_decoded(request, scan))
                )
            return _confirm(request, scan)
        if typed:
            rules.confirm_typed_number(principal, scan, dob)
        if step == "dob":
            return _confirm(request, scan)
        if step == "departments":
            deps = rules.self_service_departments(principal)
            return render(
                request,
                STEP,
                _kiosk_ctx(step="departments", departments=deps),
            )
        if step == "ticket":
            code = request.POST.get("department", "")
            rules.ensure_self_service(principal, code)
            result = services.check_in(
                scan, code, principal, roles=services.KIOSK_CHECK_IN_ROLES, unattended=True
            )
            return render(
                request,
                STEP,
                _kiosk_ctx(
                    step="ticket", r=result, t=result.ticket, qr=qr_svg(result.ticket.token)
                ),
            )
    except services.NeedsDetails:
        exc = rules.go_to_desk(
            "Ki-ốt chỉ nhận mã QR trên CCCD hoặc VNeID.",
            "The kiosk only takes the ID-card or VNeID QR: please go to the reception desk.",
        )
        return render(request, STEP, _kiosk_ctx(step="error", error=exc))
    except DomainError as exc:
        return render(request, STEP, _kiosk_ctx(step="error", error=exc))
    return render(request, STEP, _kiosk_ctx(step="scan"))
