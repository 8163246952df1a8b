"""Cleaning what a barcode scanner in keyboard mode types, before any parsing.

A scanner in keyboard ("HID wedge") mode does not send text: it presses keys. What arrives
depends on the PC: a trailing Enter or Tab, a UTF-8 BOM, NUL padding, a second copy when the
trigger is held, decomposed diacritics, Caps Lock, a French keyboard layout, a Vietnamese input
method (Unikey/EVKey in VNI mode) rewriting what was typed, or UTF-8 read as Windows-1252.

The rule here: repair only what can be repaired without guessing, i.e. when the repaired text
is fully determined by the fault and then matches one of the strict formats (a 12-digit ID
number, a 10-digit BHXH number, a 15-character BHYT card code). Anything else is left for the
parser to reject with a clear code (`keyboard_layout` when the fault is visible but the text
cannot be restored). Every step is idempotent, so normalize_scan(normalize_scan(x)) == it once.
See docs/identity.md for the full list.
"""

import re
import unicodedata

# Characters that never belong in a scan: C0 controls other than CR/LF/TAB, DEL, C1 controls,
# zero-width characters, the BOM (anywhere: some scanners prefix every scan with it) and the
# bidirectional marks, embeddings, overrides and isolates (U+202E would print a name reversed).
_JUNK = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060"
    "\u2066-\u2069\ufeff\ufffe]"
)
# Anything that needs a slow step; most scans contain none of these and return at once.
_NEEDS_WORK = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00a0\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069"
    "\ufeff\ufffe\uff01-\uff5e\u3000]"
)
_SPACE_RUN = re.compile(r"[ \t\u00a0\u3000]+")
_PIPE_SPACES = re.compile(r" ?\| ?")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\u0085]+")

# UTF-8 read as Windows-1252/Latin-1 ("Nguyá»…n"): a UTF-8 lead byte of Vietnamese text
# (C2-C6 Latin letters, CC-CD combining marks, E1 letters with two marks, E2 punctuation)
# shown as a letter, followed by a continuation byte shown as a Latin-1/Windows-1252 symbol.
# Real Vietnamese text never has this pair; the repair is kept only if the bytes are UTF-8.
_MOJIBAKE = re.compile(
    "[\u00c2-\u00c6\u00cc\u00cd\u00e1\u00e2]"
    "[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_CP1252_REVERSE = {}
for _byte in range(0x80, 0xA0):
    try:
        _CP1252_REVERSE[bytes([_byte]).decode("cp1252")] = _byte
    except UnicodeDecodeError:
        pass

# Full-width forms (Asian input methods) -> ASCII.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_HAS_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")  # translate() is slow: only when needed

CODE_RE = re.compile(r"\d{12}|\d{10}|[A-Z]{2}\d{13}", re.ASCII)
_CODE_LOOSE = re.compile(r"[A-Za-z]{2}\d{13}", re.ASCII)
_GROUPING = re.compile(r"[ .\-/]")

# French AZERTY: a scanner pressing the US digit-row keys gets these characters; shifted
# letters come out as the AZERTY letters on those key positions.
_AZERTY_DIGITS = "&é\"'(-è_çà"
_AZERTY_MARKERS = frozenset("&é\"'(è_çà")
_AZERTY_TABLE = str.maketrans(
    {
        **{ch: str((i + 1) % 10) for i, ch in enumerate(_AZERTY_DIGITS)},
        "A": "Q",
        "Q": "A",
        "Z": "W",
        "W": "Z",
        "?": "M",
        "a": "q",
        "q": "a",
        "z": "w",
        "w": "z",
        ",": "m",
    }
)

# VNI input method: a digit typed after a vowel becomes a mark on it. Reverse: mark -> digit.
_VNI_MARKS = {
    "\u0301": "1",  # sắc
    "\u0300": "2",  # huyền
    "\u0309": "3",  # hỏi
    "\u0303": "4",  # ngã
    "\u0323": "5",  # nặng
    "\u0302": "6",  # mũ
    "\u031b": "7",  # móc
    "\u0306": "8",  # trăng
}


def _fix_mojibake(text: str) -> str:
    for _ in range(3):  # double-encoded text needs two passes; stop when nothing changes
        if not _MOJIBAKE.search(text):
            return text
        raw = bytearray()
        for ch in text:
            code = ord(ch)
            if code < 0x100:
                raw.append(code)
            elif ch in _CP1252_REVERSE:
                raw.append(_CP1252_REVERSE[ch])
            else:
                return text
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return text
    return text


def _undo_vni(token: str) -> str:
    """'TÉ0101234567890' -> 'TE10101234567890' (each mark back to the digit that made it)."""
    out = []
    for ch in token:
        if ch in "đĐ":
            out.append("d9" if ch == "đ" else "D9")
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        out.append(decomposed[0])
        for mark in decomposed[1:]:
            digit = _VNI_MARKS.get(mark)
            if digit is None:
                return token
            out.append(digit)
    return "".join(out)


def _repair_token(token: str) -> str:
    """Repair one space-free token that should be an ID/BHXH/BHYT number, or return it as is."""
    if CODE_RE.fullmatch(token):
        return token
    if _CODE_LOOSE.fullmatch(token):  # Caps Lock inverted the letters of a BHYT code
        return token.upper()
    compact = _GROUPING.sub("", token)
    if compact != token and any(c.isdigit() for c in token):
        fixed = _repair_token(compact)
        if CODE_RE.fullmatch(fixed):  # typed with grouping: "001 095 000001", "DN4-01-..."
            return fixed
    if not any("0" <= c <= "9" for c in token) and any(c in _AZERTY_MARKERS for c in token):
        fixed = token.translate(_AZERTY_TABLE).replace(" ", "")
        if _CODE_LOOSE.fullmatch(fixed):
            fixed = fixed.upper()
        if CODE_RE.fullmatch(fixed):
            return fixed
    if not token.isascii():
        fixed = _undo_vni(token)
        if _CODE_LOOSE.fullmatch(fixed):
            fixed = fixed.upper()
        if CODE_RE.fullmatch(fixed):
            return fixed
    return token


def _dedupe(line: str) -> str:
    """The same code twice back to back (trigger held, double scan) -> once."""
    n = len(line)
    if n < 18:
        return line
    half = n // 2
    if line[0] != line[n - half]:  # cheap exit for the usual single scan
        return line
    if n % 2 and line[half] != " ":
        return line
    first, second = line[:half], line[n - half :]
    if first != second:
        return line
    if first.count("|") == 6 or (first.endswith("$") and "|" in first):  # CCCD / BHYT QR
        return first
    if CODE_RE.fullmatch(first) and not CODE_RE.fullmatch(line):
        return first
    return line


def _clean_line(line: str) -> str:
    line = _SPACE_RUN.sub(" ", line).strip()
    if "|" in line:
        line = _PIPE_SPACES.sub("|", line)
    return _finish_line(line)


def _finish_line(line: str) -> str:
    line = _dedupe(line)
    if "|" not in line and len(line) <= 40:
        line = _repair_token(line)
    return line


def _clean_chars(text: str) -> str:
    """Encoding repair, junk removal, full-width forms and NFC, repeated until stable."""
    for _ in range(5):
        before = text
        text = _fix_mojibake(text)
        text = _JUNK.sub("", text)
        if _HAS_FULLWIDTH.search(text):
            text = text.translate(_FULLWIDTH)
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        if text == before:
            break
    return text


def normalize_scan(text: str) -> str:
    """Return the scanned text cleaned of what the scanner and PC added (see module doc)."""
    if not isinstance(text, str):
        raise TypeError("normalize_scan expects str")
    if (
        not _NEEDS_WORK.search(text)
        and "  " not in text
        and " |" not in text
        and "| " not in text
        and text[:1] != " "
        and text[-1:] != " "
    ) and (
        text.isascii() or (unicodedata.is_normalized("NFC", text) and not _MOJIBAKE.search(text))
    ):
        return _finish_line(text)  # the common case: a clean single line
    text = _clean_chars(text)
    lines = [cleaned for cleaned in map(_clean_line, _LINE_BREAK.split(text)) if cleaned]
    if not lines:
        return ""
    if len(lines) > 1 and all(line == lines[0] for line in lines):
        return lines[0]
    return "\n".join(lines)
