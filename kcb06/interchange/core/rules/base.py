"""The rule catalogue's building blocks: a Rule (stable code, tables and fields, messages in
Vietnamese and English, the next step, a severity, the sheet row it implements), the registry,
and the per-visit context the checks read (each table's records as {field: text}, parsed once).

A check is a function ctx -> iterable of Hit(table, field, row, value). The runner turns each
hit into the error dict every caller already knows: {"table", "field", "code" (the kind, e.g.
"code_list"), "rule" (the catalogue code), "message_vi", "message", "next_step", "severity",
"row" (a line's STT, when the hit is on a line)}.
"""

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from lxml import etree

from kcb06.interchange.core.fields import TABLES

ERROR = "error"
WARNING = "warning"
OFF = "off"
SEVERITIES = (ERROR, WARNING)


@dataclass(frozen=True)
class Hit:
    table: str
    field: str
    row: str = ""
    value: str = ""


@dataclass(frozen=True)
class Rule:
    code: str  # S<table>.<row> for a row of the portal's sheet, K<table>.<n> for our own
    tables: tuple[str, ...]
    fields: tuple[str, ...]
    kind: str  # the error's "code": code_list, date_order, total_mismatch, ...
    message_vi: str
    message: str
    next_step: str
    check: Callable[["Ctx"], Iterable[Hit]] | None
    severity: str = ERROR
    sheet: str = ""  # "Bảng 1 dòng 27" style id of the portal's sheet row, "" for our own
    relaxation: bool = False  # the sheet made a field optional: nothing to refuse

    @property
    def table(self) -> str:
        return ",".join(self.tables)


REGISTRY: dict[str, Rule] = {}


def rule(
    code: str,
    tables: str,
    fields: str,
    kind: str,
    message_vi: str,
    message: str,
    next_step: str,
    *,
    severity: str = ERROR,
    sheet: bool = True,
):
    """Register the decorated check. `tables`/`fields` are comma-separated; a code starting
    with "S" is tied to the portal sheet's row (S1.27 = Bảng 1, STT 27)."""

    def deco(fn):
        if code in REGISTRY:
            raise ValueError(f"duplicate rule {code}")
        REGISTRY[code] = Rule(
            code,
            tuple(tables.split(",")),
            tuple(fields.split(",")),
            kind,
            message_vi,
            message,
            next_step,
            fn,
            severity,
            sheet_id(code) if sheet and code.startswith("S") else "",
        )
        return fn

    return deco


def sheet_id(code: str) -> str:
    table, row = code[1:].split(".")
    return f"{table}.{int(row)}"


# --- the context ---------------------------------------------------------------------------


def _as_dict(record: etree._Element) -> dict[str, str]:
    """{field: text stripped} of the record's non-empty fields."""
    out = {}
    for child in record:
        text = child.text
        if text:
            text = text.strip()
            if text:
                out[child.tag] = text
    return out


@dataclass
class Ctx:
    tables: dict[str, etree._Element]
    recs: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    cache: dict = field(default_factory=dict)  # sums shared by the total rules

    def __post_init__(self):
        for code, root in self.tables.items():
            table = TABLES.get(code)
            if table is None:
                continue
            if table.repeated:
                path = f"{table.list_path[0]}/{table.list_path[1]}"
                self.recs[code] = [_as_dict(r) for r in root.iterfind(path)]
            else:
                self.recs[code] = [_as_dict(root)]
        self.xml1 = self.recs.get("XML1", [{}])[0]

    def has(self, code: str) -> bool:
        return code in self.recs

    def one(self, code: str) -> dict[str, str]:
        return self.recs[code][0] if self.recs.get(code) else {}

    def lines(self, *codes: str) -> Iterator[tuple[str, dict[str, str]]]:
        for code in codes:
            for rec in self.recs.get(code, ()):
                yield code, rec


def t(rec: dict[str, str], name: str) -> str:
    """A field's text, stripped, "" when empty (records hold only non-empty stripped values)."""
    return rec.get(name, "")


@lru_cache(maxsize=16384)
def dec(value: str) -> Decimal | None:
    try:
        d = Decimal(value)
    except (InvalidOperation, TypeError):
        return None
    # Not a number kcb06 can write: infinite, NaN, or above 10^13 (products stay exact).
    return d if d.is_finite() and d.adjusted() <= 12 else None


ZERO = Decimal(0)


@lru_cache(maxsize=16384)
def num(value: str) -> Decimal:
    """A number, 0 when empty or not a number (the format rules report those)."""
    return (dec(value) or ZERO) if value else ZERO


def split(value: str) -> list[str]:
    return [p.strip() for p in value.split(";") if p.strip()]


DIGITS = re.compile(r"^[0-9]+\Z")


@lru_cache(maxsize=8192)
def real_time(value: str, birth: bool = False) -> bool:
    """yyyymmdd or yyyymmddHHMM that exists on the calendar. A birth date may be a year only
    (yyyy00000000 or yyyy0000) or a month (yyyymm000000), as on the BHYT card."""
    if len(value) not in (8, 12) or not DIGITS.match(value):
        return False
    if birth and value[4:8] == "0000" or birth and value[6:8] == "00" and value[4:6] != "00":
        try:
            datetime(int(value[:4]), int(value[4:6]) or 1, 1)
        except ValueError:
            return False
        return value[8:] in ("", "0000")
    try:
        if len(value) == 8:
            date(int(value[:4]), int(value[4:6]), int(value[6:8]))
        else:
            datetime(
                int(value[:4]), int(value[4:6]), int(value[6:8]), int(value[8:10]), int(value[10:])
            )
    except ValueError:
        return False
    return True


def day(value: str) -> date | None:
    """The calendar day of a yyyymmdd[HHMM] value, None when it is not a real one."""
    if not real_time(value):
        return None
    return date(int(value[:4]), int(value[4:6]), int(value[6:8]))


def before(a: str, b: str) -> bool:
    """True when time `b` is strictly before time `a` (both yyyymmdd[HHMM]; compared on the
    shorter precision; False when either is empty)."""
    if not a or not b:
        return False
    n = min(len(a), len(b))
    return b[:n] < a[:n]
