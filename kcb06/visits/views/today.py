"""Today's check-ins at the desk: find one by ticket number or name, print its ticket again,
send it to another department, or cancel it with a reason. Names travel in POST bodies only."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_POST

from kcb06.errors import DomainError
from kcb06.facilities.access import role_required
from kcb06.visits import changes, departments
from kcb06.visits.views.common import DESK


def _visit_ctx(request, visit, *, message: str = "", error=None, printed: bool = False) -> dict:
    return {
        "v": visit,
        "departments": departments.departments_today(request.principal),
        "message": message,
        "error": error,
        "autoprint": printed,
    }


@role_required(*DESK)
def today(request):
    return render(
        request,
        "visits/today.html",
        {"rows": changes.todays_check_ins(request.principal)},
    )


@require_POST
@role_required(*DESK)
def today_find(request):
    """The list filtered by the clerk's text; the first match opens with its actions."""
    rows = changes.todays_check_ins(request.principal, request.POST.get("q", ""))
    ctx = {"rows": rows}
    if rows:
        ctx.update(_visit_ctx(request, rows[0]))
    return render(request, "visits/_today_found.html", ctx)


@require_POST
@role_required(*DESK)
def today_cancel(request, visit_id: int):
    try:
        visit = changes.cancel_visit(request.principal, visit_id, request.POST.get("reason", ""))
    except DomainError as exc:
        visit = _reload(request, visit_id)
        if visit is None:
            raise
        return render(request, "visits/_today_visit.html", _visit_ctx(request, visit, error=exc))
    message = f"Đã hủy lượt tiếp đón số {visit.ticket.number} ({visit.department.name})."
    return render(request, "visits/_today_visit.html", _visit_ctx(request, visit, message=message))


@require_POST
@role_required(*DESK)
def today_department(request, visit_id: int):
    try:
        visit = changes.change_department(
            request.principal, visit_id, request.POST.get("department", "")
        )
    except DomainError as exc:
        visit = _reload(request, visit_id)
        if visit is None:
            raise
        return render(request, "visits/_today_visit.html", _visit_ctx(request, visit, error=exc))
    message = f"Đã chuyển sang {visit.department.name}: số mới {visit.ticket.number}."
    return render(
        request,
        "visits/_today_visit.html",
        _visit_ctx(request, visit, message=message, printed=True),
    )


def _reload(request, visit_id: int):
    return next((v for v in changes.todays_check_ins(request.principal) if v.pk == visit_id), None)
