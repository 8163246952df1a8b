"""Control endpoint of portalsim — FOR TESTS AND DEMOS ONLY (the real portal has nothing like it).

POST /_control/faults  {"scope": "global"|<maThe>, "mode": ..., "latency_ms": N, "count": N,
                        "endpoints": ["card_check"|"token"]}
POST /_control/reset   faults back to the fixtures' baseline, call counters to zero
GET  /_control/stats   {"calls": {"token": n, "card_check": n}, "faults": [...]}
POST /_control/expire-tokens   every issued token expires now (next call answers 401)
"""

import json

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from portalsim.core import faults
from portalsim.core.models import Token
from portalsim.core.views import forget_live_tokens


@csrf_exempt
@require_POST
def set_fault(request):
    try:
        data = json.loads(request.body or b"{}")
        fault = faults.Fault.from_dict(data)
    except (ValueError, TypeError) as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    faults.add(fault)
    return JsonResponse({"ok": True, "fault": fault.as_dict()})


@csrf_exempt
@require_POST
def reset(request):
    faults.reset()
    return JsonResponse({"ok": True})


@require_GET
def stats(request):
    return JsonResponse(faults.snapshot())


@csrf_exempt
@require_POST
def expire_tokens(request):
    n = Token.objects.filter(expires_at__gt=timezone.now()).update(expires_at=timezone.now())
    forget_live_tokens()
    return JsonResponse({"ok": True, "expired": n})
