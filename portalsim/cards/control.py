"""Control endpoint for the co-payment lookup — FOR TESTS AND DEMOS ONLY.

POST /_control/copayments {"card_number": "...", "episodes": [{"maCskcb", "ngayVao", "ngayRa"
(yyyy-mm-dd), "maDoiTuongKCB", "tBNCCT", "tBNCCTMCCT"}]} replaces the card's episodes.
"""

import json
from datetime import date

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portalsim.cards.models import Card


@csrf_exempt
@require_POST
def set_copayments(request):
    try:
        data = json.loads(request.body or b"{}")
        episodes = [
            {
                "maCskcb": str(e.get("maCskcb") or ""),
                "ngayVao": date.fromisoformat(e["ngayVao"]).isoformat(),
                "ngayRa": date.fromisoformat(e["ngayRa"]).isoformat(),
                "maDoiTuongKCB": str(e.get("maDoiTuongKCB") or "1.1"),
                "tBNCCT": int(e.get("tBNCCT") or 0),
                "tBNCCTMCCT": int(e.get("tBNCCTMCCT") or 0),
            }
            for e in data.get("episodes", [])
        ]
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    n = Card.objects.filter(card_number=str(data.get("card_number") or "")).update(
        copayments=episodes
    )
    if not n:
        return JsonResponse({"error": "no such card"}, status=404)
    return JsonResponse({"ok": True, "episodes": len(episodes)})
