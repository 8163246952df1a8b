"""BHYT card codes, BHXH numbers and the BHYT card's own QR (docs/specs/bhyt-card.md#card-code,
docs/specs/qr-codes.md#bhyt-card-qr).

A card code is 15 characters: object code (2 letters), benefit level (1-5), province of the
issuing BHXH office (2 digits), then the lifelong 10-digit BHXH number. The card is
authoritative for the benefit level: a level that differs from the object code's usual level is
only a warning. Temporary cards (newborns, organ donors: `TE1` + province + 10 digits) have the
same shape and pass the same checks.
"""

import re
from dataclasses import dataclass, field

from .codes import BHYT_OBJECT_CODES, BHYT_PROVINCE_CODES
from .errors import IdentityWarning, error, warning

CARD_RE = re.compile(r"[A-Z]{2}[1-5]\d{12}", re.ASCII)
_CARD_SHAPE = re.compile(r"[A-Z]{2}\d{13}", re.ASCII)
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")
ALLOWED_OBJECT_CODES = ", ".join(sorted(BHYT_OBJECT_CODES))


@dataclass(frozen=True, slots=True)
class BhytCard:
    card_number: str
    object_code: str
    benefit_level: int
    province_code: str
    bhxh_number: str
    object_name_vi: str
    warnings: tuple[IdentityWarning, ...] = ()
    kind: str = field(default="bhyt_card", init=False)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "card_number": self.card_number,
            "object_code": self.object_code,
            "benefit_level": self.benefit_level,
            "province_code": self.province_code,
            "bhxh_number": self.bhxh_number,
            "object_name_vi": self.object_name_vi,
            "warnings": [w.as_dict() for w in self.warnings],
        }


@dataclass(frozen=True, slots=True)
class BhxhNumber:
    bhxh_number: str
    kind: str = field(default="bhxh_number", init=False)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "bhxh_number": self.bhxh_number}


def parse_card_text(text: str) -> BhytCard:
    """A 15-character card code (already normalised: upper case, no spaces) -> BhytCard."""
    if len(text) != 15:
        raise error("bhyt_length", length=len(text))
    if not (text.isascii() and _CARD_SHAPE.fullmatch(text)):
        raise error("bhyt_format")
    code = text[:2]
    obj = BHYT_OBJECT_CODES.get(code)
    if obj is None:
        raise error("bhyt_object_code", code=code, allowed=ALLOWED_OBJECT_CODES)
    level = int(text[2])
    if not 1 <= level <= 5:
        raise error("bhyt_benefit_level", value=text[2])
    province = text[3:5]
    if province not in BHYT_PROVINCE_CODES:
        raise error("bhyt_province", code=province)
    warnings: tuple[IdentityWarning, ...] = ()
    if obj.usual_level is not None and obj.usual_level != level:
        warnings = (warning("bhyt_level_unusual", code=code, usual=obj.usual_level, level=level),)
    return BhytCard(text, code, level, province, text[5:], obj.name_vi, warnings)


def parse_bhxh_text(text: str) -> BhxhNumber:
    if len(text) != 10 or not (text.isdigit() and text.isascii()):
        raise error("bhxh_number")
    return BhxhNumber(text)


def looks_like_bhyt_qr(fields: list[str]) -> bool:
    """The BHYT card's QR: card code or BHXH number, then the name as hex UTF-8, ..., '$'."""
    if len(fields) < 4:
        return False
    first = fields[0].strip()
    if not (len(first) == 15 or (len(first) == 10 and first.isdigit())):
        return False
    return bool(_HEX.fullmatch(fields[1].strip())) or fields[-1].strip().endswith("$")


def parse_bhyt_qr_fields(fields: list[str]) -> BhytCard | BhxhNumber:
    """Only the first field is used: the rest (hex name, dates) is not reliably decodable and
    the card check at the portal returns the authoritative data anyway."""
    first = fields[0].strip().upper()
    if len(first) == 10:
        return parse_bhxh_text(first)
    return parse_card_text(first)
