"""Scans of the synthetic portalsim citizens (docs/portalsim.md), one per verdict."""

from datetime import date

ADDR = "Thôn Demo, phường Tam Sơn, tỉnh Bắc Ninh"


def cccd(id_number: str, name: str, dob: str, sex: str = "Nam", old: str = "", addr=ADDR) -> str:
    """The text a scanner types for a chip-card QR (7 fields, '|'-separated)."""
    return f"{id_number}|{old}|{name}|{dob}|{sex}|{addr}|01012022"


VALID = cccd("027085000001", "Nguyễn Văn Hợp Lệ Demo", "15081985")
INVALID = cccd("027070000010", "Bùi Văn Hết Hạn Demo", "09091970")
NO_CARD = cccd("027200000050", "Ngô Thị Chưa Thẻ Demo", "01012000", "Nữ")
UNVERIFIED = cccd("027077000500", "Phan Văn Máy Chủ Demo", "03011977")


def synthetic(i: int) -> str:
    """A synthetic person the portal does not know (no_card verdict), distinct per i."""
    return cccd(f"0270{90 + i % 10:02d}{i:06d}"[:12], f"Người Thử Số {i} Demo", "01011990")


def principal(org, username="tiepdon"):
    from kcb06.facilities.services import principal_for_user

    return principal_for_user(org["users"][username])


def today() -> date:
    from django.utils import timezone

    return timezone.localdate()
