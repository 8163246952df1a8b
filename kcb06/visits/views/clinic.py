"""The clinician's call page: call the next number, call again, mark absent; the called
patient's name with links to the health book and the close form; the clinician's room is
remembered (a cookie holding the department id, no personal data) for the next time."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from kcb06.errors import DomainError
from kcb06.facilities.access import role_required
from kcb06.facilities.models import Department
from kcb06.limits import parse_id
from kcb06.visits import queue
from kcb06.visits.views.common import QUEUE

ROOM_COOKIE = "kcb06_clinic_room"
ROOM_MAX_AGE = 365 * 24 * 3600


def _remember_room(response, dep):
    if dep is not None:
        response.set_cookie(
            ROOM_COOKIE, str(dep.pk), max_age=ROOM_MAX_AGE, httponly=True, samesite="Lax"
        )
    return response


@role_required(*QUEUE)
def clinic(request):
    deps = Department.objects.filter(facility_id=request.principal.facility_id)
    chosen = parse_id(request.GET.get("department") or request.POST.get("department"))
    dep_id = chosen or parse_id(request.COOKIES.get(ROOM_COOKIE, ""))
    current = deps.filter(pk=dep_id).first() if dep_id else None
    current = current or deps.first()
    response = render(
        request,
        "visits/clinic.html",
        {"departments": deps, "current": current, **_clinic_state(request, current)},
    )
    return _remember_room(response, current if chosen else None)


def _clinic_state(request, dep) -> dict:
    if dep is None:
        return {"state": None, "called": None}
    state = queue.board_state(request.principal.facility_id)
    row = next((r for r in state["rooms"] if r["department"] == dep.code), None)
    return {"state": row, "called": queue.called_now(request.principal, dep.pk)}


@require_POST
@role_required(*QUEUE)
def clinic_action(request, action: str):
    dep_id = parse_id(request.POST.get("department"))
    fn = {"next": queue.call_next, "recall": queue.recall, "absent": queue.mark_absent}
    message = ""
    if dep_id is None:  # not a whole number, or beyond 64 bits: no department of ours
        return HttpResponse(
            '<p class="alert error" role="alert" data-testid="clinic-message">'
            "Khoa/phòng không hợp lệ: hãy tải lại trang.</p>",
            status=400,
        )
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
    response = render(
        request,
        "visits/_clinic_state.html",
        {"current": dep, "message": message, **_clinic_state(request, dep)},
    )
    return _remember_room(response, dep)
