"""POST /eid/v1/authenticate {"payload": "<VNeID QR text>"} -> identity, or an error.

200 {"id_number", "full_name", "date_of_birth" (YYYY-MM-DD), "sex" ("male"|"female")}
410 {"error": {"code": "expired"}}     the dynamic QR is too old: the citizen refreshes it
404 {"error": {"code": "unknown"}}     not a QR the provider issued
400 {"error": {"code": "bad_request"}}
Faults from the control endpoint apply with endpoints ["eid"] (latency, http500, ...).
"""

import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portalsim.core.views import injected_fault
from portalsim.eid.models import EidToken


@csrf_exempt
@require_POST
def authenticate(request):
    if (broken := injected_fault("eid", None)) is not None:
        return broken
    try:
        payload = str(json.loads(request.body or b"{}").get("payload") or "").strip()
    except (ValueError, AttributeError):
        payload = ""
    if not payload:
        return JsonResponse({"error": {"code": "bad_request"}}, status=400)
    token = EidToken.objects.filter(payload=payload).first()
    if token is None:
        return JsonResponse({"error": {"code": "unknown"}}, status=404)
    if token.expired:
        return JsonResponse({"error": {"code": "expired"}}, status=410)
    return JsonResponse(
        {
            "id_number": token.id_number,
            "full_name": token.full_name,
            "date_of_birth": token.date_of_birth.isoformat(),
            "sex": token.sex,
        },
        json_dumps_params={"ensure_ascii": False},
    )
