"""Validation of the tables before anything leaves: XSD per table (libxml2, schemas loaded once
per process) plus the rules an XSD cannot say (cross-table equality, totals, date order, code
lists, which tables a visit may carry).

Each error is {"table", "field", "code", "message_vi"} so the page can tell the clinician or the
billing clerk exactly which field is wrong and why.
"""

import re
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from lxml import etree

from kcb06.interchange.core.fields import TABLES

XSD_DIR = Path(__file__).resolve().parent / "xsd"

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
    return {"table": table, "field": field, "code": code, "message_vi": message_vi}


@cache
def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_DIR / f"{name}.xsd")))


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


def xsd_errors(code: str, root: etree._Element) -> list[dict]:
    xsd = schema(code)
    if xsd.validate(root):
        return []
    out = []
    for e in xsd.error_log:
        m = re.search(r"Element '([A-Z0-9_]+)'", e.message)
        field = m.group(1) if m else ""
        if "Missing child element" in e.message:
            expected = re.search(r"Expected is .*?\( ?([A-Z0-9_]+)", e.message)
            field = expected.group(1) if expected else field
        kind, what = _xsd_message(e.message)
        out.append(error(code, field, f"xsd_{kind}", f"Bảng {code}, trường {field}: {what}."))
    return out


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


def _line_checks(errs, table, rec, price_field):
    q, p = _dec(_text(rec, "SO_LUONG")), _dec(_text(rec, price_field))
    bv, bh = _dec(_text(rec, "THANH_TIEN_BV")), _dec(_text(rec, "THANH_TIEN_BH"))
    stt = _text(rec, "STT")
    if abs((q * p).quantize(CENT) - bv) > CENT:
        errs.append(
            error(
                table,
                "THANH_TIEN_BV",
                "amount",
                f"Bảng {table} dòng {stt}: THANH_TIEN_BV khác SO_LUONG × {price_field}.",
            )
        )
    if _dec(_text(rec, "T_BHTT")) + _dec(_text(rec, "T_BNCCT")) != bh:
        errs.append(
            error(
                table,
                "T_BHTT",
                "amount",
                f"Bảng {table} dòng {stt}: T_BHTT + T_BNCCT phải bằng THANH_TIEN_BH.",
            )
        )
    if _dec(_text(rec, "T_BNTT")) != bv - bh - _dec(_text(rec, "T_NGUONKHAC")):
        errs.append(
            error(
                table,
                "T_BNTT",
                "amount",
                f"Bảng {table} dòng {stt}: T_BNTT phải bằng THANH_TIEN_BV − THANH_TIEN_BH − T_NGUONKHAC.",
            )
        )


OUT_OF_LIST_DRUG = "00.0000"  # MA_THUOC of an ingredient outside the BHYT drug list


def _drug_line_rules(errs, rec):
    """An XML2 line is a drug actually dispensed: a quantity and a purchase price above 0
    (QĐ 4750 Bảng 2, SO_LUONG and DON_GIA), and an ingredient outside the BHYT list (MA_THUOC
    00.0000) cannot be claimed as in scope (PHAM_VI 1). Errors carry "row" (the line's STT) so
    the closing form can point at the drug."""
    stt = _text(rec, "STT")
    name = _text(rec, "TEN_THUOC")
    checks = (
        ("SO_LUONG", "quantity", f"số lượng của thuốc “{name}” phải lớn hơn 0"),
        ("DON_GIA", "price", f"đơn giá của thuốc “{name}” phải lớn hơn 0"),
    )
    for field, code, what in checks:
        if _dec(_text(rec, field)) <= 0:
            err = error("XML2", field, code, f"Bảng XML2 dòng {stt}: {what} ({field}).")
            errs.append({**err, "row": stt})
    if _text(rec, "MA_THUOC") == OUT_OF_LIST_DRUG and _text(rec, "PHAM_VI") == "1":
        err = error(
            "XML2",
            "MA_THUOC",
            "out_of_list",
            f"Bảng XML2 dòng {stt}: thuốc “{name}” ngoài danh mục BHYT (MA_THUOC 00.0000) "
            "không được ghi PHAM_VI 1.",
        )
        errs.append({**err, "row": stt})


def rules_claim(tables: dict[str, etree._Element]) -> list[dict]:
    """Cross-table rules of one visit's package (tables keyed XML1, XML2, ...)."""
    errs: list[dict] = []
    if tables.get("XML1") is None:
        return [error("XML1", "", "missing_table", "Thiếu bảng XML1 (tổng hợp).")]
    records = {code: _records(code, root) for code, root in tables.items() if code in TABLES}
    xml1 = records["XML1"][0]
    ma_lk = _text(xml1, "MA_LK")
    for code, recs in records.items():
        for rec in recs:
            if _text(rec, "MA_LK") != ma_lk:
                errs.append(
                    error(
                        code,
                        "MA_LK",
                        "ma_lk_mismatch",
                        f"Bảng {code}: MA_LK khác MA_LK của XML1 ({ma_lk}).",
                    )
                )
                break
    _in_list(errs, "XML1", xml1, "MA_LOAI_KCB", MA_LOAI_KCB, "danh mục hình thức KCB")
    _in_list(errs, "XML1", xml1, "KET_QUA_DTRI", KET_QUA_DTRI, "danh mục kết quả điều trị")
    _in_list(errs, "XML1", xml1, "MA_LOAI_RV", MA_LOAI_RV, "danh mục loại ra viện")
    _in_list(errs, "XML1", xml1, "GIOI_TINH", GIOI_TINH, "danh mục giới tính")
    _in_list(errs, "XML1", xml1, "MA_DOITUONG_KCB", MA_DOITUONG_KCB, "danh mục đối tượng KCB")
    main = _text(xml1, "MA_BENH_CHINH")
    if main and not ICD10.match(main):
        errs.append(
            error(
                "XML1",
                "MA_BENH_CHINH",
                "icd10",
                f"MA_BENH_CHINH '{main}' không đúng dạng mã ICD-10.",
            )
        )
    others = [c for c in _text(xml1, "MA_BENH_KT").split(";") if c]
    if any(not ICD10.match(c) for c in others):
        errs.append(
            error("XML1", "MA_BENH_KT", "icd10", "MA_BENH_KT có mã không đúng dạng ICD-10.")
        )
    if len(others) > 12:
        errs.append(error("XML1", "MA_BENH_KT", "too_many", "MA_BENH_KT ghi tối đa 12 mã."))
    cccd = _text(xml1, "SO_CCCD")
    if cccd and not ID_NUMBER.match(cccd):
        errs.append(
            error(
                "XML1",
                "SO_CCCD",
                "format",
                "SO_CCCD phải có 9 hoặc 12 chữ số (hoặc 1 chữ cái + 7 chữ số).",
            )
        )
    ttdv = _text(xml1, "MA_TTDV")
    if ttdv and not re.fullmatch(r"[0-9]{10}", ttdv):
        errs.append(error("XML1", "MA_TTDV", "format", "MA_TTDV phải là mã số BHXH 10 chữ số."))
    _order(errs, "XML1", xml1, "NGAY_VAO", "NGAY_RA")
    _order(errs, "XML1", xml1, "NGAY_VAO", "NGAY_VAO_NOI_TRU")
    loai = _text(xml1, "MA_LOAI_KCB")
    if loai in {"01", "07", "09"} and _text(xml1, "SO_NGAY_DTRI") not in {"", "0"}:
        errs.append(
            error(
                "XML1",
                "SO_NGAY_DTRI",
                "rule",
                "SO_NGAY_DTRI phải bằng 0 với MA_LOAI_KCB 01, 07, 09.",
            )
        )
    if "XML8" in tables and loai not in {"03", "04", "06"}:
        errs.append(
            error(
                "XML8",
                "MA_LK",
                "table_not_allowed",
                "Chỉ gửi bảng XML8 khi MA_LOAI_KCB là 03, 04 hoặc 06.",
            )
        )
    rv = _text(xml1, "MA_LOAI_RV")
    if "XML13" in tables and rv not in {"2", "5"}:
        errs.append(
            error(
                "XML13",
                "MA_LK",
                "table_not_allowed",
                "Chỉ gửi bảng XML13 (chuyển tuyến) khi MA_LOAI_RV là 2 hoặc 5.",
            )
        )
    if rv in {"2", "5"} and "XML13" not in tables:
        errs.append(
            error(
                "XML13", "", "missing_table", "Chuyển tuyến (MA_LOAI_RV 2 hoặc 5) cần bảng XML13."
            )
        )
    # Lines: amounts, dates within the episode, and totals equal to XML1's.
    sums = dict.fromkeys(
        ("THANH_TIEN_BV", "THANH_TIEN_BH", "T_BNTT", "T_BNCCT", "T_BHTT", "T_NGUONKHAC"), Decimal(0)
    )
    drugs_bv = Decimal(0)
    supplies_bv = Decimal(0)
    for code, price in (("XML2", "DON_GIA"), ("XML3", "DON_GIA_BV")):
        if code not in tables:
            continue
        for rec in records[code]:
            _line_checks(errs, code, rec, price)
            _order(errs, code, rec, "NGAY_VAO", "NGAY_YL", ref=xml1)
            _order(errs, code, rec, "NGAY_YL", "NGAY_TH_YL")
            _order(errs, code, rec, "NGAY_YL", "NGAY_KQ")
            ngay_ra, ngay_yl = _text(xml1, "NGAY_RA"), _text(rec, "NGAY_YL")
            if ngay_ra and ngay_yl and ngay_yl > ngay_ra:
                errs.append(
                    error(
                        code,
                        "NGAY_YL",
                        "date_order",
                        f"Bảng {code} dòng {_text(rec, 'STT')}: NGAY_YL ({ngay_yl}) sau NGAY_RA ({ngay_ra}).",
                    )
                )
            for key in sums:
                sums[key] += _dec(_text(rec, key))
            if code == "XML2":
                _drug_line_rules(errs, rec)
                drugs_bv += _dec(_text(rec, "THANH_TIEN_BV"))
            elif _text(rec, "MA_VAT_TU"):
                supplies_bv += _dec(_text(rec, "THANH_TIEN_BV"))
    expected = {
        "T_TONGCHI_BV": sums["THANH_TIEN_BV"],
        "T_TONGCHI_BH": sums["THANH_TIEN_BH"],
        "T_BNTT": sums["T_BNTT"],
        "T_BNCCT": sums["T_BNCCT"],
        "T_BHTT": sums["T_BHTT"],
        "T_NGUONKHAC": sums["T_NGUONKHAC"],
        "T_THUOC": drugs_bv,
        "T_VTYT": supplies_bv,
    }
    for name, value in expected.items():
        if _dec(_text(xml1, name)) != value:
            errs.append(
                error(
                    "XML1",
                    name,
                    "total_mismatch",
                    f"XML1 {name} = {_text(xml1, name) or '0'} khác tổng các dòng XML2/XML3 ({value}).",
                )
            )
    if _dec(_text(xml1, "T_BHTT")) != _dec(_text(xml1, "T_TONGCHI_BH")) - _dec(
        _text(xml1, "T_BNCCT")
    ):
        errs.append(
            error(
                "XML1", "T_BHTT", "total_mismatch", "XML1: T_BHTT phải bằng T_TONGCHI_BH − T_BNCCT."
            )
        )
    if "XML14" in tables:
        _order(errs, "XML14", records["XML14"][0], "NGAY_RA", "NGAY_HEN_KL", ref=xml1)
    if "XML11" in tables:
        _order(errs, "XML11", records["XML11"][0], "TU_NGAY", "DEN_NGAY")
    for code in ("XML13", "XML14"):
        if code in tables:
            for name in (
                "HO_TEN",
                "NGAY_SINH",
                "GIOI_TINH",
                "MA_THE_BHYT",
                "NGAY_VAO",
                "NGAY_RA",
                "MA_BENH_CHINH",
            ):
                given = _text(records[code][0], name)
                if given and given != _text(xml1, name):
                    errs.append(
                        error(
                            code,
                            name,
                            "differs_from_xml1",
                            f"Bảng {code}: {name} phải trùng với XML1.",
                        )
                    )
    return errs


def validate_checkin(root: etree._Element) -> list[dict]:
    return xsd_errors("XML0", root) + rules_checkin(root)


def validate_tables(tables: dict[str, etree._Element]) -> list[dict]:
    errs: list[dict] = []
    for code, root in tables.items():
        if code not in TABLES:
            errs.append(error(code, "", "unknown_table", f"Bảng {code} không được hỗ trợ."))
            continue
        errs.extend(xsd_errors(code, root))
    errs.extend(rules_claim(tables))
    return errs
