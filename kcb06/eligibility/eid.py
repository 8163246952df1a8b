"""The one adapter for e-ID authentication of a VNeID app QR (docs/eligibility.md, "e-ID adapter").

The VNeID QR is dynamic and can only be checked through the Ministry of Public Security's
system by a licensed authentication provider. The provider's real protocol is NOT known to us:
this module is kcb06's adapter interface, and portalsim/eid is its simulator.

Interface: POST {KCB06_EID_PROVIDER_URL}/eid/v1/authenticate, JSON {"payload": "<QR text>"}
-> 200 {"id_number", "full_name", "date_of_birth": "YYYY-MM-DD", "sex": "male"|"female"};
410 expired QR; 404 unknown QR. Replace the body of `authenticate` when a provider is chosen.
"""

import logging
from dataclasses import dataclass
from datetime import date

import httpx
from django.conf import settings

from kcb06.errors import DomainError

log = logging.getLogger(__name__)


@dataclass
class EidIdentity:
    id_number: str
    full_name: str
    date_of_birth: date
    sex: str


def _not_configured() -> DomainError:
    return DomainError(
        "eid_not_configured",
        "Cơ sở chưa kết nối dịch vụ xác thực điện tử nên chưa đọc được mã QR của ứng dụng "
        "VNeID. Hãy quét mã QR trên thẻ CCCD/thẻ căn cước gắn chip hoặc nhập số định danh "
        "cá nhân (12 số).",
        "No e-ID authentication provider is configured: scan the chip ID card's QR or type "
        "the 12-digit personal ID number.",
        status=409,
    )


def _unavailable() -> DomainError:
    return DomainError(
        "eid_unavailable",
        "Dịch vụ xác thực điện tử không trả lời. Hãy quét mã QR trên thẻ CCCD/thẻ căn cước "
        "hoặc nhập số định danh cá nhân.",
        "The e-ID authentication provider did not answer: scan the ID card or type the number.",
        status=503,
    )


def _payload_text(scan) -> str:
    for attr in ("payload", "raw", "text"):
        value = getattr(scan, attr, None)
        if isinstance(value, str) and value:
            return value
    return str(scan or "")


def authenticate(scan) -> EidIdentity:
    """Identity behind a VNeID QR (a kcb06.identity VneidQr or its text), or DomainError."""
    base = (settings.KCB06_EID_PROVIDER_URL or "").rstrip("/")
    if not base:
        raise _not_configured()
    payload = _payload_text(scan).strip()
    try:
        response = httpx.post(
            base + "/eid/v1/authenticate",
            json={"payload": payload},
            timeout=settings.KCB06_EID_TIMEOUT,
        )
    except httpx.HTTPError as exc:
        log.warning("e-ID provider unreachable: %s", type(exc).__name__)
        raise _unavailable() from None
    if response.status_code == 410:
        raise DomainError(
            "eid_expired",
            "Mã QR VNeID đã hết hạn. Đề nghị người bệnh làm mới mã QR trên ứng dụng VNeID rồi "
            "quét lại.",
            "The VNeID QR has expired: ask the citizen to refresh it in the app.",
            status=422,
        )
    if response.status_code in (400, 404):
        raise DomainError(
            "eid_unknown",
            "Dịch vụ xác thực không nhận ra mã QR VNeID này. Hãy quét lại, hoặc quét thẻ "
            "CCCD/nhập số định danh cá nhân.",
            "The provider does not recognise this VNeID QR.",
            status=422,
        )
    if response.status_code != 200:
        log.warning("e-ID provider answered HTTP %s", response.status_code)
        raise _unavailable()
    try:
        data = response.json()
        return EidIdentity(
            id_number=str(data["id_number"]),
            full_name=str(data["full_name"]),
            date_of_birth=date.fromisoformat(str(data["date_of_birth"])),
            sex=str(data.get("sex") or ""),
        )
    except (ValueError, KeyError, TypeError):
        log.warning("e-ID provider gave an unreadable answer")
        raise _unavailable() from None
