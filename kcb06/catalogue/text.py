"""Folding text for catalogue search: lower case ASCII without diacritics (unidecode, so
"đ" -> "d"), punctuation to spaces: "Paracetamol 500mg (viên nén)" -> "paracetamol 500mg vien nen"."""

from unidecode import unidecode


def fold(text: str) -> str:
    value = unidecode(str(text or "")).lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in value).split())
