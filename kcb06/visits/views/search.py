"""Patient search at the desk: one field for a name (diacritics optional) with or without a
date or year of birth, a date or year alone, or an ID / BHYT / BHXH number. The text travels
in a POST body, never in a URL; every search is audited (kcb06.patients)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_POST

from kcb06.facilities.access import role_required
from kcb06.patients import lists
from kcb06.patients import services as mpi
from kcb06.visits.desk import split_query
from kcb06.visits.views.common import DESK


@role_required(*DESK)
def patient_search(request):
    return render(request, "visits/patient_search.html", {})


@require_POST
@role_required(*DESK)
def patient_search_results(request):
    text, born, year, why = split_query(request.POST.get("q", ""))
    rows = []
    if not why:
        if text:
            rows = mpi.search(request.principal, text, year, limit=50)
            if born is not None:  # a full date: keep that day (and records with a year only)
                rows = [p for p in rows if p.dob_precision != "day" or p.date_of_birth == born]
        elif born is not None or year is not None:
            rows = lists.by_birth(request.principal, born=born, year=year)
        else:
            why = "Hãy nhập họ tên, ngày hoặc năm sinh, hay số định danh / mã thẻ."
    return render(
        request,
        "visits/_patient_results.html",
        {"rows": rows, "error": why, "searched": True},
    )
