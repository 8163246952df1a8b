"""Response and request hardening for every page and API answer.

Three small middleware, each for one threat (docs/operations.md, "Security / Web and sign-in"):

- `ClientAddressMiddleware` — behind the reverse proxy of docs/install.md every connection comes
  from 127.0.0.1, so the login lock-out (django-axes), the audit trail and API-key logs would all
  see one client. When the peer is a trusted proxy (`KCB06_TRUSTED_PROXIES`), REMOTE_ADDR becomes
  the address that proxy saw: `X-Real-IP`, else the right-most `X-Forwarded-For` entry (the one
  the proxy itself added; entries left of it come from the client and can be forged). Requests
  from any other peer keep their own address, whatever headers they send.
- `SecurityHeadersMiddleware` — a Content-Security-Policy on every page (scripts only from our
  own static files, styles from them or a `<style nonce>` block, no framing, forms only to us),
  and `Cache-Control: no-store` on every dynamic answer: pages, patient JSON and the health-book
  PDF carry personal data that must not stay in a shared browser's or proxy's cache.
- `csp_nonce` — template context processor: `{{ csp_nonce }}` for a `<style>` block that a
  printout needs inline (WeasyPrint reads the same template and ignores the attribute).
"""

import ipaddress
import secrets

from django.conf import settings

NO_STORE = "no-store"


def _valid_ip(value: str) -> str | None:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def forwarded_client(meta: dict, trusted: frozenset[str]) -> str | None:
    """The client address to record for a request, or None to keep REMOTE_ADDR."""
    peer = meta.get("REMOTE_ADDR", "")
    if peer not in trusted:
        return None
    real_ip = _valid_ip(meta.get("HTTP_X_REAL_IP", ""))
    if real_ip:
        return real_ip
    forwarded = [p for p in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
    if forwarded:
        return _valid_ip(forwarded[-1])
    return None


class ClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        trusted = settings.KCB06_TRUSTED_PROXIES
        if trusted:
            client = forwarded_client(request.META, frozenset(trusted))
            if client:
                request.META["KCB06_PROXY_ADDR"] = request.META.get("REMOTE_ADDR")
                request.META["REMOTE_ADDR"] = client
        return self.get_response(request)


def content_security_policy(nonce: str, frame_ancestors: str = "'none'") -> str:
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        f"style-src 'self' 'nonce-{nonce}'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors}",
    ]
    return "; ".join(directives)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        # A view answered with X-Frame-Options SAMEORIGIN (the ticket the kiosk prints from a frame of
        # its own page) may be framed by this site; CSP's frame-ancestors overrides
        # X-Frame-Options in browsers, so it must say the same.
        same_origin = response.get("X-Frame-Options", "").upper() == "SAMEORIGIN"
        ancestors = "'self'" if same_origin else "'none'"
        response.setdefault(
            "Content-Security-Policy", content_security_policy(request.csp_nonce, ancestors)
        )
        if "Cache-Control" not in response:
            response["Cache-Control"] = NO_STORE
        return response


def csp_nonce(request):
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
