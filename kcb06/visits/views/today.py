"""Today's check-ins at the desk: find one by ticket number or name, print its ticket again,
send it to another department, or cancel it with a reason. Names travel in POST bodies only."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_POST

from kcb06.errors import DomainError
from kcb06.facilities.access import role_required
from kcb06.visits import changes, departments
from kcb06.visits.views.common import DESK, not_found


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


def _after_change(request, visit_id: int, change, message) -> object:
    """Apply `change`; show the visit with the outcome, or a clear page when the visit is not
    one of today's at the clerk's facility."""
    try:
        visit = change()
    except DomainError as exc:
        try:
            visit = changes.todays_visit(request.principal, visit_id)
        except DomainError:
            return not_found(request, exc)
        return render(request, "visits/_today_visit.html", _visit_ctx(request, visit, error=exc))
    ctx = message(visit)
    ctx.update(rows=changes.todays_check_ins(request.principal), refresh_rows=True)
    return render(request, "visits/_today_visit.html", ctx)


@require_POST
@role_required(*DESK)
def today_cancel(request, visit_id: int):
    return _after_change(
        request,
        visit_id,
        lambda: changes.cancel_visit(request.principal, visit_id, request.POST.get("reason", "")),
        lambda v: _visit_ctx(
            request,
            v,
            message=f"Đã hủy lượt tiếp đón số {v.ticket.number} ({v.department.name}).",
        ),
    )


@require_POST
@role_required(*DESK)
def today_department(request, visit_id: int):
    return _after_change(
        request,
        visit_id,
        lambda: changes.change_department(
            request.principal, visit_id, request.POST.get("department", "")
        ),
        lambda v: _visit_ctx(
            request,
            v,
            message=f"Đã chuyển sang {v.department.name}: số mới {v.ticket.number}.",
            printed=True,
        ),
    )
