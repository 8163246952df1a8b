"""The self-service kiosk: scan, confirm, choose a department, take the ticket."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_POST

from kcb06.errors import DomainError
from kcb06.facilities.access import role_required
from kcb06.visits import departments, services
from kcb06.visits.tickets import qr_svg
from kcb06.visits.views.common import DESK


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
            pv = services.preview(scan, request.principal, unattended=True)
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
                unattended=True,
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
