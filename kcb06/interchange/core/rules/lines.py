"""Rules of the cost lines: XML2 (drugs) and XML3 (services, supplies, beds). The portal sheet's
rows of Bảng 2 and Bảng 3 (lines_sheet.py), then our own checks of code lists, amounts and
order times, registered in that order (the catalogue's order)."""

from kcb06.interchange.core import codelists
from kcb06.interchange.core.rules.base import Hit, dec, rule, split, t
from kcb06.interchange.core.rules.linechecks import (
    BED,
    BNCCT,
    DONE_GROUPS,
    FUND,
    NEXT_AMOUNT,
    NEXT_LINE,
    OUT_OF_LIST_DRUG,
    PRICE,
    WITHIN_VISIT,
    _hits,
    _in,
    _khoa,
    _line_amount,
    _line_bncct,
    _line_fund,
    _required,
    _stt,
    _within_visit,
)
from kcb06.interchange.core.rules.lines_sheet import SHEET_RULES


def _amount(code, table):
    """THANH_TIEN_BV = SO_LUONG × the table's price, as a rule of OWN_RULES."""
    price = PRICE[table]
    return (
        code,
        table,
        "THANH_TIEN_BV",
        "amount",
        f"THANH_TIEN_BV phải bằng SO_LUONG × {price}.",
        f"THANH_TIEN_BV must equal SO_LUONG × {price}.",
        NEXT_AMOUNT,
        _line_amount(table),
    )


def _one_to_four(code, table, name):
    """A field of the short code list 1–4 (codelists), as a rule of OWN_RULES."""
    return (
        code,
        table,
        name,
        "code_list",
        f"{name} phải là 1, 2, 3 hoặc 4.",
        f"{name} must be 1, 2, 3 or 4.",
        NEXT_LINE,
        _in(name, lambda: codelists.small(name)),
    )


# (code, table, field, kind, message_vi, message, next step, test)
OWN_RULES = [
    _amount("K2.01", "XML2"),
    ("K2.02", "XML2", *FUND, _line_fund),
    ("K2.03", "XML2", *WITHIN_VISIT, _within_visit),
    (
        "K2.04",
        "XML2",
        "MA_THUOC",
        "out_of_list",
        "Thuốc ngoài danh mục BHYT (MA_THUOC 00.0000) không được ghi PHAM_VI 1.",
        "A drug outside the BHYT list (00.0000) cannot be PHAM_VI 1.",
        "Bác sĩ chọn thuốc trong danh mục, hoặc ghi thuốc này ngoài phạm vi BHYT.",
        lambda rec, ctx: (
            OUT_OF_LIST_DRUG
            if t(rec, "MA_THUOC") == OUT_OF_LIST_DRUG and t(rec, "PHAM_VI") == "1"
            else None
        ),
    ),
    (
        "K2.05",
        "XML2",
        "TT_THAU",
        "required",
        "TT_THAU (thông tin thầu) bắt buộc với thuốc, trừ nhóm 7 và 17.",
        "TT_THAU is required for drugs except groups 7 and 17.",
        "Quản trị cơ sở nhập danh mục thuốc (có thông tin thầu) hoặc bổ sung thông tin thầu của "
        "thuốc; rồi mở lại lượt khám, chọn thuốc từ danh mục và lưu lại.",
        _required("TT_THAU", lambda r: t(r, "MA_NHOM") not in {"7", "17"}),
    ),
    (
        "K2.06",
        "XML2",
        "MA_KHOA",
        "code_list",
        "MA_KHOA không có trong danh mục khoa (K01–K60, K99).",
        "MA_KHOA is not in the department list.",
        "Quản trị cơ sở sửa mã khoa của khoa/phòng theo danh mục dùng chung.",
        _khoa,
    ),
    _one_to_four("K2.07", "XML2", "NGUON_CTRA"),
    _amount("K3.01", "XML3"),
    ("K3.02", "XML3", *BNCCT, _line_bncct),
    ("K3.07", "XML3", *FUND, _line_fund),
    _one_to_four("K3.03", "XML3", "PP_VO_CAM"),
    (
        "K3.04",
        "XML3",
        "MA_GIUONG",
        "format",
        "MA_GIUONG: mỗi mã giường là H, T, C hoặc K và 3 chữ số, cách nhau bằng dấu “;”.",
        "MA_GIUONG: each bed H, T, C or K and 3 digits, separated by ';'.",
        "Điều dưỡng chọn lại giường từ danh mục giường của khoa.",
        lambda rec, ctx: (
            t(rec, "MA_GIUONG")
            if t(rec, "MA_GIUONG") and not all(BED.match(b) for b in split(t(rec, "MA_GIUONG")))
            else None
        ),
    ),
    (
        "K3.05",
        "XML3",
        "MA_XANG_DAU",
        "required",
        "Dòng vận chuyển (MA_NHOM 12) phải có MA_XANG_DAU (loại nhiên liệu).",
        "A transport line (MA_NHOM 12) needs MA_XANG_DAU.",
        NEXT_LINE,
        _required("MA_XANG_DAU", lambda r: t(r, "MA_NHOM") == "12"),
    ),
    (
        "K3.06",
        "XML3",
        "NGUOI_THUC_HIEN",
        "required",
        "NGUOI_THUC_HIEN bắt buộc với xét nghiệm, CĐHA, TDCN, phẫu thuật, thủ thuật "
        "(MA_NHOM 1, 2, 3, 8, 18).",
        "NGUOI_THUC_HIEN is required for MA_NHOM 1, 2, 3, 8, 18.",
        "Kỹ thuật viên/bác sĩ thực hiện ghi tên mình trên phiếu kết quả.",
        _required("NGUOI_THUC_HIEN", lambda r: t(r, "MA_NHOM") in DONE_GROUPS),
    ),
]

for _code, _table, _field, _kind, _vi, _en, _next, _test in SHEET_RULES + OWN_RULES:
    rule(_code, _table, _field, _kind, _vi, _en, _next)(_hits(_table, _field, _test))

rule(
    "S2.02",
    "XML2",
    "STT",
    "format",
    "STT các dòng phải tăng dần từ 1, không trùng, không cách.",
    "Line numbers (STT) must run 1, 2, 3…",
    NEXT_AMOUNT,
)(_stt("XML2"))
rule(
    "S3.02",
    "XML3",
    "STT",
    "format",
    "STT các dòng phải tăng dần từ 1, không trùng, không cách.",
    "Line numbers (STT) must run 1, 2, 3…",
    NEXT_AMOUNT,
)(_stt("XML3"))


def _both(name, allowed, code, vi, en, next_step):
    def test(rec, ctx):
        v = t(rec, name)
        return v if v and v not in allowed() else None

    def check(ctx):
        yield from _hits("XML2", name, test)(ctx)
        yield from _hits("XML3", name, test)(ctx)

    rule(code, "XML2,XML3", name, "code_list", vi, en, next_step)(check)


_both(
    "PHAM_VI",
    lambda: codelists.small("PHAM_VI"),
    "K23.01",
    "PHAM_VI phải là 1, 2 hoặc 3.",
    "PHAM_VI must be 1, 2 or 3.",
    NEXT_LINE,
)
_both(
    "MA_PTTT",
    lambda: codelists.small("MA_PTTT"),
    "K23.02",
    "MA_PTTT (phương thức thanh toán) phải là 1, 2 hoặc 3.",
    "MA_PTTT must be 1, 2 or 3.",
    "Quản trị cơ sở kiểm tra phương thức thanh toán trong cấu hình cơ sở.",
)


@rule(
    "K23.03",
    "XML2,XML3",
    "MUC_HUONG",
    "rule",
    "MUC_HUONG (mức hưởng) phải là số từ 0 đến 100.",
    "MUC_HUONG must be a number 0 to 100.",
    "Lập lại hồ sơ sau khi tiếp đón tra cứu lại thẻ BHYT (mức hưởng lấy từ thẻ).",
)
def _muc_huong(ctx):
    for code, rec in ctx.lines("XML2", "XML3"):
        v = t(rec, "MUC_HUONG")
        d = dec(v)
        if v and (d is None or not 0 <= d <= 100):
            yield Hit(code, "MUC_HUONG", t(rec, "STT"), v)
