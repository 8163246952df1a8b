"""Rules of XML1 (the visit summary), second part: the portal sheet's rows of Bảng 1 about the
totals, the settlement period and the facility (rows 44–65), then our own checks of its code
lists and the visit's shape. Registered after xml1.py (the catalogue's order)."""

import re
from decimal import Decimal

from kcb06.interchange.core import codelists
from kcb06.interchange.core.rules.base import DIGITS, Hit, num, real_time, rule, split, t
from kcb06.interchange.core.rules.xml1 import (
    FACILITY,
    MA_DOITUONG_KCB,
    MA_LOAI_KCB,
    NATIONALITY,
    SOCIAL_INSURANCE_NO,
    X,
    khoa_ok,
    matches,
    one_of,
)

# --- totals --------------------------------------------------------------------------------


def _sum(ctx, name, codes=("XML2", "XML3"), only=None):
    key = (name, codes, only)
    cache = ctx.cache
    if key not in cache:
        total = Decimal(0)
        for code in codes:
            for rec in ctx.recs.get(code, ()):
                if only is None or only(code, rec):
                    total += num(rec.get(name, ""))
        cache[key] = total
    return cache[key]


def _total(field, line_field, codes=("XML2", "XML3"), only=None):
    def check(ctx):
        if num(t(ctx.xml1, field)) != _sum(ctx, line_field, codes, only):
            yield Hit(X, field, value=t(ctx.xml1, field) or "0")

    return check


_T = "khác tổng các dòng XML2/XML3"
for _code, _field_name, _line, _codes, _only, _what in (
    ("S1.45", "T_THUOC", "THANH_TIEN_BV", ("XML2",), None, "tiền thuốc (XML2)"),
    (
        "S1.46",
        "T_VTYT",
        "THANH_TIEN_BV",
        ("XML3",),
        lambda c, r: bool(t(r, "MA_VAT_TU")),
        "tiền vật tư (dòng XML3 có MA_VAT_TU)",
    ),
    ("S1.47", "T_TONGCHI_BV", "THANH_TIEN_BV", ("XML2", "XML3"), None, "THANH_TIEN_BV"),
    ("S1.49", "T_BNTT", "T_BNTT", ("XML2", "XML3"), None, "T_BNTT"),
    ("S1.50", "T_BNCCT", "T_BNCCT", ("XML2", "XML3"), None, "T_BNCCT"),
    ("S1.52", "T_NGUONKHAC", "T_NGUONKHAC", ("XML2", "XML3"), None, "T_NGUONKHAC"),
    ("K1.01", "T_TONGCHI_BH", "THANH_TIEN_BH", ("XML2", "XML3"), None, "THANH_TIEN_BH"),
):
    rule(
        _code,
        X,
        _field_name,
        "total_mismatch",
        f"XML1 {_field_name} phải bằng tổng {_what} của các dòng.",
        f"XML1 {_field_name} must equal the sum of the lines' {_line}.",
        "Lập lại hồ sơ từ lượt khám (không sửa tay số tiền); nếu vẫn sai, báo quản trị hệ thống.",
    )(_total(_field_name, _line, _codes, _only))


@rule(
    "S1.51",
    X,
    "T_BHTT",
    "total_mismatch",
    "XML1 T_BHTT phải bằng tổng T_BHTT các dòng và bằng T_TONGCHI_BH − T_BNCCT.",
    "XML1 T_BHTT must equal the lines' T_BHTT and T_TONGCHI_BH − T_BNCCT.",
    "Lập lại hồ sơ từ lượt khám (không sửa tay số tiền); nếu vẫn sai, báo quản trị hệ thống.",
)
def _bhtt(ctx):
    x = ctx.xml1
    v = num(t(x, "T_BHTT"))
    if v != _sum(ctx, "T_BHTT") or v != num(t(x, "T_TONGCHI_BH")) - num(t(x, "T_BNCCT")):
        yield Hit(X, "T_BHTT", value=t(x, "T_BHTT") or "0")


@rule(
    "S1.54",
    X,
    "NAM_QT",
    "rule",
    "NAM_QT (năm quyết toán) phải là năm 4 chữ số, kỳ quyết toán không trước tháng ra viện.",
    "NAM_QT must be a 4-digit year; the settlement period cannot be before the discharge month.",
    "Thu ngân kiểm tra kỳ quyết toán (tháng, năm) của hồ sơ.",
)
def _nam_qt(ctx):
    nam, thang = t(ctx.xml1, "NAM_QT"), t(ctx.xml1, "THANG_QT")
    ra = t(ctx.xml1, "NGAY_RA")
    if len(nam) != 4 or not DIGITS.match(nam) or not 2000 <= int(nam) <= 2100:
        yield Hit(X, "NAM_QT", value=nam)
    elif DIGITS.match(thang) and len(ra) >= 6 and f"{nam}{int(thang):02d}" < ra[:6]:
        yield Hit(X, "NAM_QT", value=f"{thang}/{nam}")


@rule(
    "S1.55",
    X,
    "THANG_QT",
    "rule",
    "THANG_QT (tháng quyết toán) phải từ 1 đến 12.",
    "THANG_QT must be 1 to 12.",
    "Thu ngân kiểm tra kỳ quyết toán (tháng, năm) của hồ sơ.",
)
def _thang_qt(ctx):
    v = t(ctx.xml1, "THANG_QT")
    if not DIGITS.match(v) or not 1 <= int(v) <= 12:
        yield Hit(X, "THANG_QT", value=v)


rule(
    "S1.58",
    X,
    "MA_CSKCB",
    "format",
    "MA_CSKCB phải là mã cơ sở KBCB 5 chữ số.",
    "MA_CSKCB must be a 5-digit facility code.",
    "Quản trị cơ sở kiểm tra mã cơ sở KBCB trong cấu hình cơ sở.",
)(matches("MA_CSKCB", FACILITY, always=True))


rule(
    "S1.59",
    X,
    "MA_KHUVUC",
    "code_list",
    "MA_KHUVUC phải là K1, K2 hoặc K3 (như in trên thẻ).",
    "MA_KHUVUC must be K1, K2 or K3 (as printed on the card).",
    "Tiếp đón ghi mã nơi sinh sống như in trên thẻ BHYT, hoặc để trống.",
)(one_of("MA_KHUVUC", lambda: codelists.small("MA_KHUVUC")))


@rule(
    "S1.60",
    X,
    "CAN_NANG",
    "required",
    "CAN_NANG (cân nặng, kg) bắt buộc, là số lớn hơn 0 và không quá 500.",
    "CAN_NANG (weight, kg) is required, a number above 0 and at most 500.",
    "Bác sĩ/điều dưỡng nhập cân nặng của người bệnh trên phiếu kết thúc khám.",
)
def _can_nang(ctx):
    v = t(ctx.xml1, "CAN_NANG")
    try:
        ok = 0 < float(v.replace(",", ".")) <= 500 and re.fullmatch(r"[0-9]+([.,][0-9]+)?", v)
    except ValueError:
        ok = False
    if not ok:
        yield Hit(X, "CAN_NANG", value=v)


@rule(
    "S1.62",
    X,
    "NAM_NAM_LIEN_TUC",
    "date",
    "NAM_NAM_LIEN_TUC (thời điểm đủ 5 năm liên tục) phải là ngày có thật, dạng yyyymmdd.",
    "NAM_NAM_LIEN_TUC must be a real date, yyyymmdd.",
    "Tiếp đón ghi thời điểm đủ 5 năm liên tục như kết quả tra cứu thẻ.",
)
def _nam_nam(ctx):
    v = t(ctx.xml1, "NAM_NAM_LIEN_TUC")
    if v and (len(v) != 8 or not real_time(v)):
        yield Hit(X, "NAM_NAM_LIEN_TUC", value=v)


rule(
    "S1.65",
    X,
    "MA_TTDV",
    "format",
    "MA_TTDV (mã thủ trưởng đơn vị) phải là mã số BHXH 10 chữ số.",
    "MA_TTDV must be a 10-digit social insurance number.",
    "Quản trị cơ sở ghi mã số BHXH của thủ trưởng cơ sở trong cấu hình cơ sở.",
)(matches("MA_TTDV", SOCIAL_INSURANCE_NO))


# --- our own: code lists and the visit's shape -----------------------------------------------


for _code, _name, _allowed, _what, _who in (
    ("K1.02", "MA_LOAI_KCB", lambda: MA_LOAI_KCB, "hình thức KCB (01–09)", "Bác sĩ"),
    (
        "K1.03",
        "KET_QUA_DTRI",
        lambda: codelists.small("KET_QUA_DTRI"),
        "kết quả điều trị",
        "Bác sĩ",
    ),
    ("K1.04", "MA_LOAI_RV", lambda: codelists.small("MA_LOAI_RV"), "loại ra viện", "Bác sĩ"),
    ("K1.05", "MA_DOITUONG_KCB", lambda: MA_DOITUONG_KCB, "đối tượng KCB", "Tiếp đón"),
    ("K1.06", "MA_DANTOC", lambda: codelists.codes("ma_dantoc"), "54 dân tộc", "Tiếp đón"),
    ("K1.07", "MATINH_CU_TRU", lambda: codelists.codes("matinh"), "mã tỉnh", "Tiếp đón"),
):
    rule(
        _code,
        X,
        _name,
        "code_list",
        f"{_name} không có trong danh mục {_what}.",
        f"{_name} is not in its code list.",
        f"{_who} chọn lại {_name} từ danh mục.",
    )(one_of(_name, _allowed))


rule(
    "K1.08",
    X,
    "MA_QUOCTICH",
    "format",
    "MA_QUOCTICH phải là mã quốc tịch 3 chữ số (Phụ lục 2 Thông tư 07/2016/TT-BCA).",
    "MA_QUOCTICH must be a 3-digit nationality code.",
    "Tiếp đón chọn lại quốc tịch của người bệnh.",
)(matches("MA_QUOCTICH", NATIONALITY))


@rule(
    "K1.09",
    X,
    "MA_KHOA",
    "code_list",
    "MA_KHOA có mã khoa không có trong danh mục khoa (K01–K60, K99).",
    "MA_KHOA has a department code outside the list (K01-K60, K99).",
    "Quản trị cơ sở sửa mã khoa của khoa/phòng khám theo danh mục dùng chung.",
)
def _khoa1(ctx):
    v = t(ctx.xml1, "MA_KHOA")
    if not v or not all(khoa_ok(k) for k in split(v)):
        yield Hit(X, "MA_KHOA", value=v)


@rule(
    "K1.10",
    X,
    "MA_NOI_DEN",
    "required",
    "Chuyển tuyến (MA_LOAI_RV 2 hoặc 5) thì phải ghi MA_NOI_DEN (nơi chuyển đến).",
    "A transfer (MA_LOAI_RV 2 or 5) needs MA_NOI_DEN.",
    "Bác sĩ ghi cơ sở nơi chuyển người bệnh đến trên phiếu kết thúc khám.",
    severity="warning",
)
def _noi_den_required(ctx):
    if t(ctx.xml1, "MA_LOAI_RV") in {"2", "5"} and not t(ctx.xml1, "MA_NOI_DEN"):
        yield Hit(X, "MA_NOI_DEN")


@rule(
    "K1.11",
    "XML13",
    "MA_LK",
    "table_not_allowed",
    "Chỉ gửi bảng XML13 (giấy chuyển tuyến) khi MA_LOAI_RV là 2 hoặc 5, và khi đó phải có.",
    "XML13 goes with MA_LOAI_RV 2 or 5 only, and must be there then.",
    "Bác sĩ kiểm tra loại ra viện: chuyển tuyến thì lập giấy chuyển tuyến, không thì bỏ.",
)
def _xml13_shape(ctx):
    rv = t(ctx.xml1, "MA_LOAI_RV")
    if ctx.has("XML13") and rv not in {"2", "5"}:
        yield Hit("XML13", "MA_LK")
    if rv in {"2", "5"} and not ctx.has("XML13"):
        yield Hit("XML13", "")


@rule(
    "K1.12",
    X,
    "NGAY_VAO_NOI_TRU,LY_DO_VNT",
    "required",
    "Có NGAY_VAO_NOI_TRU thì phải ghi LY_DO_VNT (lý do vào nội trú).",
    "With NGAY_VAO_NOI_TRU, LY_DO_VNT is required.",
    "Bác sĩ ghi lý do vào điều trị nội trú.",
    severity="warning",
)
def _ly_do_vnt(ctx):
    if t(ctx.xml1, "NGAY_VAO_NOI_TRU") and not t(ctx.xml1, "LY_DO_VNT"):
        yield Hit(X, "LY_DO_VNT")
