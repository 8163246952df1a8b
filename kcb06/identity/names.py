"""Name comparison that survives lost diacritics, case and word order.

Scanners and older databases drop Vietnamese diacritics ("Nguyễn" -> "Nguyen"), and BHXH and
police records sometimes differ in case or spacing. These helpers say *how* two names differ so
the clerk sees "same without diacritics" rather than a bare mismatch.
"""

import re
import unicodedata
from typing import Literal

from unidecode import unidecode

_SPACES = re.compile(r"\s+")


def clean_name(name: str) -> str:
    """NFC, single spaces, trimmed: the form in which a name is stored and compared exactly."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip()


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
