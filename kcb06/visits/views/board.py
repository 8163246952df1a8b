"""The waiting-hall board and the state it polls."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from kcb06.facilities.access import role_required
from kcb06.visits import queue
from kcb06.visits.views.common import QUEUE


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
