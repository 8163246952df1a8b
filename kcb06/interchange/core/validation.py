"""Validation of the tables before anything leaves: XSD per table (libxml2, schemas loaded once
per process) plus the rule catalogue (core/rules: cross-table equality, totals, dates, code
lists, the card, ICD-10, which tables a visit may carry).

Each error is {"table", "field", "code", "rule", "message_vi", "severity"} (catalogue findings
also "message" in English and "next_step") so the page can tell the clinician or the billing
clerk exactly which field is wrong, why, and what to do.
"""

import re
from decimal import Decimal, InvalidOperation

from lxml import etree

from kcb06.interchange.core import rules
from kcb06.interchange.core.fields import TABLES
from kcb06.interchange.core.rules.lines import OUT_OF_LIST_DRUG  # noqa: F401  (mapper reads it here)

MA_LOAI_KCB = {f"{i:02d}" for i in range(1, 10)}
KET_QUA_DTRI = {str(i) for i in range(1, 9)}
MA_LOAI_RV = {str(i) for i in range(1, 6)}
GIOI_TINH = {"1", "2", "3"}
# QĐ 3276/QĐ-BYT Annex 1 (current list) plus the QĐ 824 codes still seen on older visits.
MA_DOITUONG_KCB = {
    *(f"1.{i}" for i in range(1, 11)),
    *(f"1.{i}" for i in range(11, 19)),
    "2",
    *(f"3.{i}" for i in range(1, 8)),
    "7",
    "7.1",
    "7.2",
    "7.3",
    "7.4",
    "8",
    "9",
    "10",
}
ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.?[0-9A-Z]{1,2})?$")
ID_NUMBER = re.compile(r"^([0-9]{9}|[0-9]{12}|[A-Z][0-9]{7})$")
CENT = Decimal("0.01")


def error(table: str, field: str, code: str, message_vi: str) -> dict:
    return {
        "table": table,
        "field": field,
        "code": code,
        "rule": "XSD" if code.startswith("xsd") else "",
        "message_vi": message_vi,
        "severity": "error",
    }


def _xsd_message(msg: str) -> tuple[str, str]:
    if "is not accepted by the pattern" in msg:
        return "format", "sai định dạng"
    if "has a length of more than" in msg or "maxLength" in msg:
        m = re.search(r"maximum (?:allowed )?length (?:of )?\(?'(\d+)'", msg)
        return "too_long", f"dài quá {m.group(1)} ký tự" if m else "dài quá mức cho phép"
    if "minLength" in msg or "length of less than" in msg:
        return "required", "bắt buộc nhưng đang để trống"
    if "Missing child element" in msg:
        return "missing", "thiếu trường bắt buộc"
    if "This element is not expected" in msg:
        return "unexpected", "không đúng vị trí hoặc không thuộc bảng này"
    if "No matching global declaration" in msg:
        return "wrong_root", "phần tử gốc không đúng bảng"
    return "xsd", "không hợp lệ theo lược đồ XSD"


def _as_dict(record: etree._Element) -> dict[str, str]:
    return {child.tag: child.text for child in record}


def _records(code: str, root: etree._Element) -> list[dict[str, str]]:
    """Records of a table as {field: text} (one pass over the children, then dict lookups)."""
    table = TABLES[code]
    if table.repeated:
        return [_as_dict(r) for r in root.iterfind(f"{table.list_path[0]}/{table.list_path[1]}")]
    return [_as_dict(root)]


def _text(record: dict[str, str], name: str) -> str:
    value = record.get(name)
    return value.strip() if value else ""


def _dec(value: str) -> Decimal:
    try:
        return Decimal(value or "0")
    except InvalidOperation:
        return Decimal(0)


def _in_list(errs, table, rec, name, allowed, what):
    value = _text(rec, name)
    if value and value not in allowed:
        errs.append(
            error(
                table, name, "code_list", f"Bảng {table}, {name} = '{value}' không có trong {what}."
            )
        )


def _order(errs, table, rec, earlier: str, later: str, ref: dict | None = None):
    """`later` (in rec) must not be before `earlier` (in ref, default rec)."""
    a = _text(ref if ref is not None else rec, earlier)
    b = _text(rec, later)
    if a and b and len(a) == len(b) and b < a:
        errs.append(
            error(table, later, "date_order", f"Bảng {table}: {later} ({b}) trước {earlier} ({a}).")
        )


def rules_checkin(root: etree._Element) -> list[dict]:
    errs: list[dict] = []
    for rec in _records("XML0", root):
        _in_list(errs, "XML0", rec, "MA_LOAI_KCB", MA_LOAI_KCB, "danh mục hình thức KCB")
        _in_list(errs, "XML0", rec, "GIOI_TINH", GIOI_TINH, "danh mục giới tính")
        _in_list(errs, "XML0", rec, "MA_DOITUONG_KCB", MA_DOITUONG_KCB, "danh mục đối tượng KCB")
        _order(errs, "XML0", rec, "NGAY_VAO", "NGAY_VAO_NOI_TRU")
        _order(errs, "XML0", rec, "NGAY_VAO", "NGAY_YL")
        cccd = _text(rec, "SO_CCCD")
        if cccd and not ID_NUMBER.match(cccd):
            errs.append(error("XML0", "SO_CCCD", "format", "SO_CCCD phải có 9 hoặc 12 chữ số."))
        if _text(rec, "NGAY_VAO_NOI_TRU") and not _text(rec, "LY_DO_VNT"):
            errs.append(
                error(
                    "XML0", "LY_DO_VNT", "required", "Có NGAY_VAO_NOI_TRU thì phải ghi LY_DO_VNT."
                )
            )
        firsts = [n for n in ("MA_DICH_VU", "MA_THUOC", "MA_VAT_TU") if _text(rec, n)]
        if not firsts:
            errs.append(
                error(
                    "XML0",
                    "MA_DICH_VU",
                    "required",
                    "Phải ghi khoản chi phí đầu tiên (MA_DICH_VU, MA_THUOC hoặc MA_VAT_TU).",
                )
            )
        for code_f, name_f in (
            ("MA_DICH_VU", "TEN_DICH_VU"),
            ("MA_THUOC", "TEN_THUOC"),
            ("MA_VAT_TU", "TEN_VAT_TU"),
        ):
            if _text(rec, code_f) and not _text(rec, name_f):
                errs.append(
                    error("XML0", name_f, "required", f"Có {code_f} thì phải ghi {name_f}.")
                )
    return errs


def rules_claim(tables: dict[str, etree._Element], policy: dict[str, str] | None = None):
    """Cross-table rules of one visit's package: the rule catalogue (core/rules), every
    finding with its rule code, next step and severity."""
    return rules.run(tables, policy)


def validate_checkin(root: etree._Element, version=None) -> list[dict]:
    """XML0 under `version` (default: the version of its own NGAY_VAO)."""
    from kcb06.interchange.core.versions import check  # builds on this module

    return check.validate_checkin(root, version or check.version_of_checkin(root))


def check_tables(
    tables: dict[str, etree._Element], policy: dict[str, str] | None = None, version=None
) -> list[dict]:
    """The version's XSD per table, then the rule catalogue: errors and warnings (key
    "severity"). `version`: default the version of the tables' own NGAY_VAO."""
    from kcb06.interchange.core.versions import check  # builds on this module

    return check.check_tables(tables, version or check.version_of_tables(tables), policy)


def validate_tables(
    tables: dict[str, etree._Element], policy: dict[str, str] | None = None, version=None
) -> list[dict]:
    """What refuses the package: every finding whose severity is "error" (XSD errors always)."""
    found = check_tables(tables, policy, version)
    return [e for e in found if e.get("severity", "error") == "error"]
