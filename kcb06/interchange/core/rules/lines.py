"""Rules of the cost lines: XML2 (drugs) and XML3 (services, supplies, beds). The portal sheet's
rows of Bảng 2 and Bảng 3, and our own checks of code lists, amounts and order times. Each hit
carries the line's STT as "row" so the closing form can point at the drug."""

import re
from decimal import Decimal

from kcb06.interchange.core import codelists
from kcb06.interchange.core.rules.base import Hit, before, dec, num, real_time, rule, split, t
from kcb06.interchange.core.rules.xml1 import khoa_ok

CENT = Decimal("0.01")
DRUG_GROUPS = frozenset({"4", "5", "6", "7", "17"})
SERVICE_GROUPS = frozenset(
    {"1", "2", "3", "8", "9", "10", "11", "12", "13", "14", "15", "16", "18"}
)
SUPPLY_GROUPS = frozenset({"10", "11"})
DONE_GROUPS = frozenset({"1", "2", "3", "8", "18"})  # NGAY_TH_YL required
OUT_OF_LIST_DRUG = "00.0000"  # MA_THUOC of an ingredient outside the BHYT drug list
GOI = re.compile(r"^G[1-9][0-9]{0,2}$")
BED = re.compile(r"^[HTCK][0-9]{3}$")
PRICE = {"XML2": "DON_GIA", "XML3": "DON_GIA_BV"}
NEXT_LINE = "Bác sĩ sửa dòng này trên phiếu chỉ định / đơn thuốc rồi lập lại hồ sơ."
NEXT_AMOUNT = (
    "Lập lại hồ sơ từ lượt khám (không sửa tay số tiền); nếu vẫn sai, báo quản trị hệ thống."
)


def _hits(table, field, test):
    """A check over every line of `table`: test(rec, ctx) -> the offending value or None."""

    def check(ctx):
        out = []
        for rec in ctx.recs.get(table, ()):
            bad = test(rec, ctx)
            if bad is not None:
                out.append(Hit(table, field, rec.get("STT", ""), bad))
        return out

    return check


def _same_lk(table):
    def test(rec, ctx):
        v = t(rec, "MA_LK")
        return v if v != t(ctx.xml1, "MA_LK") else None

    return test


def _stt(table):
    def check(ctx):
        for i, (code, rec) in enumerate(ctx.lines(table), 1):
            if t(rec, "STT") != str(i):
                yield Hit(code, "STT", t(rec, "STT"), t(rec, "STT"))
                return

    return check


def _null_or_1(name):
    def test(rec, ctx):
        v = t(rec, name)
        return v if v not in {"", "1"} else None

    return test


def _not_before(earlier, later):
    def test(rec, ctx):
        v = t(rec, later)
        if not v:
            return None
        if len(v) != 12 or not real_time(v) or before(t(rec, earlier), v):
            return v
        return None

    return test


def _line_bnt(rec, ctx):
    bv, bh, nk = (
        num(t(rec, "THANH_TIEN_BV")),
        num(t(rec, "THANH_TIEN_BH")),
        num(t(rec, "T_NGUONKHAC")),
    )
    v = num(t(rec, "T_BNTT"))
    return t(rec, "T_BNTT") or "0" if v != bv - bh - nk else None


def _line_bncct(rec, ctx):
    bh, bhtt, cct = num(t(rec, "THANH_TIEN_BH")), num(t(rec, "T_BHTT")), num(t(rec, "T_BNCCT"))
    return t(rec, "T_BNCCT") or "0" if bhtt + cct != bh else None


def _line_fund(rec, ctx):
    bh, bhtt = num(t(rec, "THANH_TIEN_BH")), num(t(rec, "T_BHTT"))
    fund = (bh * num(t(rec, "MUC_HUONG")) / 100).quantize(CENT)
    return t(rec, "T_BHTT") or "0" if abs(fund - bhtt) > CENT else None


def _line_amount(table):
    price = PRICE[table]

    def test(rec, ctx):
        q, p = num(t(rec, "SO_LUONG")), num(t(rec, price))
        if abs((q * p).quantize(CENT) - num(t(rec, "THANH_TIEN_BV"))) > CENT:
            return t(rec, "THANH_TIEN_BV") or "0"
        return None

    return test


def _positive(name):
    def test(rec, ctx):
        d = dec(t(rec, name))
        return t(rec, name) if d is None or d <= 0 else None

    return test


def _in(name, allowed):
    def test(rec, ctx):
        v = t(rec, name)
        return v if v and v not in allowed() else None

    return test


def _required(name, when=lambda rec: True):
    def test(rec, ctx):
        return "" if when(rec) and not t(rec, name) else None

    return test


def _within_visit(rec, ctx):
    v = t(rec, "NGAY_YL")
    vao, ra = t(ctx.xml1, "NGAY_VAO"), t(ctx.xml1, "NGAY_RA")
    if len(v) != 12 or not real_time(v) or before(vao, v) or (ra and v > ra):
        return v
    return None


def _khoa(rec, ctx):
    v = t(rec, "MA_KHOA")
    return v if not v or not all(khoa_ok(k) for k in split(v)) else None


# (code, table, field, kind, message_vi, message, next step, test, severity)
LINE_RULES = [
    # XML2, the portal's sheet
    (
        "S2.01",
        "XML2",
        "MA_LK",
        "ma_lk_mismatch",
        "MA_LK khác MA_LK của XML1.",
        "MA_LK differs from XML1's.",
        NEXT_AMOUNT,
        _same_lk("XML2"),
    ),
    (
        "S2.03",
        "XML2",
        "MA_THUOC",
        "required",
        "MA_THUOC (mã hoạt chất) bắt buộc.",
        "MA_THUOC is required.",
        "Bác sĩ chọn thuốc từ danh mục thuốc của cơ sở.",
        _required("MA_THUOC"),
    ),
    (
        "S2.06",
        "XML2",
        "MA_NHOM",
        "code_list",
        "MA_NHOM của thuốc phải là 4, 5, 6, 7 hoặc 17 (danh mục nhóm chi phí).",
        "A drug line's MA_NHOM must be 4, 5, 6, 7 or 17.",
        "Quản trị cơ sở sửa nhóm chi phí của thuốc trong danh mục thuốc.",
        lambda rec, ctx: t(rec, "MA_NHOM") if t(rec, "MA_NHOM") not in DRUG_GROUPS else None,
    ),
    (
        "S2.07",
        "XML2",
        "TEN_THUOC",
        "required",
        "TEN_THUOC (tên thuốc) bắt buộc.",
        "TEN_THUOC is required.",
        "Bác sĩ chọn thuốc từ danh mục thuốc của cơ sở.",
        _required("TEN_THUOC"),
    ),
    (
        "S2.14",
        "XML2",
        "SO_DANG_KY",
        "required",
        "SO_DANG_KY (số đăng ký/giấy phép nhập khẩu) bắt buộc với thuốc trong danh mục, trừ máu và "
        "chế phẩm máu (nhóm 7, 17) và thuốc ngoài danh mục (00.0000).",
        "SO_DANG_KY is required for listed drugs except blood products (groups 7, 17).",
        "Quản trị cơ sở nhập danh mục thuốc (có số đăng ký) hoặc bổ sung số đăng ký của thuốc; "
        "rồi mở lại lượt khám, chọn thuốc từ danh mục và lưu lại.",
        _required(
            "SO_DANG_KY",
            lambda r: t(r, "MA_NHOM") not in {"7", "17"} and t(r, "MA_THUOC") != OUT_OF_LIST_DRUG,
        ),
    ),
    (
        "S2.17",
        "XML2",
        "TYLE_TT_BH",
        "rule",
        "TYLE_TT_BH phải là số từ 0 đến 100.",
        "TYLE_TT_BH must be a number from 0 to 100.",
        "Quản trị cơ sở sửa tỷ lệ thanh toán của thuốc trong danh mục thuốc.",
        lambda rec, ctx: (
            None
            if (d := dec(t(rec, "TYLE_TT_BH"))) is not None and 0 <= d <= 100
            else t(rec, "TYLE_TT_BH")
        ),
    ),
    (
        "S2.18",
        "XML2",
        "SO_LUONG",
        "quantity",
        "Số lượng thuốc (SO_LUONG) phải lớn hơn 0.",
        "SO_LUONG must be above 0.",
        "Bác sĩ ghi số lượng thuốc lớn hơn 0.",
        _positive("SO_LUONG"),
    ),
    (
        "S2.19",
        "XML2",
        "DON_GIA",
        "price",
        "Đơn giá thuốc (DON_GIA) phải lớn hơn 0.",
        "DON_GIA must be above 0.",
        "Bác sĩ/quản trị cơ sở ghi đơn giá thuốc lớn hơn 0.",
        _positive("DON_GIA"),
    ),
    (
        "S2.28",
        "XML2",
        "T_BNTT",
        "amount",
        "T_BNTT phải bằng THANH_TIEN_BV − THANH_TIEN_BH − T_NGUONKHAC.",
        "T_BNTT must equal THANH_TIEN_BV − THANH_TIEN_BH − T_NGUONKHAC.",
        NEXT_AMOUNT,
        _line_bnt,
    ),
    (
        "S2.29",
        "XML2",
        "T_BNCCT",
        "amount",
        "T_BNCCT (người bệnh cùng chi trả) phải bằng THANH_TIEN_BH − T_BHTT.",
        "T_BNCCT must equal THANH_TIEN_BH − T_BHTT.",
        NEXT_AMOUNT,
        _line_bncct,
    ),
    (
        "S2.33",
        "XML2",
        "MA_DICH_VU",
        "rule",
        "MA_DICH_VU của thuốc phải là mã một dịch vụ có trong XML3 của lượt khám.",
        "A drug's MA_DICH_VU must be a service of the visit's XML3.",
        "Bác sĩ chọn dịch vụ kỹ thuật mà thuốc được dùng trong đó, hoặc bỏ trống.",
        lambda rec, ctx: (
            t(rec, "MA_DICH_VU")
            if t(rec, "MA_DICH_VU")
            and t(rec, "MA_DICH_VU") not in {t(r, "MA_DICH_VU") for _, r in ctx.lines("XML3")}
            else None
        ),
    ),
    (
        "S2.35",
        "XML2",
        "NGAY_TH_YL",
        "date_order",
        "NGAY_TH_YL phải là thời điểm có thật, không trước NGAY_YL.",
        "NGAY_TH_YL must be a real time, not before NGAY_YL.",
        NEXT_LINE,
        _not_before("NGAY_YL", "NGAY_TH_YL"),
    ),
    (
        "S2.38",
        "XML2",
        "VET_THUONG_TP",
        "code_list",
        "VET_THUONG_TP chỉ được để trống hoặc ghi 1.",
        "VET_THUONG_TP must be empty or 1.",
        NEXT_LINE,
        _null_or_1("VET_THUONG_TP"),
    ),
    # XML3, the portal's sheet
    (
        "S3.01",
        "XML3",
        "MA_LK",
        "ma_lk_mismatch",
        "MA_LK khác MA_LK của XML1.",
        "MA_LK differs from XML1's.",
        NEXT_AMOUNT,
        _same_lk("XML3"),
    ),
    (
        "S3.03",
        "XML3",
        "MA_DICH_VU",
        "required",
        "Dòng dịch vụ (MA_NHOM khác 10, 11) phải có MA_DICH_VU.",
        "A service line (MA_NHOM other than 10, 11) needs MA_DICH_VU.",
        "Bác sĩ chọn dịch vụ từ danh mục dịch vụ kỹ thuật của cơ sở.",
        _required("MA_DICH_VU", lambda r: t(r, "MA_NHOM") not in SUPPLY_GROUPS),
    ),
    (
        "S3.05",
        "XML3",
        "MA_VAT_TU",
        "required",
        "Dòng vật tư y tế (MA_NHOM 10, 11) phải có MA_VAT_TU.",
        "A supply line (MA_NHOM 10, 11) needs MA_VAT_TU.",
        "Chọn vật tư từ danh mục vật tư y tế của cơ sở.",
        _required("MA_VAT_TU", lambda r: t(r, "MA_NHOM") in SUPPLY_GROUPS),
    ),
    (
        "S3.06",
        "XML3",
        "MA_NHOM",
        "code_list",
        "MA_NHOM của dòng XML3 phải thuộc danh mục nhóm chi phí (1–3, 8–16, 18).",
        "An XML3 line's MA_NHOM must be 1-3, 8-16 or 18.",
        "Quản trị cơ sở sửa nhóm chi phí của dịch vụ trong danh mục.",
        lambda rec, ctx: t(rec, "MA_NHOM") if t(rec, "MA_NHOM") not in SERVICE_GROUPS else None,
    ),
    (
        "S3.07",
        "XML3",
        "GOI_VTYT",
        "format",
        "GOI_VTYT phải là chữ G và số từ 1 đến 999.",
        "GOI_VTYT must be G followed by 1 to 999.",
        NEXT_LINE,
        lambda rec, ctx: (
            t(rec, "GOI_VTYT") if t(rec, "GOI_VTYT") and not GOI.match(t(rec, "GOI_VTYT")) else None
        ),
    ),
    (
        "S3.08",
        "XML3",
        "TEN_VAT_TU",
        "required",
        "Có MA_VAT_TU thì phải ghi TEN_VAT_TU.",
        "With MA_VAT_TU, TEN_VAT_TU is required.",
        "Chọn vật tư từ danh mục vật tư y tế.",
        _required("TEN_VAT_TU", lambda r: bool(t(r, "MA_VAT_TU"))),
    ),
    (
        "S3.09",
        "XML3",
        "TEN_DICH_VU",
        "required",
        "Có MA_DICH_VU thì phải ghi TEN_DICH_VU.",
        "With MA_DICH_VU, TEN_DICH_VU is required.",
        "Chọn dịch vụ từ danh mục dịch vụ kỹ thuật.",
        _required("TEN_DICH_VU", lambda r: bool(t(r, "MA_DICH_VU"))),
    ),
    (
        "S3.28",
        "XML3",
        "T_BNTT",
        "amount",
        "T_BNTT phải bằng THANH_TIEN_BV − THANH_TIEN_BH − T_NGUONKHAC.",
        "T_BNTT must equal THANH_TIEN_BV − THANH_TIEN_BH − T_NGUONKHAC.",
        NEXT_AMOUNT,
        _line_bnt,
    ),
    (
        "S3.31",
        "XML3",
        "MA_KHOA",
        "code_list",
        "MA_KHOA không có trong danh mục khoa (K01–K60, K99).",
        "MA_KHOA is not in the department list (K01-K60, K99).",
        "Quản trị cơ sở sửa mã khoa của khoa/phòng theo danh mục dùng chung.",
        _khoa,
    ),
    (
        "S3.35",
        "XML3",
        "NGAY_YL",
        "date_order",
        "NGAY_YL phải là thời điểm có thật, trong khoảng NGAY_VAO – NGAY_RA.",
        "NGAY_YL must be a real time between NGAY_VAO and NGAY_RA.",
        NEXT_LINE,
        _within_visit,
    ),
    (
        "S3.36",
        "XML3",
        "NGAY_TH_YL",
        "date_order",
        "NGAY_TH_YL phải là thời điểm có thật, không trước NGAY_YL; bắt buộc với xét nghiệm, "
        "CĐHA, TDCN, phẫu thuật, thủ thuật (MA_NHOM 1, 2, 3, 8, 18).",
        "NGAY_TH_YL must be a real time not before NGAY_YL; required for MA_NHOM 1, 2, 3, 8, 18.",
        NEXT_LINE,
        lambda rec, ctx: (
            ""
            if t(rec, "MA_NHOM") in DONE_GROUPS and not t(rec, "NGAY_TH_YL")
            else _not_before("NGAY_YL", "NGAY_TH_YL")(rec, ctx)
        ),
    ),
    (
        "S3.37",
        "XML3",
        "NGAY_KQ",
        "date_order",
        "NGAY_KQ phải là thời điểm có thật, không trước NGAY_YL.",
        "NGAY_KQ must be a real time, not before NGAY_YL.",
        NEXT_LINE,
        _not_before("NGAY_YL", "NGAY_KQ"),
    ),
    (
        "S3.39",
        "XML3",
        "VET_THUONG_TP",
        "code_list",
        "VET_THUONG_TP chỉ được để trống hoặc ghi 1.",
        "VET_THUONG_TP must be empty or 1.",
        NEXT_LINE,
        _null_or_1("VET_THUONG_TP"),
    ),
    (
        "S3.44",
        "XML3",
        "TAI_SU_DUNG",
        "code_list",
        "TAI_SU_DUNG chỉ được để trống hoặc ghi 1.",
        "TAI_SU_DUNG must be empty or 1.",
        NEXT_LINE,
        _null_or_1("TAI_SU_DUNG"),
    ),
    # our own
    (
        "K2.01",
        "XML2",
        "THANH_TIEN_BV",
        "amount",
        "THANH_TIEN_BV phải bằng SO_LUONG × DON_GIA.",
        "THANH_TIEN_BV must equal SO_LUONG × DON_GIA.",
        NEXT_AMOUNT,
        _line_amount("XML2"),
    ),
    (
        "K2.02",
        "XML2",
        "T_BHTT",
        "amount",
        "T_BHTT phải bằng THANH_TIEN_BH × MUC_HUONG / 100 (làm tròn đến 0,01).",
        "T_BHTT must equal THANH_TIEN_BH × MUC_HUONG / 100 (to 0.01).",
        NEXT_AMOUNT,
        _line_fund,
    ),
    (
        "K2.03",
        "XML2",
        "NGAY_YL",
        "date_order",
        "NGAY_YL phải là thời điểm có thật, trong khoảng NGAY_VAO – NGAY_RA.",
        "NGAY_YL must be a real time between NGAY_VAO and NGAY_RA.",
        NEXT_LINE,
        _within_visit,
    ),
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
    (
        "K2.07",
        "XML2",
        "NGUON_CTRA",
        "code_list",
        "NGUON_CTRA phải là 1, 2, 3 hoặc 4.",
        "NGUON_CTRA must be 1, 2, 3 or 4.",
        NEXT_LINE,
        _in("NGUON_CTRA", lambda: codelists.small("NGUON_CTRA")),
    ),
    (
        "K3.01",
        "XML3",
        "THANH_TIEN_BV",
        "amount",
        "THANH_TIEN_BV phải bằng SO_LUONG × DON_GIA_BV.",
        "THANH_TIEN_BV must equal SO_LUONG × DON_GIA_BV.",
        NEXT_AMOUNT,
        _line_amount("XML3"),
    ),
    (
        "K3.02",
        "XML3",
        "T_BNCCT",
        "amount",
        "T_BNCCT (người bệnh cùng chi trả) phải bằng THANH_TIEN_BH − T_BHTT.",
        "T_BNCCT must equal THANH_TIEN_BH − T_BHTT.",
        NEXT_AMOUNT,
        _line_bncct,
    ),
    (
        "K3.07",
        "XML3",
        "T_BHTT",
        "amount",
        "T_BHTT phải bằng THANH_TIEN_BH × MUC_HUONG / 100 (làm tròn đến 0,01).",
        "T_BHTT must equal THANH_TIEN_BH × MUC_HUONG / 100 (to 0.01).",
        NEXT_AMOUNT,
        _line_fund,
    ),
    (
        "K3.03",
        "XML3",
        "PP_VO_CAM",
        "code_list",
        "PP_VO_CAM phải là 1, 2, 3 hoặc 4.",
        "PP_VO_CAM must be 1, 2, 3 or 4.",
        NEXT_LINE,
        _in("PP_VO_CAM", lambda: codelists.small("PP_VO_CAM")),
    ),
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

for _code, _table, _field, _kind, _vi, _en, _next, _test, *_sev in LINE_RULES:
    rule(_code, _table, _field, _kind, _vi, _en, _next, severity=(_sev or ["error"])[0])(
        _hits(_table, _field, _test)
    )

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
