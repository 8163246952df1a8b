"""The claim rule catalogue: every rule kcb06 applies to a visit's tables, each with a stable
code, its table(s) and field(s), a Vietnamese and an English message, the next step for the
clerk or clinician, and a severity (see base.Rule). Codes S<table>.<row> implement a row of the
portal's validation sheet (Check_Valid_QD4750.xlsx); K<table>.<n> are our own checks (code
lists, calendar dates, the card, ICD-10, amounts).

    run(tables, policy) -> findings; policy = {code: "off" | "warning" | "error"} (a facility's
    switches, default: the catalogue's own severity).
    coverage() -> implemented and missing rows of the sheet, with the reason for each missing.

The same catalogue runs when the clinician closes a visit (healthbook.claimcheck), when the
outbox builds, and in `kcb06 xml verify`.
"""

import importlib

from kcb06.interchange.core.fields import TABLES
from kcb06.interchange.core.rules.base import ERROR, OFF, REGISTRY, WARNING, Ctx, Rule
from kcb06.interchange.core.rules.sheet import SHEET_ROWS, UNTESTABLE

# Each module registers its rules when imported; the catalogue's order (its listing, the order
# of findings) is this order: XML1, the cost lines, the other tables.
for _module in ("xml1", "xml1_settlement", "lines", "papers"):
    importlib.import_module(f"{__name__}.{_module}")

__all__ = ["ERROR", "OFF", "REGISTRY", "WARNING", "Rule", "catalogue", "coverage", "run"]

# Values never echoed in a message (messages are stored with the outbox row and may be logged).
PRIVATE = frozenset(
    {"SO_CCCD", "MA_THE_BHYT", "MA_BHXH", "HO_TEN", "DIA_CHI", "NGAY_SINH", "DIEN_THOAI", "MA_BN"}
)
_ORDER = tuple(REGISTRY.values())


def catalogue() -> list[Rule]:
    return list(_ORDER)


def _message(rule: Rule, table: str, field: str, row: str, value: str) -> tuple[str, str]:
    where_vi = f"Bảng {table}" + (f" dòng {row}" if row and TABLES[table].repeated else "")
    where_en = f"Table {table}" + (f" line {row}" if row and TABLES[table].repeated else "")
    shown = value if value and field not in PRIVATE and len(value) <= 60 else ""
    tail_vi = f" (đang ghi “{shown}”)" if shown else ""
    tail_en = f" (written: '{shown}')" if shown else ""
    return (
        f"{where_vi}, {field}: {rule.message_vi}{tail_vi}",
        f"{where_en}, {field}: {rule.message}{tail_en}",
    )


def run(tables: dict, policy: dict[str, str] | None = None) -> list[dict]:
    """Every finding of the catalogue on one visit's tables (keyed XML1, XML2, ...)."""
    if tables.get("XML1") is None:
        return [
            {
                "table": "XML1",
                "field": "",
                "code": "missing_table",
                "rule": "K1.00",
                "message_vi": "Thiếu bảng XML1 (tổng hợp).",
                "message": "Table XML1 (summary) is missing.",
                "next_step": "Lập lại hồ sơ từ lượt khám.",
                "severity": ERROR,
            }
        ]
    ctx = Ctx(tables)
    policy = policy or {}
    out: list[dict] = []
    for rule in _ORDER:
        if rule.check is None:
            continue
        severity = policy.get(rule.code) or rule.severity
        if severity == OFF:
            continue
        for hit in rule.check(ctx):
            vi, en = _message(rule, hit.table, hit.field, hit.row, hit.value)
            err = {
                "table": hit.table,
                "field": hit.field,
                "code": rule.kind,
                "rule": rule.code,
                "message_vi": vi,
                "message": en,
                "next_step": rule.next_step,
                "severity": severity,
            }
            if hit.row and TABLES[hit.table].repeated:
                err["row"] = hit.row
            out.append(err)
    return out


def coverage() -> dict:
    """{"implemented": [(sheet id, rule code)], "missing": [(sheet id, table, field, reason)],
    "testable": n, "total": n}. A sheet row is implemented when a rule names it."""
    by_sheet = {r.sheet: r.code for r in _ORDER if r.sheet}
    implemented, missing = [], []
    for sid, (table, field) in SHEET_ROWS.items():
        if sid in by_sheet:
            implemented.append((sid, table, field, by_sheet[sid]))
        else:
            reason = UNTESTABLE.get(sid, "chưa làm / not implemented yet")
            missing.append((sid, table, field, reason))
    testable = len(SHEET_ROWS) - sum(1 for m in missing if m[0] in UNTESTABLE)
    return {
        "implemented": implemented,
        "missing": missing,
        "testable": testable,
        "total": len(SHEET_ROWS),
    }
