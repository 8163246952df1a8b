"""Folding text for search: lower case, no diacritics, đ -> d, punctuation to spaces
("Viêm họng [cấp]" -> "viem hong cap").

Same rules as kcb06.identity.fold_name plus punctuation removal, kept here so the stored
`Icd10Name.folded` column never changes meaning with another app's edits."""

import unicodedata


def fold(text: str) -> str:
    value = unicodedata.normalize("NFD", text or "")
    value = "".join(ch for ch in value if unicodedata.category(ch) != "Mn")
    value = value.replace("đ", "d").replace("Đ", "D").lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in value).split())
