"""Recognising what was scanned or typed at reception, and the public parse functions.

`parse_scan` is the one entry point reception uses: it cleans the text (normalize_scan), decides
which format it is, and returns a typed value or raises IdentityError with a code saying what
to do. The order of the checks is documented in docs/identity.md.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from .bhyt import (
    BhxhNumber,
    BhytCard,
    looks_like_bhyt_qr,
    parse_bhxh_text,
    parse_bhyt_qr_fields,
    parse_card_text,
)
from .cccd import CccdQr, IdNumber, parse_cccd_fields, parse_id_number_text
from .errors import IdentityError, error
from .normalize import normalize_scan

MAX_SCAN_LENGTH = 4096  # a CCCD QR is ~150 characters; anything this long is not ours

_DIGITS12 = re.compile(r"\d{12}", re.ASCII)
_DIGITS10 = re.compile(r"\d{10}", re.ASCII)
_CARD15 = re.compile(r"[A-Z]{2}\d{13}", re.ASCII)
# Two letters then mostly digits: meant as a card code even if a character is wrong.
_CARD_LIKE = re.compile(r"[A-Za-z]{2}(?=(?:[A-Za-z]*\d){10})[0-9A-Za-z]{11,15}", re.ASCII)
_DIGITS_ONLY = re.compile(r"\d+", re.ASCII)
_EMV = re.compile(r"000201(?:01021[12])?.*6304[0-9A-Fa-f]{4}", re.S)
_URL = re.compile(r"(?i)https?://([^/?#:\s]+)")
_VNEID_HOSTS = ("vneid.gov.vn", "dichvucong.gov.vn", "bocongan.gov.vn", "dancuquocgia.gov.vn")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")
_VNEID_PREFIXED = re.compile(r"(?i)vneid[-:_/.][A-Za-z0-9+/=_.:~-]{8,2048}", re.ASCII)
_OPAQUE = re.compile(r"[A-Za-z0-9+/=_.:~-]{40,2048}")
_AZERTY_DIGITS = frozenset("&é\"'(-è_çà")
_VI_MARKS = frozenset("\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323")


def _vietnamese_letters() -> frozenset[str]:
    """Every precomposed letter an input method (Telex/VNI) can produce: a-z with Vietnamese
    marks, and đ/Đ."""
    letters = {"đ", "Đ"}
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        ch = chr(code)
        parts = unicodedata.normalize("NFD", ch)
        if parts[0].isascii() and parts[0].isalpha() and set(parts[1:]) <= _VI_MARKS:
            if len(parts) > 1:
                letters.add(ch)
    return frozenset(letters)


_VI_LETTERS = _vietnamese_letters()


@dataclass(frozen=True, slots=True)
class VneidQr:
    """The VNeID app's dynamic QR. Its format is not public (docs/specs/qr-codes.md#vneid-qr):
    the payload is kept as-is for the e-ID authentication adapter and never interpreted or
    logged here."""

    payload: str = field(repr=False)
    kind: str = field(default="vneid_qr", init=False)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "payload": self.payload}


ScanResult = CccdQr | IdNumber | BhytCard | BhxhNumber | VneidQr


def _today(today: date | None) -> date:
    return today if today is not None else date.today()


def _ean_valid(digits: str) -> bool:
    """EAN-8/13, UPC-A, GTIN-14 check digit: tells a product barcode from a mistyped ID."""
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def _layout_trouble(text: str) -> bool:
    """Characters a wrong keyboard layout or a Vietnamese input method puts into what should
    be plain digits/ASCII: AZERTY digit-row symbols with no digits, or Vietnamese letters."""
    has_digit = any("0" <= c <= "9" for c in text)
    if not has_digit and sum(c in _AZERTY_DIGITS for c in text) >= 4:
        return True
    if text.isascii() or " " in text or len(text) < 9:
        return False
    # an ID, card code or token (ASCII letters/digits) with Vietnamese letters typed into it
    vietnamese = sum(c in _VI_LETTERS for c in text)
    plain = sum(c.isascii() and (c.isalnum() or c in "._-~+/=:") for c in text)
    return vietnamese > 0 and vietnamese + plain == len(text) and plain >= len(text) / 2


def _is_vneid(text: str) -> bool:
    url = _URL.match(text)
    if url:
        host = url.group(1).lower()
        return "vneid" in host or any(host == h or host.endswith("." + h) for h in _VNEID_HOSTS)
    if _JWT.fullmatch(text) or _VNEID_PREFIXED.fullmatch(text):
        return True
    if _OPAQUE.fullmatch(text):
        has_letter = any(c.isalpha() for c in text)
        has_digit = any(c.isdigit() for c in text)
        return has_letter and has_digit
    return False


def _parse_pipe_text(text: str, today: date) -> ScanResult:
    fields = text.split("|")
    count = len(fields)
    first = fields[0].strip()
    if looks_like_bhyt_qr(fields):
        return parse_bhyt_qr_fields(fields)
    if count == 7:
        if not first.isdigit() or not fields[3].strip().isdigit():
            if _layout_trouble(first) or _layout_trouble(fields[3].strip()):
                raise error("keyboard_layout")
        return parse_cccd_fields(fields, today)
    if first and first.isdigit() and first.isascii():
        if count < 7:
            raise error("qr_truncated", count=count)
        if len(first) == 12:
            raise error("qr_fields", count=count)
    if _layout_trouble(first):
        raise error("keyboard_layout")
    raise error("not_an_id")


def _parse_token(text: str) -> ScanResult:
    """A single line without `|`: an ID number, card code, BHXH number, VNeID token, or junk."""
    if _DIGITS12.fullmatch(text):
        return parse_id_number_text(text)
    if _CARD15.fullmatch(text):
        return parse_card_text(text)
    if _DIGITS10.fullmatch(text):
        return parse_bhxh_text(text)
    if _EMV.fullmatch(text):
        raise error("payment_qr")
    if _is_vneid(text):
        return VneidQr(text)
    if _DIGITS_ONLY.fullmatch(text) and text.isascii():
        if len(text) in (9, 11) or (len(text) in (13, 14) and not _ean_valid(text)):
            raise error("id_number_length", length=len(text))
        raise error("not_an_id")
    if _CARD_LIKE.fullmatch(text) and text.isascii():
        return parse_card_text(text.upper())  # raises the precise card error
    if _layout_trouble(text):
        raise error("keyboard_layout")
    raise error("not_an_id")


def _prepare(text: str) -> str:
    if not isinstance(text, str):
        raise error("not_an_id")
    if len(text) > MAX_SCAN_LENGTH:
        raise error("not_an_id")
    cleaned = normalize_scan(text)
    if not cleaned:
        raise error("empty")
    if "\n" in cleaned:
        raise error("multiple_scans")
    return cleaned


def parse_scan(text: str, today: date | None = None) -> ScanResult:
    """Whatever reception scanned or typed -> its typed value, or IdentityError.

    `today` is the reference date for "in the future" checks (default: the local date).
    """
    cleaned = _prepare(text)
    if "|" in cleaned:
        return _parse_pipe_text(cleaned, _today(today))
    return _parse_token(cleaned)


def parse_cccd_qr(text: str, today: date | None = None) -> CccdQr:
    """Only a CCCD / thẻ căn cước QR is acceptable here."""
    result = parse_scan(text, today)
    if not isinstance(result, CccdQr):
        raise error("not_an_id")
    return result


def parse_id_number(text: str) -> IdNumber:
    """A typed 12-digit personal ID number (unknown province code is an error here)."""
    cleaned = _prepare(text)
    if _DIGITS12.fullmatch(cleaned):
        return parse_id_number_text(cleaned)
    if _layout_trouble(cleaned):
        raise error("keyboard_layout")
    cleaned = cleaned.replace(" ", "")
    if cleaned.isdigit() and cleaned.isascii():
        raise error("id_number_length", length=len(cleaned))
    raise error("id_number_digits")


def parse_bhyt_card(text: str) -> BhytCard:
    """A typed 15-character BHYT card code, or the BHYT card's QR (card code taken from it)."""
    cleaned = _prepare(text)
    if "|" in cleaned:
        fields = cleaned.split("|")
        if looks_like_bhyt_qr(fields):
            result = parse_bhyt_qr_fields(fields)
            if isinstance(result, BhytCard):
                return result
        raise error("bhyt_format")
    if _layout_trouble(cleaned) and not _CARD15.fullmatch(cleaned):
        raise error("keyboard_layout")
    return parse_card_text(cleaned.upper().replace(" ", ""))


def parse_bhxh_number(text: str) -> BhxhNumber:
    """A typed 10-digit BHXH number (the number printed on cards since 2021)."""
    cleaned = _prepare(text)
    if "|" in cleaned:
        fields = cleaned.split("|")
        if looks_like_bhyt_qr(fields):
            result = parse_bhyt_qr_fields(fields)
            if isinstance(result, BhxhNumber):
                return result
            return BhxhNumber(result.bhxh_number)
    return parse_bhxh_text(cleaned.replace(" ", ""))


__all__ = [
    "IdentityError",
    "ScanResult",
    "VneidQr",
    "parse_bhxh_number",
    "parse_bhyt_card",
    "parse_cccd_qr",
    "parse_id_number",
    "parse_scan",
]
