"""Bill references: short, unambiguous when read aloud or typed, findable in a message that a
banking app has re-spaced, re-cased, given diacritics, or wrapped in its own text."""

import re
import secrets

from unidecode import unidecode

PREFIX = "KCB"
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
LENGTH = 6
_PATTERN = re.compile(f"{PREFIX}[{ALPHABET}]{{{LENGTH}}}")


def new_reference() -> str:
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def transfer_message(reference: str) -> str:
    """The text the QR pre-fills (ASCII, within the 25-character VietQR purpose limit)."""
    return f"VIEN PHI {reference}"


def compact(message: str) -> str:
    """Upper-case ASCII letters and digits only: "kcb 7x2-qàb" -> "KCB7X2QAB"."""
    return re.sub(r"[^A-Z0-9]", "", unidecode(message or "").upper())


def candidate_references(message: str) -> list[str]:
    """Every reference-shaped run in the message, in order (overlaps included, so a bank
    prefix ending in "KCB" does not hide the real one)."""
    text = compact(message)
    found = []
    for start in range(len(text) - len(PREFIX) - LENGTH + 1):
        match = _PATTERN.match(text, start)
        if match and match.group() not in found:
            found.append(match.group())
    return found
