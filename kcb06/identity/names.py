"""Name comparison that survives lost diacritics, case and word order.

Scanners and older databases drop Vietnamese diacritics ("Nguyễn" -> "Nguyen"), and BHXH and
police records sometimes differ in case or spacing. These helpers say *how* two names differ so
the clerk sees "same without diacritics" rather than a bare mismatch.
"""

import re
import unicodedata
from typing import Literal

from unidecode import unidecode

from .errors import IdentityError

_SPACES = re.compile(r"\s+")
# Characters that are not text: C0/C1 controls (tab and newlines become spaces first), the
# bidirectional embeddings, overrides and isolates (U+202E prints "Nguyễn" as "nễyugN" on the
# screen and the ticket), marks, zero-width characters, the BOM and noncharacters.
_NOT_TEXT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ufffe\uffff]"
)
# Markup: no Vietnamese name has these; a name that does is refused, not silently changed.
_MARKUP = re.compile(r"[<>{}`\\]|&#?\w+;")
NAME_MAX_CHARS = 255  # Patient.full_name


def clean_name(name: str) -> str:
    """NFC, control/bidi/zero-width characters removed, single spaces, trimmed: the form in
    which a name is stored and compared exactly."""
    text = unicodedata.normalize("NFC", name)
    if _NOT_TEXT.search(text):
        text = _NOT_TEXT.sub("", text)
    return _SPACES.sub(" ", text).strip()


def check_name(name: str) -> str:
    """A person's name as typed or scanned -> clean_name(name), or IdentityError when it is
    empty, longer than the record holds, holds markup or a lone surrogate."""
    text = clean_name(str(name or ""))
    if not text:
        raise IdentityError(
            "name_empty",
            "Cần nhập họ tên (như trên giấy tờ).",
            "The full name is required.",
        )
    if len(text) > NAME_MAX_CHARS:
        raise IdentityError(
            "name_too_long",
            f"Họ tên dài quá {NAME_MAX_CHARS} ký tự.",
            f"The name is longer than {NAME_MAX_CHARS} characters.",
        )
    if _MARKUP.search(text):
        raise IdentityError(
            "name_markup",
            "Họ tên không được chứa các ký tự < > { } ` \\ hay mã HTML. Hãy nhập lại theo giấy tờ.",
            "A name may not contain < > { } ` \\ or HTML entities.",
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise IdentityError(
            "name_invalid_unicode",
            "Họ tên có ký tự không hợp lệ. Hãy nhập lại.",
            "The name holds invalid Unicode (a lone surrogate).",
        ) from None
    return text


def fold_name(name: str) -> str:
    """'Nguyễn Văn Ạ' -> 'nguyen van a': no diacritics (đ -> d), lower case, single spaces."""
    return _SPACES.sub(" ", unidecode(name).lower()).strip()


def name_key(name: str) -> str:
    """Folded words sorted: 'Văn A Nguyễn' and 'Nguyen Van A' give the same key (duplicates)."""
    return " ".join(sorted(fold_name(name).split()))


def names_match(a: str, b: str) -> Literal["exact", "folded", "different"]:
    """How two names compare: 'exact', 'folded' or 'different'.

    'exact': same letters and diacritics after NFC and spacing, ignoring case (BHXH records are
    often in capitals; case carries no meaning in a Vietnamese name). 'folded': same once
    diacritics are removed ('Nguyễn' vs 'Nguyen', 'Đ' vs 'D').
    """
    if clean_name(a).casefold() == clean_name(b).casefold():
        return "exact"
    if fold_name(a) == fold_name(b):
        return "folded"
    return "different"
