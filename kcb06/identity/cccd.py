"""The chip CCCD / 2024 thẻ căn cước QR and the 12-digit personal ID number
(docs/specs/qr-codes.md#cccd-qr, docs/specs/qr-codes.md#personal-id-number).

The QR is seven `|`-separated fields: ID number, old 9-digit CMND (may be empty), full name,
date of birth ddMMyyyy, sex (Nam/Nữ), address, issue date ddMMyyyy. Structural faults (bad
dates, wrong field count, a non-numeric ID) are errors; disagreements between the ID number's
own digits and the other fields are warnings, because a genuine number can predate a corrected
birth date or sex and the clerk, not the parser, decides.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from .codes import PROVINCE_BIRTH_CODES
from .errors import IdentityWarning, error, warning

_DIGITS_RUN = re.compile(r"\d+", re.ASCII)
_DATE_SEPARATORS = re.compile(r"[/.\-]")

MALE, FEMALE = "male", "female"
SEX_VI = {MALE: "Nam", FEMALE: "Nữ"}
_SEX_WORDS = {"nam": MALE, "nữ": FEMALE, "nu": FEMALE, "nư": FEMALE, "nũ": FEMALE}

_FIELD_NAMES = {
    "date_of_birth": ("Ngày sinh", "Date of birth"),
    "issue_date": ("Ngày cấp", "Issue date"),
}


@dataclass(frozen=True, slots=True)
class IdNumber:
    """A typed 12-digit personal ID number and what its digits say."""

    id_number: str
    birth_province_code: str
    birth_province_name: str
    sex: str
    birth_year_from: int
    birth_year_to: int
    kind: str = field(default="id_number", init=False)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "id_number": self.id_number,
            "birth_province_code": self.birth_province_code,
            "birth_province_name": self.birth_province_name,
            "sex": self.sex,
            "birth_year_from": self.birth_year_from,
            "birth_year_to": self.birth_year_to,
        }


@dataclass(frozen=True, slots=True)
class CccdQr:
    """The fields of a CCCD / thẻ căn cước QR, plus what looked inconsistent."""

    id_number: str
    old_id_number: str | None
    full_name: str
    date_of_birth: date
    sex: str
    address: str
    issue_date: date | None
    warnings: tuple[IdentityWarning, ...] = ()
    # Further 9/12-digit numbers in the old-ID field of a 2024 card (cancelled numbers).
    other_id_numbers: tuple[str, ...] = ()
    kind: str = field(default="cccd_qr", init=False)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "id_number": self.id_number,
            "old_id_number": self.old_id_number,
            "full_name": self.full_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "sex": self.sex,
            "address": self.address,
            "issue_date": self.issue_date.isoformat() if self.issue_date else None,
            "other_id_numbers": list(self.other_id_numbers),
            "warnings": [w.as_dict() for w in self.warnings],
        }


def century_sex(digit: int) -> tuple[int, str]:
    """Digit 4 of the ID number -> (first year of the century, sex): 0 -> (1900, male)."""
    return 1900 + 100 * (digit // 2), (MALE if digit % 2 == 0 else FEMALE)


def check_id_number(text: str) -> str:
    """Validate shape only (12 ASCII digits); return the number."""
    if text and not (text.isdigit() and text.isascii()):
        raise error("id_number_digits")
    if len(text) != 12:
        raise error("id_number_length", length=len(text))
    return text


def parse_id_number_text(text: str) -> IdNumber:
    number = check_id_number(text)
    province = number[:3]
    name = PROVINCE_BIRTH_CODES.get(province)
    if name is None:
        raise error("id_number_province", code=province)
    century, sex = century_sex(int(number[3]))
    year = century + int(number[4:6])
    return IdNumber(number, province, name, sex, year, year)


_DATE_CACHE: dict[str, date] = {}  # ddMMyyyy -> date; dates repeat a lot at reception


def parse_date(value: str, field_name: str) -> date:
    cached = _DATE_CACHE.get(value)
    if cached is not None:
        return cached
    text = value
    if len(text) != 8 or not text.isdigit():
        text = _DATE_SEPARATORS.sub("", text)
    if len(text) == 8 and text.isdigit() and text.isascii():
        year = int(text[4:])
        if year >= 1880:
            try:
                parsed = date(year, int(text[2:4]), int(text[:2]))
            except ValueError:
                pass
            else:
                if len(_DATE_CACHE) >= 100_000:
                    _DATE_CACHE.clear()
                _DATE_CACHE[value] = parsed
                return parsed
    vi, en = _FIELD_NAMES[field_name]
    raise error("date_invalid", field_vi=vi, field_en=en, value=value[:20])


def parse_sex(value: str) -> str:
    if value == "Nam":
        return MALE
    if value == "Nữ":
        return FEMALE
    sex = _SEX_WORDS.get(value.strip().lower())
    if sex is None:
        raise error("sex_invalid", value=value[:20])
    return sex


def _fix_inverted_word(word: str) -> str:
    first, rest = word[0], word[1:]
    if first.islower():
        first = first.upper()  # the title letter of a name word
    elif first.isascii():
        first = first.lower()  # an all-capital word came from an all-lower one ('PHỐ')
    # Caps Lock swaps the letters the scanner typed as keys (ASCII); letters it injected as
    # Unicode (ễ, Ă) may or may not be swapped, so they follow their ASCII neighbours.
    rest = "".join(ch.swapcase() if ch.isascii() else ch for ch in rest)
    ascii_letters = [ch for ch in rest if ch.isascii() and ch.isalpha()]
    acronym = bool(ascii_letters) and all(ch.isupper() for ch in ascii_letters)
    rest = "".join(ch if ch.isascii() else (ch.upper() if acronym else ch.lower()) for ch in rest)
    return first + rest


def _fix_inverted_case(text: str) -> str:
    """'nGUYỄN vĂN a' (Caps Lock on while the scanner typed) -> 'Nguyễn Văn A'.

    Inverted when some word looks like 'tHÔN' (lower, then an upper ASCII letter) and none
    looks like 'Thôn' (upper, then a lower ASCII letter); all-capital words are neutral.
    """
    if not text[:1].islower():  # fast exit: the usual title-case text starts upper case
        return text
    words = text.split(" ")
    inverted = False
    for word in words:
        if len(word) < 2 or not word[0].isalpha():
            continue
        if word[0].isupper() and any(c.isascii() and c.islower() for c in word[1:]):
            return text
        if word[0].islower() and any(c.isascii() and c.isupper() for c in word[1:]):
            inverted = True
    if not inverted:
        return text
    return " ".join(_fix_inverted_word(w) if w[:1].isalpha() else w for w in words)


def _old_ids(value: str, warnings: list) -> tuple[str | None, tuple[str, ...]]:
    if not value:
        return None, ()
    if len(value) == 9 and value.isdigit() and value.isascii():
        return value, ()
    numbers = _DIGITS_RUN.findall(value)
    good = [n for n in numbers if len(n) in (9, 12) and n.isascii()]
    if len(good) != len(numbers) or not numbers or any(c.isalpha() for c in value):
        warnings.append(warning("old_id_invalid"))
    old = next((n for n in good if len(n) == 9), None)
    others = tuple(n for n in good if n != old)
    return old, others


def parse_cccd_fields(fields: list[str], today: date) -> CccdQr:
    """Seven fields of a normalised scan -> CccdQr (errors for structure, warnings for
    consistency). normalize_scan has already trimmed the fields and collapsed spaces."""
    id_text, old_text, name, dob_text, sex_text, address, issue_text = fields
    number = (
        id_text
        if len(id_text) == 12 and id_text.isdigit() and id_text.isascii()
        else check_id_number(id_text)
    )
    warnings: list[IdentityWarning] = []
    old, others = _old_ids(old_text, warnings) if old_text else (None, ())
    # The calls below are inlined for the common case (docs/measurements.md#qr-parsing).
    if not name:
        raise error("name_missing")
    if name[0].islower():
        name = _fix_inverted_case(name)
    dob = _DATE_CACHE.get(dob_text) or parse_date(dob_text, "date_of_birth")
    if dob > today:
        raise error("dob_in_future", value=dob.strftime("%d/%m/%Y"))
    sex = MALE if sex_text == "Nam" else FEMALE if sex_text == "Nữ" else parse_sex(sex_text)
    if address[:1].islower():
        address = _fix_inverted_case(address)
    issue = (
        (_DATE_CACHE.get(issue_text) or parse_date(issue_text, "issue_date"))
        if issue_text
        else None
    )

    province = number[:3]
    if province not in PROVINCE_BIRTH_CODES:
        warnings.append(warning("id_province_unknown", code=province))
    digit = ord(number[3]) - 48
    century = 1900 + 100 * (digit >> 1)
    id_sex = FEMALE if digit & 1 else MALE
    if id_sex != sex:
        warnings.append(
            warning(
                "id_sex_mismatch",
                id_sex_vi=SEX_VI[id_sex],
                sex_vi=SEX_VI[sex],
                id_sex_en=id_sex,
                sex_en=sex,
            )
        )
    if not century <= dob.year < century + 100:
        warnings.append(
            warning("id_century_mismatch", years=f"{century}-{century + 99}", year=dob.year)
        )
    if int(number[4:6]) != dob.year % 100:
        warnings.append(warning("id_year_mismatch", digits=number[4:6], year=dob.year))
    if today.year - dob.year > 120:
        warnings.append(warning("dob_very_old", value=dob.strftime("%d/%m/%Y")))
    if not address:
        warnings.append(warning("address_missing"))
    if "?" in name or "\ufffd" in name or "\ufffd" in address:
        warnings.append(warning("name_unreadable_chars"))
    if issue is not None:
        if issue < dob:
            warnings.append(
                warning(
                    "issue_before_birth",
                    issue=issue.strftime("%d/%m/%Y"),
                    dob=dob.strftime("%d/%m/%Y"),
                )
            )
        if issue > today:
            warnings.append(warning("issue_in_future", issue=issue.strftime("%d/%m/%Y")))
    return CccdQr(number, old, name, dob, sex, address, issue, tuple(warnings), others)


def _ddmmyyyy(value: date) -> str:
    return f"{value.day:02d}{value.month:02d}{value.year:04d}"


def format_cccd_qr(qr: CccdQr) -> str:
    """The text of the card's QR for these fields (fixtures, property tests, demo cards)."""
    old_field = ",".join(
        ([qr.old_id_number] if qr.old_id_number else []) + list(qr.other_id_numbers)
    )
    return "|".join(
        (
            qr.id_number,
            old_field,
            qr.full_name,
            _ddmmyyyy(qr.date_of_birth),
            SEX_VI[qr.sex],
            qr.address,
            _ddmmyyyy(qr.issue_date) if qr.issue_date else "",
        )
    )
