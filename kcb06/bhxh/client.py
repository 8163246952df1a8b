"""The one client of the BHXH portal (docs/bhxh.md): token, deadline, circuit breaker and the
card check. The other endpoints (claim files: kcb06.bhxh.files; co-payment lookup:
kcb06.bhxh.copayments) use this module's plumbing, so eligibility and interchange share one
token cache, one HTTP pool and one breaker policy and neither imports the other
(docs/eligibility.md: "Token", "Deadline and circuit breaker").

- Token: POST /api/token/take (form: username, password = MD5 upper-hex). The pair is cached in
  this process and in the PortalToken table (shared by every kcb06 process) and renewed
  KCB06_PORTAL_TOKEN_MARGIN seconds before `expires_in`; a card check answered 401 logs in
  again once.
- Card check: POST /api/egw/KQNhanLichSuKCB2024 with token, id_token, username and password in
  the query string (that is the portal's protocol) and the JSON body maThe, hoTen, ngaySinh,
  hoTenCb, cccdCb. Those URLs are never logged: httpx/httpcore log at WARNING only
  (settings.LOGGING) and this module logs failure kinds, never URLs or exception texts.
- Deadline: every call gets an absolute time.monotonic() deadline covering token + check.
- Circuit breaker (per process, per portal URL and service — card check, files, co-payments —
  so a slow file upload does not stop check-ins): after KCB06_PORTAL_BREAKER_FAILURES
  consecutive failures it opens for KCB06_PORTAL_BREAKER_SECONDS and calls fail at once; then
  one probe goes through (half-open): success closes it, failure opens it again. Per-process
  state is deliberate: it needs no shared store on the hot path, and each process learns of an
  outage within N calls of its own.
"""

import hashlib
import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from django.conf import settings
from django.utils import timezone

log = logging.getLogger(__name__)

TOKEN_PATH = "/api/token/take"  # noqa: S105 - a path, not a secret
CHECK_PATH = "/api/egw/KQNhanLichSuKCB2024"
# Answer codes that say the portal itself is failing (count towards the breaker).
SERVER_FAILURE_CODES = {"101", "500"}


class PortalError(Exception):
    """The portal could not be asked or gave no usable answer.

    kind: timeout | connect | http_error | rate_limited | malformed | wrapped_error | auth |
    breaker_open | not_configured
    """

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(kind)
        self.kind = kind
        self.detail = detail


@dataclass
class PortalAnswer:
    code: str
    body: dict


@dataclass
class Account:
    facility_code: str
    username: str
    password_md5: str
    officer_name: str
    officer_id_number: str


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest().upper()  # noqa: S324 - the portal's scheme


def password_for(facility_code: str) -> str | None:
    """The portal password from the environment (never stored in the database)."""
    return os.environ.get(f"KCB06_PORTAL_PASSWORD_{facility_code}") or os.environ.get(
        "KCB06_PORTAL_PASSWORD"
    )


def facility_account(facility, officer_name: str = "", officer_id_number: str = "") -> Account:
    """The facility's portal account (username `portal_username`, default `<MA_CSKCB>_BV`;
    password from the environment), asking as the named lookup officer when there is one."""
    password = password_for(facility.code)
    return Account(
        facility_code=facility.code,
        username=facility.portal_username or f"{facility.code}_BV",
        password_md5=md5_upper(password) if password else "",
        officer_name=officer_name,
        officer_id_number=officer_id_number,
    )


def counts_against_portal(kind: str) -> bool:
    """Whether a failure of this kind says the portal is failing (the breaker counts it; so do
    the reports' portal availability figures): a refused login is the account's problem, a
    missing configuration ours."""
    return kind not in ("auth", "not_configured")


# --- HTTP client --------------------------------------------------------------------------

_client_lock = threading.Lock()
_client: httpx.Client | None = None


def http() -> httpx.Client:
    """One pooled client per process: concurrent check-ins share connections, none waits
    behind another (pool sized well above the web server's thread count)."""
    global _client
    if _client is None:
        with _client_lock:
            if _client is None:
                _client = httpx.Client(
                    limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
                    follow_redirects=False,
                )
    return _client


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0.01:
        raise PortalError("timeout", "deadline passed")
    return left


def _post(url: str, deadline: float, **kwargs) -> httpx.Response:
    try:
        return http().post(url, timeout=httpx.Timeout(_remaining(deadline)), **kwargs)
    except httpx.TimeoutException as exc:
        raise PortalError("timeout", type(exc).__name__) from None
    except httpx.HTTPError as exc:
        raise PortalError("connect", type(exc).__name__) from None


def _json(response: httpx.Response) -> dict:
    if response.status_code == 429:
        raise PortalError("rate_limited", "HTTP 429")
    if response.status_code >= 400:
        raise PortalError("http_error", f"HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        raise PortalError("malformed", "body is not JSON") from None
    if not isinstance(body, dict):
        raise PortalError("malformed", "body is not an object")
    return body


# --- circuit breaker ----------------------------------------------------------------------


class CircuitBreaker:
    def __init__(self):
        self.lock = threading.Lock()
        self.failures = 0
        self.open_until = 0.0
        self.probing = False

    def allow(self) -> bool:
        with self.lock:
            if self.failures < settings.KCB06_PORTAL_BREAKER_FAILURES:
                return True
            now = time.monotonic()
            if now < self.open_until or self.probing:
                return False
            self.probing = True  # half-open: this caller is the probe
            return True

    def success(self) -> None:
        with self.lock:
            self.failures = 0
            self.probing = False

    def failure(self) -> None:
        with self.lock:
            self.failures += 1
            self.probing = False
            if self.failures >= settings.KCB06_PORTAL_BREAKER_FAILURES:
                self.open_until = time.monotonic() + settings.KCB06_PORTAL_BREAKER_SECONDS

    def release_probe(self) -> None:
        with self.lock:
            self.probing = False

    @property
    def is_open(self) -> bool:
        with self.lock:
            return (
                self.failures >= settings.KCB06_PORTAL_BREAKER_FAILURES
                and time.monotonic() < self.open_until
            )


_breakers: dict[tuple[str, str], CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker(base_url: str | None = None, service: str = "card") -> CircuitBreaker:
    base_url = base_url or settings.KCB06_PORTAL_URL
    with _breakers_lock:
        return _breakers.setdefault((base_url, service), CircuitBreaker())


def reset_breakers() -> None:
    with _breakers_lock:
        _breakers.clear()


# --- token --------------------------------------------------------------------------------


@dataclass
class Token:
    access_token: str
    id_token: str
    expires_at: datetime

    def fresh(self) -> bool:
        margin = timedelta(seconds=settings.KCB06_PORTAL_TOKEN_MARGIN)
        return self.expires_at - margin > timezone.now()


_tokens: dict[tuple[str, str], Token] = {}
_token_locks: dict[tuple[str, str], threading.Lock] = {}
_tokens_lock = threading.Lock()


def _parse_expiry(value) -> datetime:
    """`expires_in` is an absolute UTC time (docs/eligibility.md, "Token"); tolerate seconds."""
    try:
        if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
            return timezone.now() + timedelta(seconds=int(value))
        parsed = datetime.fromisoformat(str(value or "").strip().replace("Z", "+00:00"))
        if not 2000 <= parsed.year <= 2999:
            raise ValueError("implausible expiry")
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError, TypeError):
        raise PortalError("malformed", "expires_in unreadable") from None


def _login(base: str, account: Account, deadline: float) -> Token:
    response = _post(
        base + TOKEN_PATH,
        deadline,
        data={"username": account.username, "password": account.password_md5},
    )
    body = _json(response)
    api_key = body.get("APIKey") or {}
    if str(body.get("maKetQua")) == "401" or not isinstance(api_key, dict):
        raise PortalError("auth", "login refused")
    if not api_key.get("access_token") or not api_key.get("id_token"):
        raise PortalError("wrapped_error", f"token answer {body.get('maKetQua')}")
    return Token(
        access_token=str(api_key["access_token"]),
        id_token=str(api_key["id_token"]),
        expires_at=_parse_expiry(api_key.get("expires_in")),
    )


def _token(base: str, account: Account, deadline: float, *, stale: Token | None = None) -> Token:
    """A fresh token for the account: memory, then the shared table, then a login.

    One login per account at a time in this process (others wait for it); `stale` is the
    token the portal just refused, which must not be handed out again.
    """
    from kcb06.bhxh.models import PortalToken

    key = (base, account.username)
    cached = _tokens.get(key)
    if cached and cached.fresh() and cached != stale:
        return cached
    with _tokens_lock:
        lock = _token_locks.setdefault(key, threading.Lock())
    if not lock.acquire(timeout=_remaining(deadline)):
        raise PortalError("timeout", "waiting for login")
    try:
        cached = _tokens.get(key)
        if cached and cached.fresh() and cached != stale:
            return cached
        row = PortalToken.objects.filter(base_url=base, username=account.username).first()
        if row is not None:
            shared = Token(row.access_token, row.id_token, row.expires_at)
            if shared.fresh() and shared != stale:
                _tokens[key] = shared
                return shared
        token = _login(base, account, deadline)
        PortalToken.objects.update_or_create(
            base_url=base,
            username=account.username,
            defaults={
                "access_token": token.access_token,
                "id_token": token.id_token,
                "expires_at": token.expires_at,
            },
        )
        _tokens[key] = token
        return token
    finally:
        lock.release()


def token_for(account: Account, deadline: float, *, stale: Token | None = None) -> Token:
    """A fresh token pair for the account (cached; `stale` is one the portal just refused)."""
    base = portal_base()
    if not base or not account.username or not account.password_md5:
        raise PortalError("not_configured", "no portal URL, username or password")
    return _token(base, account, deadline, stale=stale)


def portal_base() -> str:
    return settings.KCB06_PORTAL_URL.rstrip("/")


def take_token(account: Account, deadline: float) -> Token:
    """Log in anew (no cached token), for the admin's connection test: proves the account and
    password work now. The token is not kept."""
    base = settings.KCB06_PORTAL_URL.rstrip("/")
    if not base or not account.username or not account.password_md5:
        raise PortalError("not_configured", "no portal URL, username or password")
    return _login(base, account, deadline)


def forget_tokens() -> None:
    """Drop this process's token memory (tests; the shared table stays)."""
    _tokens.clear()


# --- card check ---------------------------------------------------------------------------


def _check_once(base: str, account: Account, token: Token, payload: dict, deadline: float):
    response = _post(
        base + CHECK_PATH,
        deadline,
        params={
            "token": token.access_token,
            "id_token": token.id_token,
            "username": account.username,
            "password": account.password_md5,
        },
        json=payload,
    )
    body = _json(response)
    code = str(body.get("maKetQua") or "").strip()
    if not code:
        raise PortalError("malformed", "no maKetQua")
    return code, body


def check_card(
    account: Account, *, ma_the: str, full_name: str, dob_text: str, deadline: float
) -> PortalAnswer:
    """Ask the portal about one card (or ID number); raise PortalError when it can't answer."""
    base = settings.KCB06_PORTAL_URL.rstrip("/")
    if not base or not account.username or not account.password_md5:
        raise PortalError("not_configured", "no portal URL, username or password")
    cb = breaker(base)
    if not cb.allow():
        raise PortalError("breaker_open")
    payload = {
        "maThe": ma_the,
        "hoTen": full_name,
        "ngaySinh": dob_text,
        "hoTenCb": account.officer_name,
        "cccdCb": account.officer_id_number,
    }
    try:
        token = _token(base, account, deadline)
        code, body = _check_once(base, account, token, payload, deadline)
        if code == "401":
            token = _token(base, account, deadline, stale=token)
            code, body = _check_once(base, account, token, payload, deadline)
        if code == "200" or (len(code) != 3 or not code.isdigit()):
            # HTTP 200 "success" envelope with no card result inside.
            raise PortalError("wrapped_error", f"maKetQua {code[:8]}")
    except PortalError as exc:
        if counts_against_portal(exc.kind):
            cb.failure()
        else:
            cb.success()  # the portal answered; our account is the problem
        log.warning("portal card check failed: %s (%s)", exc.kind, exc.detail)
        raise
    except BaseException:
        cb.release_probe()  # e.g. a database error: not the portal's fault, free the probe
        raise
    if code in SERVER_FAILURE_CODES:
        cb.failure()
    else:
        cb.success()
    return PortalAnswer(code=code, body=body)
