"""JSON API of payments: thin handlers over services."""

from django.http import JsonResponse
from ninja import Router

from kcb06.apischema import responses

from . import webhook
from .signature import SIGNATURE_HEADER, TIMESTAMP_HEADER

router = Router(tags=["payments"])


@router.post(
    "/payments/bank-webhook",
    auth=None,
    summary="Ngân hàng báo có (webhook) / Bank credit notification (webhook)",
    response=responses({200: dict}, 400, 413),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "Signed with HMAC-SHA256 over '<X-Bank-Timestamp>.<body>' "
            "(header X-Bank-Signature); see docs/payments.md",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def bank_webhook(request):
    """The bank's (or payment intermediary's) credit notification; see docs/payments.md.

    Authenticated by HMAC-SHA256 over "<X-Bank-Timestamp>.<raw body>" (X-Bank-Signature), not
    by a session or API key: the bank holds no account of ours."""
    result = webhook.receive_notification(
        request.body,
        request.headers.get(TIMESTAMP_HEADER),
        request.headers.get(SIGNATURE_HEADER),
    )
    return JsonResponse(
        result.body, status=result.status, json_dumps_params={"ensure_ascii": False}
    )
