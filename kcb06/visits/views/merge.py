"""Likely duplicate records and their merge, for the facility admin: groups of records with
the same folded name and birth year, merged one into another with a reason, and each merge
undone with one key. kcb06.patients.services.merge / undo_merge do the work and the audit."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_POST

from kcb06.errors import DomainError
from kcb06.facilities.access import role_required
from kcb06.facilities.models import Role
from kcb06.patients import lists
from kcb06.patients import services as mpi


def _pairs(groups: list[list]) -> list[dict]:
    """Each group as merges to offer: into the record holding an ID number, else the oldest."""
    out = []
    for members in groups:
        target = next((p for p in members if p.id_number_tail), members[0])
        for source in members:
            if source is target or (source.id_number_tail and target.id_number_tail):
                continue
            out.append({"source": source, "target": target})
    return out


def _page_ctx(request, *, message: str = "", error=None) -> dict:
    return {
        "pairs": _pairs(lists.duplicate_groups(request.principal)),
        "merges": lists.recent_merges(request.principal),
        "message": message,
        "error": error,
    }


@role_required(Role.FACILITY_ADMIN)
def merge_page(request):
    return render(request, "visits/merge.html", _page_ctx(request))


@require_POST
@role_required(Role.FACILITY_ADMIN)
def merge_do(request):
    reason = " ".join(request.POST.get("reason", "").split())
    try:
        if not reason:
            raise DomainError("reason_required", "Hãy ghi lý do gộp.", "A reason is required.")
        m = mpi.merge(
            request.principal,
            int(request.POST.get("source") or 0),
            int(request.POST.get("target") or 0),
            reason=reason,
        )
    except DomainError as exc:
        return render(request, "visits/_merge_body.html", _page_ctx(request, error=exc))
    message = f"Đã gộp hồ sơ #{m.source_id} vào #{m.target_id}."
    return render(request, "visits/_merge_body.html", _page_ctx(request, message=message))


@require_POST
@role_required(Role.FACILITY_ADMIN)
def merge_undo(request, merge_id: int):
    try:
        m = mpi.undo_merge(request.principal, merge_id)
    except DomainError as exc:
        return render(request, "visits/_merge_body.html", _page_ctx(request, error=exc))
    message = f"Đã hoàn tác: hồ sơ #{m.source_id} tách lại khỏi #{m.target_id}."
    return render(request, "visits/_merge_body.html", _page_ctx(request, message=message))
