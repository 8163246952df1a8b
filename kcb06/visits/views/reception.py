"""The reception desk: the clerk scans or types, sees the verdict, issues the ticket. Scan texts
travel in POST bodies only, never URLs."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_POST

from kcb06.errors import DomainError
from kcb06.facilities.access import role_required
from kcb06.visits import changes, departments, details, services
from kcb06.visits.departments import local_day
from kcb06.visits.desk import panel_after_ticket, record_choice, sex_code_from_number
from kcb06.visits.models import Priority
from kcb06.visits.views.common import DESK, error

DETAILS_WRONG = DomainError(
    "details_invalid",
    "Thông tin vừa nhập chưa đúng: hãy sửa ô được đánh dấu rồi nhấn Enter.",
    "The typed details are not valid: correct the marked field.",
)


def _confirm(post, typed: details.TypedDetails) -> dict:
    """The clerk's decisions: the typed details, and one choice among likely duplicates
    (`record`: a record's id to link, or "new")."""
    confirm = typed.confirm() if typed.complete else {}
    confirm.update(record_choice(post))
    if post.get("card_number"):  # a re-check with the newer card (answer 003/004)
        confirm["card_number"] = post["card_number"]
    return confirm


def _details_form(request, exc: DomainError, scan: str, typed: details.TypedDetails):
    return error(
        request,
        "visits/_panel.html",
        exc,
        {"needs_details": True, "scan": scan, "typed": typed},
    )


@role_required(*DESK)
def reception(request):
    deps = departments.departments_today(request.principal)
    return render(request, "visits/reception.html", {"departments": deps})


@require_POST
@role_required(*DESK)
def reception_scan(request):
    scan = request.POST.get("scan", "")
    typed = details.read(request.POST)
    if typed.given and typed.errors:
        # What the clerk typed stays in the form, with what is wrong beside the field.
        return _details_form(request, DETAILS_WRONG, scan, typed)
    confirm = _confirm(request.POST, typed)
    deps = departments.departments_today(request.principal)
    try:
        pv = services.preview(scan, request.principal, confirm=confirm)
    except services.NeedsDetails as exc:
        if not typed.given:
            typed.raw_sex = sex_code_from_number(scan)
        return _details_form(request, exc, scan, typed)
    except DomainError as exc:
        return error(request, "visits/_panel.html", exc)
    first_open = next((d for d in deps if d["open_today"]), None)
    born = pv.person.date_of_birth
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
            "priorities": Priority.choices,
            "priority": changes.age_priority(born, local_day()),
        },
    )


@require_POST
@role_required(*DESK)
def reception_check_in(request):
    scan = request.POST.get("scan", "")
    confirm = _confirm(request.POST, details.read(request.POST))
    try:
        result = services.check_in(
            scan,
            request.POST.get("department", ""),
            request.principal,
            confirm=confirm,
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        return error(request, "visits/_issued.html", exc)
    chosen = request.POST.get("priority", "")
    if result.created and chosen:  # the clerk's group (the age groups are set by check_in)
        changes.set_priority(request.principal, result.ticket, result.patient, chosen)
    return render(
        request,
        "visits/_issued.html",
        {"r": result, "t": result.ticket, "panel": panel_after_ticket(request.principal, result)},
    )
