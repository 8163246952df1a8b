"""Token endpoint of the simulated portal (SPECS.md §3.2)."""

import secrets
from datetime import UTC, timedelta

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portalsim.core.models import Account, Token


def health(request):
    return JsonResponse({"status": "ok", "service": "portalsim"})


@csrf_exempt
@require_POST
def token_take(request):
    username = request.POST.get("username", "")
    password = request.POST.get("password", "")
    account = Account.objects.filter(username=username).first()
    if account is None or not secrets.compare_digest(account.password_md5, password.upper()):
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


def account_for_token(access_token: str, id_token: str) -> Account | None:
    """The account behind a live token pair, or None (expired, revoked, unknown)."""
    token = (
        Token.objects.select_related("account")
        .filter(access_token=access_token or "", id_token=id_token or "", revoked=False)
        .first()
    )
    if token is None or token.expires_at <= timezone.now():
        return None
    return token.account
