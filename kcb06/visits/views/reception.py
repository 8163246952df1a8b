"""The reception desk: the clerk scans or types, sees the verdict, issues the ticket. Scan texts
travel in POST bodies only, never URLs."""

from __future__ import annotations

from datetime import date

from django.shortcuts import render
from django.views.decorators.http import require_POST

from kcb06.errors import DomainError
from kcb06.facilities.access import role_required
from kcb06.identity import IdentityError
from kcb06.identity.cccd import parse_date
from kcb06.visits import departments, services
from kcb06.visits.views.common import DESK, error


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
        return error(request, "visits/_panel.html", exc, {"needs_details": True, "scan": scan})
    except DomainError as exc:
        return error(request, "visits/_panel.html", exc)
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
        return error(request, "visits/_issued.html", exc)
    return render(request, "visits/_issued.html", {"r": result, "t": result.ticket})
