"""Rules of XML1 (the visit summary), first part: the portal sheet's rows of Bảng 1 about the
patient, the card, the diagnosis and the times (rows 1–39). xml1_settlement.py holds the
totals, the settlement and facility rows and our own code-list checks; this module registers
first (the catalogue's order)."""

import re

from kcb06.interchange.core import codelists
from kcb06.interchange.core.rules import icd10
from kcb06.interchange.core.rules.base import (
    DIGITS,
    Hit,
    before,
    day,
    real_time,
    rule,
    split,
    t,
)

X = "XML1"
MA_LOAI_KCB = frozenset(f"{i:02d}" for i in range(1, 10))
# QĐ 3276/QĐ-BYT Annex 1 (current list) plus the QĐ 824 codes still seen on older visits.
MA_DOITUONG_KCB = frozenset(
    {
        *(f"1.{i}" for i in range(1, 19)),
        "2",
        *(f"3.{i}" for i in range(1, 8)),
        *("7", "7.1", "7.2", "7.3", "7.4", "8", "9", "10"),
    }
)
ID_NUMBER = re.compile(r"^([0-9]{9}|[0-9]{12}|[A-Z][0-9]{7})$")
CARD = re.compile(r"^[A-Z]{2}[1-5][0-9]{12}$")
FACILITY = re.compile(r"^[0-9]{5}$")
PROCEDURE = re.compile(r"^[0-9]{2}(\.[0-9]{1,2})?$")  # ICD-9-CM volume 3
KHOA = re.compile(r"^K((?:[0-9]{2})+)(\.[0-9A-Z.]+)?$")
SOCIAL_INSURANCE_NO = re.compile(r"^[0-9]{10}$")
NATIONALITY = re.compile(r"^[0-9]{3}$")


def khoa_ok(value: str) -> bool:
    """A department code of the list; several run together (K0102 = K01 + K02) or with a
    sub-code (K16.1, K02.D35) are checked on their base codes."""
    m = KHOA.match(value)
    if not m:
        return False
    known = codelists.codes("ma_khoa")
    pairs = m.group(1)
    return all(f"K{pairs[i : i + 2]}" in known for i in range(0, len(pairs), 2))


def required(name: str):
    """A check that XML1's `name` is given."""

    def check(ctx):
        if not t(ctx.xml1, name):
            yield Hit(X, name)

    return check


def matches(name: str, pattern: re.Pattern, *, each: bool = False, always: bool = False):
    """A check that XML1's `name`, when given (or `always`), matches `pattern`; with `each`,
    every ';'-separated part does."""

    def check(ctx):
        v = t(ctx.xml1, name)
        if not v and not always:
            return
        if not v or not all(pattern.match(p) for p in (split(v) if each else [v])):
            yield Hit(X, name, value=v)

    return check


def one_of(name: str, allowed):
    """A check that XML1's `name`, when given, is in `allowed()` (a code list)."""

    def check(ctx):
        v = t(ctx.xml1, name)
        if v and v not in allowed():
            yield Hit(X, name, value=v)

    return check


# --- patient -------------------------------------------------------------------------------


rule(
    "S1.01",
    X,
    "MA_LK",
    "required",
    "MA_LK (mã đợt điều trị) bắt buộc.",
    "MA_LK (the visit's key) is required.",
    "Hồ sơ không có mã đợt điều trị: báo quản trị hệ thống, không sửa tay.",
)(required("MA_LK"))


@rule(
    "S1.02",
    X,
    "STT",
    "format",
    "STT phải là số nguyên dương.",
    "STT must be a positive whole number.",
    "Báo quản trị hệ thống: số thứ tự hồ sơ do phần mềm đánh.",
)
def _stt(ctx):
    v = t(ctx.xml1, "STT")
    if v and not (DIGITS.match(v) and int(v) >= 1):
        yield Hit(X, "STT", value=v)


rule(
    "S1.03",
    X,
    "MA_BN",
    "required",
    "MA_BN (mã người bệnh) bắt buộc.",
    "MA_BN (patient number) is required.",
    "Tiếp đón kiểm tra hồ sơ người bệnh đã có mã người bệnh.",
)(required("MA_BN"))


rule(
    "S1.04",
    X,
    "HO_TEN",
    "required",
    "HO_TEN (họ tên người bệnh) bắt buộc.",
    "HO_TEN (patient name) is required.",
    "Tiếp đón ghi họ tên người bệnh theo thẻ BHYT hoặc CCCD.",
)(required("HO_TEN"))


rule(
    "S1.05",
    X,
    "SO_CCCD",
    "format",
    "SO_CCCD phải có 9 hoặc 12 chữ số (hoặc 1 chữ cái in hoa + 7 chữ số).",
    "SO_CCCD must be 9 or 12 digits (or a capital letter and 7 digits).",
    "Tiếp đón sửa số CCCD/CMND/hộ chiếu theo giấy tờ của người bệnh.",
)(matches("SO_CCCD", ID_NUMBER))


@rule(
    "S1.06",
    X,
    "NGAY_SINH",
    "date",
    "NGAY_SINH phải là ngày có thật (yyyymmddHHMM; thẻ chỉ ghi năm: yyyy00000000) và không sau "
    "NGAY_VAO.",
    "NGAY_SINH must be a real date (yyyymmddHHMM; year-only cards: yyyy00000000), not after "
    "NGAY_VAO.",
    "Tiếp đón sửa ngày sinh đúng như ghi trên thẻ BHYT.",
)
def _ngay_sinh(ctx):
    v = t(ctx.xml1, "NGAY_SINH")
    vao = t(ctx.xml1, "NGAY_VAO")
    if not v or not real_time(v, birth=True) or (vao and v[:8] > vao[:8]):
        yield Hit(X, "NGAY_SINH", value=v)


@rule(
    "S1.07",
    X,
    "GIOI_TINH",
    "code_list",
    "GIOI_TINH phải là 1 (nam), 2 (nữ) hoặc 3 (chưa xác định).",
    "GIOI_TINH must be 1, 2 or 3.",
    "Tiếp đón sửa giới tính của người bệnh.",
)
def _gioi_tinh(ctx):
    v = t(ctx.xml1, "GIOI_TINH")
    if v not in codelists.small("GIOI_TINH"):
        yield Hit(X, "GIOI_TINH", value=v)


# --- the card ------------------------------------------------------------------------------


rule(
    "S1.17",
    X,
    "MA_THE_BHYT",
    "format",
    "MA_THE_BHYT: mỗi mã thẻ 15 ký tự (2 chữ cái đối tượng, 1 chữ số mức hưởng 1–5, 12 chữ số), "
    "nhiều thẻ cách nhau bằng dấu “;”.",
    "MA_THE_BHYT: each card 15 characters (2 letters, benefit level 1-5, 12 digits), ';' between "
    "cards.",
    "Tiếp đón tra cứu lại thẻ BHYT trên cổng và ghi đúng mã thẻ.",
)(matches("MA_THE_BHYT", CARD, each=True))


@rule(
    "S1.18",
    X,
    "MA_DKBD",
    "format",
    "Có thẻ BHYT thì MA_DKBD (nơi đăng ký KCB ban đầu) bắt buộc, mỗi mã 5 chữ số.",
    "With a BHYT card MA_DKBD is required, 5 digits each.",
    "Tiếp đón ghi nơi đăng ký KCB ban đầu theo kết quả tra cứu thẻ.",
)
def _dkbd(ctx):
    if not t(ctx.xml1, "MA_THE_BHYT"):
        return
    v = t(ctx.xml1, "MA_DKBD")
    if not v or not all(FACILITY.match(c) for c in split(v)):
        yield Hit(X, "MA_DKBD", value=v)


def _card_dates(ctx, name):
    return split(t(ctx.xml1, name))


@rule(
    "S1.19",
    X,
    "GT_THE_TU",
    "card_validity",
    "Có thẻ BHYT thì GT_THE_TU phải là ngày có thật (yyyymmdd) và không sau ngày vào: thẻ phải "
    "còn giá trị vào ngày khám.",
    "With a BHYT card GT_THE_TU must be a real date (yyyymmdd) not after the visit's day.",
    "Tiếp đón tra cứu lại thẻ: thẻ chưa có giá trị vào ngày khám thì khám không dùng BHYT.",
)
def _card_from(ctx):
    if not t(ctx.xml1, "MA_THE_BHYT"):
        return
    parts = _card_dates(ctx, "GT_THE_TU")
    vao = t(ctx.xml1, "NGAY_VAO")
    if (
        not parts
        or not all(len(p) == 8 and real_time(p) for p in parts)
        or (vao and min(parts) > vao[:8])
    ):
        yield Hit(X, "GT_THE_TU", value=t(ctx.xml1, "GT_THE_TU"))


@rule(
    "S1.20",
    X,
    "GT_THE_DEN",
    "card_validity",
    "Có thẻ BHYT thì GT_THE_DEN phải là ngày có thật (yyyymmdd), không trước GT_THE_TU và không "
    "trước ngày vào: thẻ phải còn hạn vào ngày khám.",
    "With a BHYT card GT_THE_DEN must be a real date, not before GT_THE_TU nor the visit's day.",
    "Tiếp đón tra cứu lại thẻ: thẻ hết hạn trước ngày khám thì khám không dùng BHYT.",
)
def _card_to(ctx):
    if not t(ctx.xml1, "MA_THE_BHYT"):
        return
    parts = _card_dates(ctx, "GT_THE_DEN")
    tu = _card_dates(ctx, "GT_THE_TU")
    vao = t(ctx.xml1, "NGAY_VAO")[:8]
    if (
        not parts
        or not all(len(p) == 8 and real_time(p) for p in parts)
        or (vao and max(parts) < vao)
        or (tu and max(parts) < min(tu))
    ):
        yield Hit(X, "GT_THE_DEN", value=t(ctx.xml1, "GT_THE_DEN"))


@rule(
    "S1.21",
    X,
    "NGAY_MIEN_CCT",
    "date",
    "NGAY_MIEN_CCT (ngày miễn cùng chi trả) phải là ngày có thật, không sau ngày ra.",
    "NGAY_MIEN_CCT must be a real date (yyyymmdd), not after NGAY_RA.",
    "Thu ngân kiểm tra giấy miễn cùng chi trả và ghi đúng ngày trên giấy.",
)
def _mien_cct(ctx):
    v = t(ctx.xml1, "NGAY_MIEN_CCT")
    ra = t(ctx.xml1, "NGAY_RA")
    if v and (len(v) not in (8, 12) or not real_time(v) or (ra and v[:8] > ra[:8])):
        yield Hit(X, "NGAY_MIEN_CCT", value=v)


# --- diagnosis -------------------------------------------------------------------------------


@rule(
    "S1.27",
    X,
    "MA_BENH_CHINH",
    "icd10",
    "MA_BENH_CHINH phải là một mã ICD-10 có trong danh mục.",
    "MA_BENH_CHINH must be an ICD-10 code of the list.",
    "Bác sĩ chọn lại mã bệnh chính từ danh mục ICD-10 trên phiếu kết thúc khám.",
)
def _main_icd(ctx):
    v = t(ctx.xml1, "MA_BENH_CHINH")
    if not v or not icd10.SHAPE.match(v) or not icd10.exists(v):
        yield Hit(X, "MA_BENH_CHINH", value=v)


@rule(
    "S1.28",
    X,
    "MA_BENH_KT",
    "icd10",
    "MA_BENH_KT: tối đa 12 mã ICD-10 có trong danh mục, cách nhau bằng dấu “;”.",
    "MA_BENH_KT: at most 12 ICD-10 codes of the list, separated by ';'.",
    "Bác sĩ chọn lại các mã bệnh kèm theo từ danh mục ICD-10 (tối đa 12 mã).",
)
def _other_icd(ctx):
    codes = split(t(ctx.xml1, "MA_BENH_KT"))
    if len(codes) > 12 or any(not icd10.SHAPE.match(c) or not icd10.exists(c) for c in codes):
        yield Hit(X, "MA_BENH_KT", value=t(ctx.xml1, "MA_BENH_KT"))


rule(
    "S1.30",
    X,
    "MA_PTTT_QT",
    "format",
    "MA_PTTT_QT: mã phẫu thuật, thủ thuật theo ICD-9 CM (dạng 99 hoặc 99.99), cách nhau bằng "
    "dấu “;”.",
    "MA_PTTT_QT: ICD-9-CM procedure codes (99 or 99.99) separated by ';'.",
    "Bác sĩ ghi lại mã phẫu thuật, thủ thuật theo ICD-9 CM.",
)(matches("MA_PTTT_QT", PROCEDURE, each=True))


rule(
    "S1.32",
    X,
    "MA_NOI_DI",
    "format",
    "MA_NOI_DI phải là mã cơ sở KBCB 5 chữ số.",
    "MA_NOI_DI must be a 5-digit facility code.",
    "Tiếp đón ghi mã nơi chuyển đi theo giấy chuyển tuyến.",
)(matches("MA_NOI_DI", FACILITY))


rule(
    "S1.33",
    X,
    "MA_NOI_DEN",
    "format",
    "MA_NOI_DEN phải là mã cơ sở KBCB 5 chữ số.",
    "MA_NOI_DEN must be a 5-digit facility code.",
    "Bác sĩ ghi mã cơ sở nơi chuyển đến trên giấy chuyển tuyến.",
)(matches("MA_NOI_DEN", FACILITY))


# --- times ---------------------------------------------------------------------------------


@rule(
    "S1.35",
    X,
    "NGAY_VAO",
    "date",
    "NGAY_VAO phải là thời điểm có thật, dạng yyyymmddHHMM.",
    "NGAY_VAO must be a real time, yyyymmddHHMM.",
    "Tiếp đón kiểm tra giờ vào khám của lượt khám.",
)
def _vao(ctx):
    v = t(ctx.xml1, "NGAY_VAO")
    if len(v) != 12 or not real_time(v):
        yield Hit(X, "NGAY_VAO", value=v)


def _after_vao(name):
    def check(ctx):
        v = t(ctx.xml1, name)
        if v and (len(v) != 12 or not real_time(v) or before(t(ctx.xml1, "NGAY_VAO"), v)):
            yield Hit(X, name, value=v)

    return check


rule(
    "S1.36",
    X,
    "NGAY_VAO_NOI_TRU",
    "date_order",
    "NGAY_VAO_NOI_TRU phải là thời điểm có thật (yyyymmddHHMM), không trước NGAY_VAO.",
    "NGAY_VAO_NOI_TRU must be a real time, not before NGAY_VAO.",
    "Bác sĩ sửa giờ vào điều trị nội trú cho đúng.",
)(_after_vao("NGAY_VAO_NOI_TRU"))
rule(
    "S1.37",
    X,
    "NGAY_RA",
    "date_order",
    "NGAY_RA phải là thời điểm có thật (yyyymmddHHMM), không trước NGAY_VAO.",
    "NGAY_RA must be a real time, not before NGAY_VAO.",
    "Bác sĩ kiểm tra giờ kết thúc khám / ra viện.",
)(_after_vao("NGAY_RA"))
rule(
    "S1.44",
    X,
    "NGAY_TTOAN",
    "date_order",
    "NGAY_TTOAN (ngày thanh toán) phải là thời điểm có thật, không trước NGAY_VAO.",
    "NGAY_TTOAN must be a real time, not before NGAY_VAO.",
    "Thu ngân kiểm tra ngày giờ thanh toán của lượt khám.",
)(_after_vao("NGAY_TTOAN"))


@rule(
    "S1.39",
    X,
    "SO_NGAY_DTRI",
    "rule",
    "SO_NGAY_DTRI phải bằng 0 với MA_LOAI_KCB 01, 07, 09 và bằng ngày ra − ngày vào + 1 với "
    "02, 03, 04, 06.",
    "SO_NGAY_DTRI must be 0 for MA_LOAI_KCB 01, 07, 09 and discharge day − admission day + 1 "
    "for 02, 03, 04, 06.",
    "Bác sĩ kiểm tra hình thức khám (ngoại trú/nội trú) và ngày vào, ngày ra.",
)
def _so_ngay(ctx):
    loai = t(ctx.xml1, "MA_LOAI_KCB")
    v = t(ctx.xml1, "SO_NGAY_DTRI")
    if loai in {"01", "07", "09"}:
        if v not in {"", "0"}:
            yield Hit(X, "SO_NGAY_DTRI", value=v)
    elif loai in {"02", "03", "04", "06"}:
        a, b = day(t(ctx.xml1, "NGAY_VAO")), day(t(ctx.xml1, "NGAY_RA"))
        if a and b and v != str((b - a).days + 1):
            yield Hit(X, "SO_NGAY_DTRI", value=v)
