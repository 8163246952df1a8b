"""Pure-Python parsers for what reception scans or types: CCCD / thẻ căn cước QR, the 12-digit
personal ID number, BHYT card codes, BHXH numbers and the VNeID app's QR.

No Django, no I/O: every function takes text and returns a frozen value or raises
IdentityError (code, message_vi, message_en). See docs/identity.md.
"""

from .bhyt import BhxhNumber, BhytCard
from .cccd import CccdQr, IdNumber, format_cccd_qr
from .codes import (
    BENEFIT_LEVELS,
    BHYT_OBJECT_CODES,
    BHYT_PROVINCE_CODES,
    PROVINCE_BIRTH_CODES,
    PROVINCE_CODES_2025,
)
from .errors import IdentityError, IdentityWarning
from .names import fold_name, name_key, names_match
from .normalize import normalize_scan
from .scan import (
    ScanResult,
    VneidQr,
    parse_bhxh_number,
    parse_bhyt_card,
    parse_cccd_qr,
    parse_id_number,
    parse_scan,
)

__all__ = [
    "BENEFIT_LEVELS",
    "BHYT_OBJECT_CODES",
    "BHYT_PROVINCE_CODES",
    "PROVINCE_BIRTH_CODES",
    "PROVINCE_CODES_2025",
    "BhxhNumber",
    "BhytCard",
    "CccdQr",
    "IdNumber",
    "IdentityError",
    "IdentityWarning",
    "ScanResult",
    "VneidQr",
    "fold_name",
    "format_cccd_qr",
    "name_key",
    "names_match",
    "normalize_scan",
    "parse_bhxh_number",
    "parse_bhyt_card",
    "parse_cccd_qr",
    "parse_id_number",
    "parse_scan",
]
