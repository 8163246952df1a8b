"""Submission to the BHXH portal (docs/specs/portal-api.md#submitting-files): check-in (XML0,
loaiHoSo=0) and claim files
(GIAMDINHHS, loaiHoSo=130).

Token handling is the eligibility client's (kcb06.eligibility.portal: cached token pair shared
by every process, renewed before expiry, one re-login on 401) — imported, not duplicated.
Headers accessToken, tokenId, passwordHash; form fields username, loaiHoSo, maTinh, maCSKCB,
fileHSBase64. Paths come from settings (QĐ 4750 by default; QĐ 3176 renames them to
checkInKcbQd3176 / guiHoSoXmlQD3176 — set KCB06_XML_CHECKIN_PATH / KCB06_XML_CLAIM_PATH).
"""

import base64
import time
from dataclasses import dataclass
from urllib.parse import quote_plus

import httpx
from django.conf import settings

from kcb06.eligibility import portal as eportal

RESULT_MEANINGS = {
    "200": "Cổng đã tiếp nhận hồ sơ.",
    "401": "Chưa xác thực: token hoặc tài khoản cổng không hợp lệ.",
    "403": "Không có quyền gửi dữ liệu cho cơ sở này.",
    "123": "Hồ sơ chưa được ký số.",
    "125": "Chữ ký số không hợp lệ: hồ sơ có thể đã bị sửa sau khi ký, hoặc chứng thư chưa đăng ký.",
    "400": "Hồ sơ không đúng cấu trúc/quy tắc của Quyết định 4750 (xem thông điệp).",
    # portalsim's code for an older version than the one it holds (the real portal's
    # behaviour is not published; docs/portalsim.md).
    "409": "Cổng đang giữ phiên bản mới hơn của hồ sơ này: bản cũ không thay thế được. Gửi lại "
    "vào ngày hôm sau (ký lại với ngày lập mới) nếu đây đúng là bản cần giữ.",
}


def meaning(code: str) -> str:
    return RESULT_MEANINGS.get(code, f"Cổng trả mã {code}.")


@dataclass
class Answer:
    code: str
    transaction_id: str
    received_at: str
    message: str


class TransientError(Exception):
    """Network error, time-out, HTTP 5xx or an unreadable answer: retry later."""


def account(facility) -> eportal.Account:
    password = eportal.password_for(facility.code)
    return eportal.Account(
        facility_code=facility.code,
        username=facility.portal_username or f"{facility.code}_BV",
        password_md5=eportal.md5_upper(password) if password else "",
        officer_name="",
        officer_id_number="",
    )


def form_body(form: dict[str, str]) -> bytes:
    """application/x-www-form-urlencoded body. The base64 file is escaped by replacing the
    only three characters of its alphabet that need it: urllib's per-character quoting of a
    whole file was slow (docs/measurements.md#form-encoding-of-the-file)."""
    parts = []
    for key, value in form.items():
        if key == "fileHSBase64":
            value = value.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
        else:
            value = quote_plus(value)
        parts.append(f"{key}={value}")
    return "&".join(parts).encode("ascii")


def _post_once(base, path, acc, token, form, deadline) -> httpx.Response:
    try:
        return eportal.http().post(
            base + path,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "accessToken": token.access_token,
                "tokenId": token.id_token,
                "passwordHash": acc.password_md5,
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


def submit(facility, kind: str, signed: bytes) -> Answer:
    """POST one signed file; TransientError for what is worth retrying."""
    base = settings.KCB06_PORTAL_URL.rstrip("/")
    acc = account(facility)
    if not acc.password_md5:
        raise TransientError("no portal password (KCB06_PORTAL_PASSWORD)")
    path = settings.KCB06_XML_CHECKIN_PATH if kind == "checkin" else settings.KCB06_XML_CLAIM_PATH
    form = {
        "username": acc.username,
        "loaiHoSo": "0" if kind == "checkin" else "130",
        "maTinh": facility.code[:2],
        "maCSKCB": facility.code,
        "fileHSBase64": base64.b64encode(signed).decode(),
    }
    deadline = time.monotonic() + settings.KCB06_XML_TIMEOUT
    try:
        token = eportal._token(base, acc, deadline)
    except eportal.PortalError as exc:
        raise TransientError(f"token: {exc.kind}") from None
    answer = _answer(_post_once(base, path, acc, token, form, deadline))
    if answer.code == "401":
        try:
            token = eportal._token(base, acc, deadline, stale=token)
        except eportal.PortalError as exc:
            raise TransientError(f"token: {exc.kind}") from None
        answer = _answer(_post_once(base, path, acc, token, form, deadline))
    return answer
