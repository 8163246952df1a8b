"""Token endpoint of the simulated portal (docs/specs/portal-api.md#token)."""

import secrets
import threading
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portalsim.core import faults
from portalsim.core.models import Account, Token


def health(request):
    return JsonResponse({"status": "ok", "service": "portalsim"})


@csrf_exempt
@require_POST
def token_take(request):
    if (broken := injected_fault("token", None)) is not None:
        return broken
    username = request.POST.get("username", "")
    password = request.POST.get("password", "")
    account = Account.objects.filter(username=username).first()
    if account is None or not password_matches(account, password):
        return JsonResponse({"maKetQua": "401", "APIKey": None})
    expires = timezone.now() + timedelta(seconds=settings.PORTALSIM_TOKEN_SECONDS)
    token = Token.objects.create(
        account=account,
        access_token=secrets.token_hex(24),
        id_token=secrets.token_hex(24),
        expires_at=expires,
    )
    return JsonResponse(
        {
            "maKetQua": "200",
            "APIKey": {
                "access_token": token.access_token,
                "id_token": token.id_token,
                "token_type": "Bearer",
                "username": account.username,
                "expires_in": expires.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        }
    )


def password_matches(account: Account, given: str) -> bool:
    """The portal's rule: the password travels as its MD5 in upper-case hex
    (docs/specs/portal-api.md#token). A lower-case digest is refused, not folded: a client that
    sends one is wrong."""
    return secrets.compare_digest(account.password_md5.encode(), given.encode())


_live: dict[tuple[str, str], tuple[Account, datetime]] = {}
_live_lock = threading.Lock()


def forget_live_tokens() -> None:
    with _live_lock:
        _live.clear()


def account_for_token(access_token: str, id_token: str) -> Account | None:
    """The account behind a live token pair, or None (expired, revoked, unknown).

    Remembered in memory after the first lookup so 50 concurrent checks don't all queue on
    the simulator's SQLite; /_control/expire-tokens clears the memory."""
    key = (access_token or "", id_token or "")
    with _live_lock:
        known = _live.get(key)
    if known is not None:
        account, expires_at = known
        return account if expires_at > timezone.now() else None
    token = (
        Token.objects.select_related("account")
        .filter(access_token=access_token or "", id_token=id_token or "", revoked=False)
        .first()
    )
    if token is None or token.expires_at <= timezone.now():
        return None
    with _live_lock:
        _live[key] = (token.account, token.expires_at)
    return token.account


def injected_fault(endpoint: str, key: str | None) -> HttpResponse | None:
    """Count a call to `endpoint` and play the fault scheduled for it (for `key`, e.g. a card
    or facility): its delay, then its broken answer, or None to answer normally."""
    faults.count_call(endpoint)
    fault = faults.take(endpoint, key)
    if fault is None:
        return None
    faults.sleep_for(fault)
    return fault_response(fault)


def fault_response(fault: faults.Fault) -> HttpResponse | None:
    """The broken answer a fault asks for, or None to answer normally (latency only)."""
    mode = fault.mode
    if mode == "http500":
        return HttpResponse("<html><body>500 Internal Server Error</body></html>", status=500)
    if mode == "malformed":
        return HttpResponse('{"maKetQua": "000", "maThe": ', content_type="application/json")
    if mode == "success_wrapped_error":
        return JsonResponse({"maKetQua": "200", "thongDiep": "Lỗi hệ thống, vui lòng thử lại"})
    if mode == "rate_limit":
        return JsonResponse({"maKetQua": "429", "thongDiep": "Quá nhiều yêu cầu"}, status=429)
    if mode.startswith("code:"):
        return JsonResponse({"maKetQua": mode[5:], "ghiChu": "Mã kết quả do kịch bản giả lập"})
    return None
