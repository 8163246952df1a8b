"""The portal's published content rules, applied by portalsim on its own (docs/portalsim.md,
"The published rules").

Source: the BHXH portal's validation sheet for QĐ 4750 ("Check_Valid_QD4750.xlsx", column VALID
and the conditional entries of column "Bắt buộc", one sheet per table), read for the tables
kcb06 sends (XML1, 2, 3, 4, 5, 7, 8, 11, 13, 14). Where the sheet says "Như 4210" (as the
portal checked under QĐ 4210) the rule is written from the field's description in the QĐ 4750
appendix (formats, code lists, dates). The sheet gives no error codes and the portal's own are
not published: each rule's code here is portalsim's, named after the table and field
(`XML2.TT_THAU.BAT_BUOC`), returned in dsLoi as `ma_loi` with a Vietnamese `loi`.

This is portalsim's own reading, written apart from kcb06's rule catalogue and sharing no code
with it: a rule kcb06 gets wrong is not mirrored here. The rules are data — the tables below
— checked by one small function per kind. What the sheet says that is not checked here: code
lists the portal holds and we do not (MA_KHOA "Check Danh mục", drug/service/ICD catalogues),
the co-payment formula file ("Theo File công thức") beyond the arithmetic written below, and
XML13 TOMTAT_KQ, which the sheet made optional (so it is not required).
"""

import os
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from lxml import etree

RECORDS = {
    "XML2": "DSACH_CHI_TIET_THUOC/CHI_TIET_THUOC",
    "XML3": "DSACH_CHI_TIET_DVKT/CHI_TIET_DVKT",
    "XML4": "DSACH_CHI_TIET_CLS/CHI_TIET_CLS",
    "XML5": "DSACH_CHI_TIET_DIEN_BIEN_BENH/CHI_TIET_DIEN_BIEN_BENH",
}
DRUG_GROUPS = {"4", "5", "6", "7", "17"}
SERVICE_GROUPS = {"1", "2", "3", "8", "9", "10", "11", "12", "13", "14", "15", "16", "18"}
PERFORMED_GROUPS = {"1", "2", "3", "8", "18"}  # tests, imaging, function tests, surgery, procedures
SUPPLY_GROUPS = {"10", "11"}
ICD = r"[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?"
CARD = r"[A-Z]{2}[0-9]{13}"


@dataclass(frozen=True)
class Rule:
    code: str  # portalsim's code for the rule (ma_loi)
    table: str
    field: str
    kind: str
    arg: object
    message: str  # Vietnamese, what is wrong


def _r(table, field, kind, arg, suffix, message):
    return Rule(f"{table}.{field}.{suffix}", table, field, kind, arg, message)


# --- the rule tables ----------------------------------------------------------------------------

# Non-empty (column "Bắt buộc" = x, where the XSD alone lets an empty element through).
REQUIRED = {
    "XML1": ["MA_LK", "MA_BN", "HO_TEN", "MA_BENH_CHINH", "NGAY_VAO", "NGAY_RA", "MA_CSKCB",
             "CAN_NANG", "MA_LOAI_KCB"],
    "XML2": ["MA_THUOC", "TEN_THUOC", "MA_KHOA", "NGAY_YL"],
    "XML3": ["MA_KHOA", "NGAY_YL", "MA_BAC_SI"],
    "XML4": ["TEN_CHI_SO"],
    "XML5": ["DIEN_BIEN_LS", "THOI_DIEM_DBLS", "NGUOI_THUC_HIEN"],
    "XML7": ["MA_TTDV", "MA_BS", "NGAY_CT"],
    "XML11": ["SO_CT", "SO_SERI", "TU_NGAY", "DEN_NGAY", "SO_NGAY_NGHI"],
    "XML13": ["HO_TEN", "DAU_HIEU_LS", "MA_LYDO_CT"],
    "XML14": ["SO_GIAYHEN_KL", "MA_CSKCB", "HO_TEN", "NGAY_HEN_KL", "NGAY_CT"],
}  # fmt: skip

# Formats of a filled field: (table, field, pattern, message).
FORMATS = [
    ("XML1", "SO_CCCD", r"[0-9]{9}|[0-9]{12}|[A-Z][0-9]{7}",
     "SO_CCCD phải gồm 9 hoặc 12 chữ số, hoặc 1 chữ in hoa và 7 chữ số"),
    ("XML1", "GIOI_TINH", r"[123]", "GIOI_TINH phải là 1, 2 hoặc 3"),
    ("XML1", "MA_THE_BHYT", rf"{CARD}(;{CARD})*", "MA_THE_BHYT phải là mã thẻ 15 ký tự"),
    ("XML1", "MA_DKBD", r"[0-9A-Z]{5}(;[0-9A-Z]{5})*", "MA_DKBD phải là mã cơ sở 5 ký tự"),
    ("XML1", "MA_BENH_CHINH", ICD, "MA_BENH_CHINH không đúng dạng mã ICD-10"),
    ("XML1", "MA_BENH_KT", rf"{ICD}(;{ICD}){{0,11}}",
     "MA_BENH_KT: tối đa 12 mã ICD-10, cách nhau bằng dấu ;"),
    ("XML1", "MA_PTTT_QT", r"[0-9]{2}(\.[0-9]{1,2})?(;[0-9]{2}(\.[0-9]{1,2})?)*",
     "MA_PTTT_QT: mã ICD-9 CM cách nhau bằng dấu ;"),
    *(("XML1", f, r"[0-9A-Z]{5}", f"{f} phải là mã cơ sở 5 ký tự") for f in ("MA_NOI_DI", "MA_NOI_DEN")),
    ("XML1", "MA_LOAI_KCB", r"0[1-9]|1[0-6]", "MA_LOAI_KCB không có trong danh mục"),
    ("XML1", "KET_QUA_DTRI", r"[1-8]", "KET_QUA_DTRI phải từ 1 đến 8"),
    ("XML1", "MA_LOAI_RV", r"[1-5]", "MA_LOAI_RV phải từ 1 đến 5"),
    ("XML1", "NAM_QT", r"20[0-9]{2}", "NAM_QT phải là năm 4 chữ số"),
    ("XML1", "THANG_QT", r"[1-9]|1[0-2]|0[1-9]", "THANG_QT phải từ 1 đến 12"),
    ("XML1", "MA_KHUVUC", r"K[123]", "MA_KHUVUC phải là K1, K2 hoặc K3"),
    ("XML1", "CAN_NANG", r"[0-9]{1,3}(\.[0-9]{1,2})?", "CAN_NANG phải là số (kg), tối đa 2 số lẻ"),
    ("XML1", "MA_TTDV", r"[0-9]{10}", "MA_TTDV phải gồm 10 ký tự số"),
    ("XML2", "MA_NHOM", "|".join(sorted(DRUG_GROUPS)), "MA_NHOM của thuốc không đúng (4, 5, 6, 7, 17)"),
    ("XML2", "NGUON_CTRA", r"[1-4]", "NGUON_CTRA phải từ 1 đến 4"),
    ("XML3", "MA_NHOM", "|".join(sorted(SERVICE_GROUPS)), "MA_NHOM của dịch vụ/vật tư không đúng"),
    ("XML3", "GOI_VTYT", r"G[1-9][0-9]{0,2}", "GOI_VTYT phải là G và số từ 1 đến 999"),
    ("XML3", "PP_VO_CAM", r"[1-4]", "PP_VO_CAM phải từ 1 đến 4"),
    # The same in both line tables (drugs XML2, services and supplies XML3).
    *((t, f, r"[123]", f"{f} phải là 1, 2 hoặc 3") for t in ("XML2", "XML3") for f in ("PHAM_VI", "MA_PTTT")),
    *((t, f, r"1", f"{f} chỉ được để trống hoặc bằng 1")
      for t, f in (("XML2", "VET_THUONG_TP"), ("XML3", "VET_THUONG_TP"), ("XML3", "TAI_SU_DUNG"))),
    ("XML3", "MA_GIUONG", r"[HTCK][0-9]{3}(;[HTCK][0-9]{3})*",
     "MA_GIUONG: H/T/C/K và 3 chữ số, cách nhau bằng dấu ;"),
    ("XML11", "MAU_SO", r"CT07", "MAU_SO chỉ được là CT07 hoặc để trống"),
    ("XML13", "MA_LYDO_CT", r"[123]", "MA_LYDO_CT phải là 1, 2 hoặc 3"),
]  # fmt: skip

# Dates and times of a filled field: (table, field, form). Forms: "ts" yyyymmddHHMM, "day"
# yyyymmdd, "birth" yyyymmdd0000 or yyyy00000000, "day_or_ts" 8 or 12, "days" yyyymmdd;...
DATES = [
    ("XML1", "NGAY_SINH", "birth"), ("XML1", "GT_THE_TU", "days"), ("XML1", "GT_THE_DEN", "days"),
    ("XML1", "NGAY_MIEN_CCT", "day_or_ts"), ("XML1", "NGAY_VAO", "ts"),
    ("XML1", "NGAY_VAO_NOI_TRU", "ts"), ("XML1", "NGAY_RA", "ts"), ("XML1", "NGAY_TTOAN", "ts"),
    ("XML1", "NAM_NAM_LIEN_TUC", "day"),
    ("XML2", "NGAY_YL", "ts"), ("XML2", "NGAY_TH_YL", "ts"),
    ("XML3", "NGAY_YL", "ts"), ("XML3", "NGAY_TH_YL", "ts"), ("XML3", "NGAY_KQ", "ts"),
    ("XML4", "NGAY_KQ", "ts"), ("XML5", "THOI_DIEM_DBLS", "ts"), ("XML7", "NGAY_CT", "day"),
    ("XML11", "TU_NGAY", "day"), ("XML11", "DEN_NGAY", "day"), ("XML11", "NGAY_CT", "day"),
    ("XML14", "NGAY_HEN_KL", "day_or_ts"), ("XML14", "NGAY_CT", "day"),
]  # fmt: skip

# Lines a "required when" rule does not apply to, by another field's value: the sheet's
# SO_DANG_KY note exempts medical oxygen (MA_THUOC 40.17) and nitric oxide (40.573).
EXEMPT_WHEN = {("XML2", "SO_DANG_KY"): ("MA_THUOC", {"40.17", "40.573"})}

# Required when another field of the record has a value: (table, field, other, values or None
# for "any value", invert, message).
REQUIRED_WHEN = [
    ("XML1", "MA_DKBD", "MA_THE_BHYT", None, False, "Có MA_THE_BHYT thì phải có MA_DKBD"),
    ("XML1", "GT_THE_TU", "MA_THE_BHYT", None, False, "Có MA_THE_BHYT thì phải có GT_THE_TU"),
    ("XML1", "GT_THE_DEN", "MA_THE_BHYT", None, False, "Có MA_THE_BHYT thì phải có GT_THE_DEN"),
    ("XML2", "TT_THAU", "MA_NHOM", {"7", "17"}, True, "TT_THAU bắt buộc, trừ thuốc nhóm 7 và 17"),
    ("XML2", "SO_DANG_KY", "MA_NHOM", {"7", "17"}, True,
     "SO_DANG_KY bắt buộc, trừ máu và chế phẩm máu (nhóm 7 và 17), khí oxy và khí NO"),
    ("XML3", "MA_XANG_DAU", "MA_NHOM", {"12"}, False, "MA_XANG_DAU bắt buộc khi MA_NHOM = 12"),
    ("XML3", "TT_THAU", "MA_NHOM", {"10"}, False, "TT_THAU bắt buộc khi MA_NHOM = 10"),
    ("XML3", "NGUOI_THUC_HIEN", "MA_NHOM", PERFORMED_GROUPS, False,
     "NGUOI_THUC_HIEN bắt buộc khi MA_NHOM là 1, 2, 3, 8, 18"),
    ("XML3", "NGAY_TH_YL", "MA_NHOM", PERFORMED_GROUPS, False,
     "NGAY_TH_YL bắt buộc khi MA_NHOM là 1, 2, 3, 8, 18"),
    ("XML4", "NGAY_KQ", "GIA_TRI", None, False, "NGAY_KQ bắt buộc khi GIA_TRI có dữ liệu"),
    ("XML7", "NGUYENNHAN_DINHCHI", "MA_DINH_CHI_THAI", {"1"}, False,
     "NGUYENNHAN_DINHCHI bắt buộc khi MA_DINH_CHI_THAI = 1"),
    ("XML7", "THOIGIAN_DINHCHI", "MA_DINH_CHI_THAI", {"1"}, False,
     "THOIGIAN_DINHCHI bắt buộc khi MA_DINH_CHI_THAI = 1"),
    ("XML7", "TUOI_THAI", "MA_DINH_CHI_THAI", {"1"}, False,
     "TUOI_THAI bắt buộc khi MA_DINH_CHI_THAI = 1"),
    ("XML11", "NGUYENNHAN_DINHCHI", "MA_DINH_CHI_THAI", {"1"}, False,
     "NGUYENNHAN_DINHCHI bắt buộc khi MA_DINH_CHI_THAI = 1"),
    ("XML11", "TUOI_THAI", "MA_DINH_CHI_THAI", {"1"}, False,
     "TUOI_THAI bắt buộc khi MA_DINH_CHI_THAI = 1"),
]  # fmt: skip

# Not before: (table, field, other table ("" = the same record, or XML1), other field).
# Compared on the digits both carry (a date-only field against a time: its day).
NOT_BEFORE = [
    ("XML1", "NGAY_VAO_NOI_TRU", "", "NGAY_VAO"), ("XML1", "NGAY_RA", "", "NGAY_VAO"),
    ("XML1", "NGAY_TTOAN", "", "NGAY_VAO"), ("XML1", "GT_THE_DEN", "", "GT_THE_TU"),
    ("XML2", "NGAY_TH_YL", "", "NGAY_YL"), ("XML3", "NGAY_TH_YL", "", "NGAY_YL"),
    ("XML3", "NGAY_KQ", "", "NGAY_YL"), ("XML5", "THOI_DIEM_DBLS", "XML1", "NGAY_VAO"),
    ("XML11", "DEN_NGAY", "", "TU_NGAY"), ("XML14", "NGAY_HEN_KL", "XML1", "NGAY_RA"),
    ("XML14", "NGAY_CT", "XML1", "NGAY_VAO"),
]  # fmt: skip

# "Nếu có dữ liệu thì phải giống thông tin này ở bảng 1": (table, field, XML1 field).
SAME_AS_XML1 = [
    ("XML13", f, f)
    for f in (
        "MA_CSKCB", "MA_NOI_DI", "MA_NOI_DEN", "HO_TEN", "NGAY_SINH", "GIOI_TINH", "MA_QUOCTICH",
        "MA_DANTOC", "MA_NGHE_NGHIEP", "DIA_CHI", "MA_THE_BHYT", "GT_THE_DEN", "NGAY_VAO",
        "NGAY_VAO_NOI_TRU", "NGAY_RA", "CHAN_DOAN_RV", "MA_BENH_CHINH", "MA_BENH_KT",
        "MA_BENH_YHCT", "PP_DIEU_TRI", "MA_LOAI_RV",
    )
] + [("XML13", "PP_DIEUTRI", "PP_DIEU_TRI")] + [
    # QĐ 3176 renamed XML13's facility codes; the sheet's rule holds under the new names.
    ("XML13", "MA_CSKCB_DI", "MA_NOI_DI"), ("XML13", "MA_CSKCB_DEN", "MA_NOI_DEN"),
] + [
    ("XML14", f, f)
    for f in (
        "NGAY_SINH", "GIOI_TINH", "DIA_CHI", "MA_THE_BHYT", "GT_THE_DEN", "NGAY_VAO",
        "NGAY_VAO_NOI_TRU", "NGAY_RA", "CHAN_DOAN_RV", "MA_BENH_CHINH", "MA_BENH_KT",
        "MA_BENH_YHCT", "MA_DOITUONG_KCB",
    )
]  # fmt: skip


def _build() -> list[Rule]:
    rules = []
    for table, fields in REQUIRED.items():
        rules += [_r(table, f, "required", None, "BAT_BUOC", f"{f} bắt buộc") for f in fields]
    rules += [_r(t, f, "format", re.compile(p), "DINH_DANG", m) for t, f, p, m in FORMATS]
    rules += [
        _r(t, f, "date", form, "NGAY", f"{f} không phải ngày/giờ có thật đúng định dạng")
        for t, f, form in DATES
    ]
    rules += [
        _r(t, f, "required_when", (other, values, invert), "BAT_BUOC_KHI", m)
        for t, f, other, values, invert, m in REQUIRED_WHEN
    ]
    rules += [
        _r(t, f, "not_before", (ot, of), "TRUOC", f"{f} không được trước {ot or t}.{of}")
        for t, f, ot, of in NOT_BEFORE
    ]
    rules += [
        _r(t, f, "same_as_xml1", x1, "KHAC_XML1", f"{f} có dữ liệu thì phải giống XML1.{x1}")
        for t, f, x1 in SAME_AS_XML1
    ]
    rules += [
        _r("XML1", "MA_LK", "same_ma_lk", None, "KHAC_XML1", "MA_LK khác MA_LK của XML1"),
        _r("XML1", "MA_CSKCB", "own_facility", None, "KHAC_MACSKCB",
           "MA_CSKCB khác MACSKCB của hồ sơ"),
        _r("XML1", "SO_NGAY_DTRI", "treatment_days", None, "CONG_THUC",
           "SO_NGAY_DTRI: 0 với MA_LOAI_KCB 01, 07, 09; NGAY_RA − NGAY_VAO + 1 với 02, 03, "
           "04, 06"),
        _r("XML1", "T_TONGCHI_BV", "xml1_sum", (("XML2", "XML3"), "THANH_TIEN_BV", None),
           "TONG", "T_TONGCHI_BV khác tổng THANH_TIEN_BV các dòng"),
        _r("XML1", "T_TONGCHI_BH", "xml1_sum", (("XML2", "XML3"), "THANH_TIEN_BH", None),
           "TONG", "T_TONGCHI_BH khác tổng THANH_TIEN_BH các dòng"),
        _r("XML1", "T_THUOC", "xml1_sum", (("XML2",), "THANH_TIEN_BV", None), "TONG",
           "T_THUOC khác tổng THANH_TIEN_BV của XML2"),
        _r("XML1", "T_VTYT", "xml1_sum", (("XML3",), "THANH_TIEN_BV", SUPPLY_GROUPS), "TONG",
           "T_VTYT khác tổng THANH_TIEN_BV vật tư (MA_NHOM 10, 11) của XML3"),
        _r("XML1", "T_BNTT", "xml1_sum", (("XML2", "XML3"), "T_BNTT", None), "TONG",
           "T_BNTT khác tổng T_BNTT các dòng"),
        _r("XML1", "T_BNCCT", "xml1_sum", (("XML2", "XML3"), "T_BNCCT", None), "TONG",
           "T_BNCCT khác tổng T_BNCCT các dòng"),
        _r("XML1", "T_BHTT", "xml1_sum", (("XML2", "XML3"), "T_BHTT", None), "TONG",
           "T_BHTT khác tổng T_BHTT các dòng"),
        _r("XML1", "T_NGUONKHAC", "xml1_sum", (("XML2", "XML3"), "T_NGUONKHAC", None), "TONG",
           "T_NGUONKHAC khác tổng T_NGUONKHAC các dòng"),
        _r("XML2", "THANH_TIEN_BV", "product", ("SO_LUONG", "DON_GIA"), "CONG_THUC",
           "THANH_TIEN_BV khác SO_LUONG × DON_GIA"),
        _r("XML2", "T_BNTT", "line_bntt", None, "CONG_THUC",
           "T_BNTT khác THANH_TIEN_BV − THANH_TIEN_BH"),
        _r("XML2", "T_BNCCT", "line_split", None, "CONG_THUC",
           "T_BHTT + T_BNCCT + T_NGUONKHAC khác THANH_TIEN_BH"),
        _r("XML3", "T_BNTT", "line_bntt", None, "CONG_THUC",
           "T_BNTT khác THANH_TIEN_BV − THANH_TIEN_BH"),
        _r("XML3", "T_BNCCT", "line_split", None, "CONG_THUC",
           "T_BHTT + T_BNCCT + T_NGUONKHAC khác THANH_TIEN_BH"),
        _r("XML2", "MUC_HUONG", "percent", None, "PHAN_TRAM", "MUC_HUONG phải từ 0 đến 100"),
        _r("XML3", "MUC_HUONG", "percent", None, "PHAN_TRAM", "MUC_HUONG phải từ 0 đến 100"),
        _r("XML2", "TYLE_TT_BH", "percent", None, "PHAN_TRAM", "TYLE_TT_BH phải từ 0 đến 100"),
        _r("XML3", "TYLE_TT_BH", "percent", None, "PHAN_TRAM", "TYLE_TT_BH phải từ 0 đến 100"),
        _r("XML2", "SO_LUONG", "positive", None, "SO_DUONG", "SO_LUONG phải là số lớn hơn 0"),
        _r("XML3", "SO_LUONG", "positive", None, "SO_DUONG", "SO_LUONG phải là số lớn hơn 0"),
        _r("XML3", "MA_DICH_VU", "one_of", ("MA_DICH_VU", "MA_VAT_TU"), "BAT_BUOC",
           "Mỗi dòng XML3 phải có MA_DICH_VU hoặc MA_VAT_TU"),
        _r("XML7", "SO_NGAY_NGHI", "all_or_none",
           ("SO_NGAY_NGHI", "NGOAITRU_TUNGAY", "NGOAITRU_DENNGAY"), "DONG_BO",
           "SO_NGAY_NGHI, NGOAITRU_TUNGAY, NGOAITRU_DENNGAY: có một thì phải có cả ba"),
        _r("XML8", "MA_LK", "only_when_xml1", ("MA_LOAI_KCB", {"03", "04", "06"}), "KHONG_DUOC_GUI",
           "Bảng XML8 chỉ gửi khi MA_LOAI_KCB của XML1 là 03, 04 hoặc 06"),
        _r("XML11", "MA_BHXH", "bhxh_number", None, "DINH_DANG",
           "MA_BHXH phải gồm 10 chữ số và không được toàn số 0"),
        _r("XML11", "SO_NGAY_NGHI", "leave_days", None, "CONG_THUC",
           "SO_NGAY_NGHI khác số ngày từ TU_NGAY đến DEN_NGAY"),
    ]  # fmt: skip
    return rules


RULES: list[Rule] = _build()
CODES = {r.code for r in RULES}

# Rules switched off, by code. The baseline (PORTALSIM_RULES_OFF, comma-separated) is empty:
# every published rule applies (docs/portalsim.md, "The published rules"); an operator may
# switch a rule off to reproduce an older portal. POST /_control/receiving/rules changes the
# set (tests).
BASELINE_OFF = frozenset(
    c.strip() for c in os.environ.get("PORTALSIM_RULES_OFF", "").split(",") if c.strip()
)
_off = set(BASELINE_OFF)
_off_lock = threading.Lock()


def switched_off() -> frozenset[str]:
    with _off_lock:
        return frozenset(_off)


def switch_off(codes) -> None:
    """Replace the set of rules not applied (unknown codes raise ValueError)."""
    codes = set(codes)
    unknown = codes - CODES
    if unknown:
        raise ValueError(f"unknown rule codes: {sorted(unknown)}")
    with _off_lock:
        _off.clear()
        _off.update(codes)


# --- checking ------------------------------------------------------------------------------


def _fields(record: etree._Element) -> dict[str, str]:
    """A record's fields by name, read once (each rule then looks its field up)."""
    return {child.tag: (child.text or "").strip() for child in record if isinstance(child.tag, str)}


def _text(record: dict[str, str] | None, field: str) -> str:
    return record.get(field, "") if record is not None else ""


def _dec(text: str) -> Decimal | None:
    try:
        value = Decimal(text or "0")
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _real_date(text: str, form: str) -> bool:
    try:
        if form == "ts":
            return len(text) == 12 and bool(datetime.strptime(text, "%Y%m%d%H%M"))
        if form == "day":
            return len(text) == 8 and bool(datetime.strptime(text, "%Y%m%d"))
        if form == "days":
            return all(_real_date(p, "day") for p in text.split(";"))
        if form == "day_or_ts":
            return _real_date(text, "ts" if len(text) == 12 else "day")
        if form == "birth":
            if re.fullmatch(r"[0-9]{4}00000000", text):
                return 1900 <= int(text[:4]) <= date.today().year
            return text.endswith("0000") and _real_date(text[:8], "day")
    except ValueError:
        return False
    return False


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _lines(tables, names, group=None):
    for name in names:
        for record in tables.get(name, ()):
            if group is None or _text(record, "MA_NHOM") in group:
                yield record


def _ok(rule: Rule, rec, xml1, tables, ma_cskcb) -> bool:  # noqa: C901, PLR0911, PLR0912 - one case per kind
    value = _text(rec, rule.field)
    kind = rule.kind
    if kind == "required":
        return bool(value)
    if kind == "format":
        return not value or bool(rule.arg.fullmatch(value))
    if kind == "date":
        return not value or _real_date(value, rule.arg)
    if kind == "required_when":
        other, values, invert = rule.arg
        given = _text(rec, other)
        applies = bool(given) if values is None else ((given in values) != invert)
        exempt_field, exempt_values = EXEMPT_WHEN.get((rule.table, rule.field), ("", ()))
        if exempt_field and _text(rec, exempt_field) in exempt_values:
            applies = False
        return value != "" or not applies
    if kind == "not_before":
        other_table, other_field = rule.arg
        other = _text(xml1 if other_table else rec, other_field)
        if not value or not other:
            return True
        n = min(len(value), len(other))
        return value[:n] >= other[:n]
    if kind == "same_as_xml1":
        return not value or value == _text(xml1, rule.arg)
    if kind == "same_ma_lk":
        ma_lk = _text(xml1, "MA_LK")
        return all(_text(r, "MA_LK") == ma_lk for records in tables.values() for r in records)
    if kind == "own_facility":
        return value == ma_cskcb
    if kind == "treatment_days":
        loai = _text(rec, "MA_LOAI_KCB")
        if loai in {"01", "07", "09"}:
            return value == "0"
        if loai in {"02", "03", "04", "06"}:
            try:
                vao = datetime.strptime(_text(rec, "NGAY_VAO")[:8], "%Y%m%d").date()
                ra = datetime.strptime(_text(rec, "NGAY_RA")[:8], "%Y%m%d").date()
            except ValueError:
                return True  # the date rules say what is wrong
            return value == str((ra - vao).days + 1)
        return True
    if kind == "xml1_sum":
        names, field, group = rule.arg
        amounts = [_dec(_text(r, field)) for r in _lines(tables, names, group)]
        total = _dec(value)
        if total is None or any(a is None for a in amounts):
            return False
        return total == sum(amounts, Decimal(0))
    if kind == "product":
        a, b = (_dec(_text(rec, f)) for f in rule.arg)
        got = _dec(value)
        return None not in (a, b, got) and abs(got - _money(a * b)) <= Decimal("0.01")
    if kind == "line_bntt":
        bv, bh, bntt = (_dec(_text(rec, f)) for f in ("THANH_TIEN_BV", "THANH_TIEN_BH", "T_BNTT"))
        return None not in (bv, bh, bntt) and bntt == bv - bh
    if kind == "line_split":
        parts = [_dec(_text(rec, f)) for f in ("T_BHTT", "T_BNCCT", "T_NGUONKHAC", "THANH_TIEN_BH")]
        return None not in parts and parts[0] + parts[1] + parts[2] == parts[3]
    if kind == "percent":
        d = _dec(value)
        return d is not None and 0 <= d <= 100
    if kind == "positive":
        d = _dec(value)
        return d is not None and d > 0
    if kind == "one_of":
        return any(_text(rec, f) for f in rule.arg)
    if kind == "all_or_none":
        filled = [bool(_text(rec, f)) for f in rule.arg]
        return all(filled) or not any(filled)
    if kind == "only_when_xml1":
        field, values = rule.arg
        return _text(xml1, field) in values
    if kind == "bhxh_number":
        return bool(re.fullmatch(r"[0-9]{10}", value)) and set(value) != {"0"}
    if kind == "leave_days":
        try:
            start = datetime.strptime(_text(rec, "TU_NGAY"), "%Y%m%d").date()
            end = datetime.strptime(_text(rec, "DEN_NGAY"), "%Y%m%d").date()
        except ValueError:
            return True
        return value == str((end - start).days + 1)
    raise ValueError(f"unknown rule kind {kind}")


def check(tables: dict[str, etree._Element], ma_cskcb: str) -> list[dict]:
    """Every broken rule of a claim's tables, as dsLoi rows: bang, truong, ma_loi, loi (and
    dong, the record's STT, for the line tables)."""
    records = {
        name: [_fields(r) for r in root.iterfind(RECORDS[name])]
        if name in RECORDS
        else [_fields(root)]
        for name, root in tables.items()
    }
    xml1 = records["XML1"][0] if records.get("XML1") else None
    off = switched_off()
    errors = []
    for rule in RULES:
        if rule.table not in records or rule.code in off:
            continue
        for rec in records[rule.table]:
            if not _ok(rule, rec, xml1, records, ma_cskcb):
                row = {"bang": rule.table, "truong": rule.field, "ma_loi": rule.code}
                if rule.table in RECORDS:
                    row["dong"] = _text(rec, "STT")
                row["loi"] = rule.message
                errors.append(row)
                if rule.kind in ("same_ma_lk", "only_when_xml1"):
                    break
    return errors
