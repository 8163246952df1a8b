"""BHXH's co-payment lookup `TraCuuTienMCCT` (docs/bhxh.md, "Co-payment lookup"): the card's
co-payments of the current calendar year at every facility, for the co-payment exemption
(5 consecutive years and co-payments above 6 months of base salary).

POST {portal}/api/TraCuuCCT/TraCuuTienMCCT, headers accessToken, tokenId, passwordHash; JSON body
username, maThe, hoTen, ngaySinh (dd/MM/yyyy, MM/yyyy or yyyy). MaKetQua 200 with DataCCT (per
episode: maCskcb, ngayVao, ngayRa dd/MM/yyyy, maDoiTuongKCB, tBNCCTMCCT, tBNCCTLuyKe = running
total to the end of the episode, not additive), 204 none, 400 bad input, 500 authentication or
system. Token, deadline and circuit breaker (service "copayment") are kcb06.bhxh.client's. The
service is described by one HIS only (docs/specs/benefit.md#co-payment-exemption): its shape may change.
"""

import logging
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from kcb06.bhxh import client

log = logging.getLogger(__name__)

PATH = "/api/TraCuuCCT/TraCuuTienMCCT"


@dataclass(frozen=True)
class Episode:
    facility_code: str
    admitted: date
    discharged: date
    copayment: Decimal  # this episode's co-payment: the running total's step
    running_total: Decimal  # tBNCCTLuyKe


def _day(text) -> date:
    return datetime.strptime(str(text or "").strip(), "%d/%m/%Y").date()


def _amount(value) -> Decimal:
    amount = Decimal(str(value if value not in (None, "") else "0"))
    if not amount.is_finite() or amount < 0:
        raise InvalidOperation
    return amount


def _episodes(rows) -> list[Episode]:
    if not isinstance(rows, list):
        raise client.PortalError("malformed", "DataCCT is not a list")
    parsed = []
    try:
        for row in rows:
            parsed.append(
                (
                    _day(row.get("ngayRa")),
                    _day(row.get("ngayVao")),
                    str(row.get("maCskcb") or "")[:5],
                    _amount(row.get("tBNCCTLuyKe")),
                )
            )
    except (AttributeError, ValueError, InvalidOperation):
        raise client.PortalError("malformed", "DataCCT row unreadable") from None
    parsed.sort(key=lambda p: (p[0], p[3]))
    out, before = [], Decimal(0)
    for discharged, admitted, facility, running in parsed:
        out.append(
            Episode(facility, admitted, discharged, max(running - before, Decimal(0)), running)
        )
        before = max(before, running)
    return out


def _ask(base, account, token, payload, deadline) -> dict:
    response = client._post(
        base + PATH,
        deadline,
        headers={
            "accessToken": token.access_token,
            "tokenId": token.id_token,
            "passwordHash": account.password_md5,
        },
        json=payload,
    )
    if response.status_code == 401:
        return {"MaKetQua": "401"}
    return client._json(response)


def lookup(
    account: client.Account, *, ma_the: str, full_name: str, dob_text: str, deadline: float
) -> list[Episode]:
    """The card's episodes with co-payments this year (oldest first; [] when BHXH has none).
    Raises PortalError when the portal cannot answer."""
    base = client.portal_base()
    if not base or not account.username or not account.password_md5:
        raise client.PortalError("not_configured", "no portal URL, username or password")
    cb = client.breaker(base, "copayment")
    if not cb.allow():
        raise client.PortalError("breaker_open")
    payload = {
        "username": account.username,
        "maThe": ma_the,
        "hoTen": full_name,
        "ngaySinh": dob_text,
    }
    try:
        token = client.token_for(account, deadline)
        body = _ask(base, account, token, payload, deadline)
        code = str(body.get("MaKetQua") or body.get("maKetQua") or "").strip()
        if code in ("401", "500"):
            # 500 is also how the service says "not authenticated": log in again once.
            token = client.token_for(account, deadline, stale=token)
            body = _ask(base, account, token, payload, deadline)
            code = str(body.get("MaKetQua") or body.get("maKetQua") or "").strip()
        if code == "204":
            episodes = []
        elif code == "200":
            episodes = _episodes(body.get("DataCCT"))
        elif code == "400":
            cb.success()  # the portal answered; our request is the problem
            raise client.PortalError("bad_request", "MaKetQua 400")
        else:
            raise client.PortalError("wrapped_error", f"MaKetQua {code[:8]}")
    except client.PortalError as exc:
        if exc.kind not in ("auth", "not_configured", "bad_request"):
            cb.failure()
        log.warning("portal co-payment lookup failed: %s (%s)", exc.kind, exc.detail)
        raise
    except BaseException:
        cb.release_probe()
        raise
    cb.success()
    return episodes


# A claim's co-payments are read again whenever its bill or file is rebuilt (cashier page,
# re-send): one answer per card and day is kept for CACHE_SECONDS in this process.
CACHE_SECONDS = 300.0
_cache: dict[tuple, tuple[float, list[Episode]]] = {}
_cache_lock = threading.Lock()


def lookup_cached(account: client.Account, **kwargs) -> list[Episode]:
    """lookup() with this process's short memory (failures are not remembered)."""
    key = (client.portal_base(), account.username, kwargs["ma_the"], kwargs["full_name"])
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    episodes = lookup(account, **kwargs)
    with _cache_lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[key] = (now + CACHE_SECONDS, episodes)
    return episodes


def forget() -> None:
    """Drop the remembered answers (tests; after BHXH's data changed)."""
    with _cache_lock:
        _cache.clear()
