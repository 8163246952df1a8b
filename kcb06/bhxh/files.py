"""Sending signed files to the BHXH portal (docs/interchange.md, "Delivery"): check-in (XML0,
loaiHoSo=0) and claim files (GIAMDINHHS, loaiHoSo=130), on the path the caller gives: the QĐ 4750
or QĐ 3176 endpoint of the file's regulation version, which the caller knows (kcb06.interchange
.portal; the paths are kcb06.interchange.core.versions').

Headers accessToken, tokenId, passwordHash; form fields username, loaiHoSo, maTinh, maCSKCB,
fileHSBase64. Token, HTTP pool, deadline and circuit breaker (service "files") are
kcb06.bhxh.client's. What the answer codes mean to staff is the caller's business
(kcb06.interchange.portal).
"""

import base64
import time
from dataclasses import dataclass
from urllib.parse import quote_plus

import httpx

from kcb06.bhxh import client

LOAI_HO_SO = {"checkin": "0", "claim": "130"}


class TransientError(Exception):
    """Network error, time-out, HTTP 5xx, an unreadable answer or an open breaker: retry
    later."""


@dataclass
class Answer:
    code: str
    transaction_id: str
    received_at: str
    message: str


def form_body(form: dict[str, str]) -> bytes:
    """application/x-www-form-urlencoded body. The base64 file is escaped by replacing the
    only three characters of its alphabet that need it: urllib's per-character quoting of a
    60 kB string cost ~20 ms of CPU per file."""
    parts = []
    for key, value in form.items():
        if key == "fileHSBase64":
            value = value.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
        else:
            value = quote_plus(value)
        parts.append(f"{key}={value}")
    return "&".join(parts).encode("ascii")


def _post_once(url, account, token, form, deadline) -> httpx.Response:
    try:
        return client.http().post(
            url,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "accessToken": token.access_token,
                "tokenId": token.id_token,
                "passwordHash": account.password_md5,
            },
            content=form_body(form),
            timeout=httpx.Timeout(max(0.1, deadline - time.monotonic())),
        )
    except httpx.TimeoutException:
        raise TransientError("timeout") from None
    except httpx.HTTPError as exc:
        raise TransientError(f"network: {type(exc).__name__}") from None


def _answer(response: httpx.Response) -> Answer:
    if response.status_code >= 500:
        raise TransientError(f"HTTP {response.status_code}")
    try:
        body = response.json()
        code = str(body["maKetQua"]).strip()
    except (ValueError, KeyError, TypeError):
        raise TransientError(f"unreadable answer (HTTP {response.status_code})") from None
    if not code:
        raise TransientError("answer without maKetQua")
    if code == "200" and not body.get("maGiaoDich"):
        # A "success" with no transaction id is not a receipt: ask again later.
        raise TransientError("success answer without maGiaoDich")
    return Answer(
        code=code,
        transaction_id=str(body.get("maGiaoDich") or "")[:64],
        received_at=str(body.get("thoiGianTiepNhan") or "")[:14],
        message=str(body.get("thongDiep") or "")[:1024],
    )


def _token(account, deadline, stale=None):
    try:
        return client.token_for(account, deadline, stale=stale)
    except client.PortalError as exc:
        raise TransientError(f"token: {exc.kind}") from None


def submit(
    account: client.Account,
    *,
    kind: str,
    path: str,
    ma_tinh: str,
    signed: bytes,
    deadline: float,
) -> Answer:
    """POST one signed file; TransientError for what is worth retrying. One re-login when the
    portal answers 401 to a cached token."""
    if not account.password_md5:
        raise TransientError("no portal password (KCB06_PORTAL_PASSWORD)")
    base = client.portal_base()
    cb = client.breaker(base, "files")
    if not cb.allow():
        raise TransientError("breaker_open")
    form = {
        "username": account.username,
        "loaiHoSo": LOAI_HO_SO[kind],
        "maTinh": ma_tinh,
        "maCSKCB": account.facility_code,
        "fileHSBase64": base64.b64encode(signed).decode(),
    }
    try:
        token = _token(account, deadline)
        answer = _answer(_post_once(base + path, account, token, form, deadline))
        if answer.code == "401":
            token = _token(account, deadline, stale=token)
            answer = _answer(_post_once(base + path, account, token, form, deadline))
    except TransientError:
        cb.failure()
        raise
    except BaseException:
        cb.release_probe()
        raise
    cb.success()
    return answer
