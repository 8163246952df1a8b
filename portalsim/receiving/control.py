"""Control routes of the receiving side — FOR TESTS AND DEMOS ONLY.

POST /_control/receiving/certificates  {"facility_code": "27901", "pem": "-----BEGIN ..."}
POST /_control/receiving/certificates/clear  {"facility_code": "27901"} (all when absent)
POST /_control/receiving/reset   forget every submission
GET  /_control/receiving/stats   counts per kind; ?ma_lk=... lists that visit's versions
GET  /_control/receiving/rules   {"count", "off", "baseline_off"}
POST /_control/receiving/rules   {"off": [codes]} or {"baseline": true}: which published rules
                                 are not applied
Faults: POST /_control/faults with "endpoints": ["xml_checkin"] or ["xml_claim"] (core).
"""

import json

from django.db.models import Count, Sum
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from portalsim.receiving import rules
from portalsim.receiving.fixtures import register
from portalsim.receiving.models import RegisteredCertificate, Submission


@csrf_exempt
@require_POST
def certificates(request):
    try:
        data = json.loads(request.body or b"{}")
        cert = register(str(data["facility_code"]), str(data["pem"]))
    except (ValueError, KeyError, TypeError) as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"ok": True, "fingerprint": cert.fingerprint})


@csrf_exempt
@require_POST
def clear_certificates(request):
    data = json.loads(request.body or b"{}")
    qs = RegisteredCertificate.objects.all()
    if data.get("facility_code"):
        qs = qs.filter(facility_code=data["facility_code"])
    n, _ = qs.delete()
    return JsonResponse({"ok": True, "deleted": n})


@csrf_exempt
@require_POST
def reset(request):
    Submission.objects.all().delete()
    return JsonResponse({"ok": True})


@require_GET
def stats(request):
    out = {}
    for kind in ("checkin", "claim"):
        qs = Submission.objects.filter(kind=kind)
        current = qs.filter(current=True)
        dup_ma_lk = current.values("ma_lk").annotate(n=Count("id")).filter(n__gt=1).count()
        out[kind] = {
            "versions": qs.count(),
            "accepted_visits": current.values("ma_lk").distinct().count(),
            "current_rows": current.count(),
            "ma_lk_with_two_current": dup_ma_lk,
            "replaced": qs.filter(current=False).count(),
            "repeats_acknowledged": qs.aggregate(s=Sum("repeats"))["s"] or 0,
        }
    ma_lk = request.GET.get("ma_lk")
    if ma_lk:
        out["versions"] = list(
            Submission.objects.filter(ma_lk=ma_lk)
            .order_by("id")
            .values("kind", "content_hash", "transaction_id", "current", "repeats")
        )
    return JsonResponse(out)


@csrf_exempt
def published_rules(request):
    if request.method == "POST":
        try:
            data = json.loads(request.body or b"{}")
            off = rules.BASELINE_OFF if data.get("baseline") else data.get("off", [])
            rules.switch_off([str(c) for c in off])
        except (ValueError, TypeError, AttributeError) as exc:
            return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(
        {
            "count": len(rules.RULES),
            "off": sorted(rules.switched_off()),
            "baseline_off": sorted(rules.BASELINE_OFF),
        }
    )
