"""What the cost-line rules (lines_sheet.py, lines.py) are made of: the code groups, the next
steps they share, and small factories that turn a test of one line into a check over every
line of a table (each hit carries the line's STT as "row", so the closing form can point at the
drug)."""

import re
from decimal import Decimal

from kcb06.interchange.core.rules.base import Hit, before, dec, num, real_time, split, t
from kcb06.interchange.core.rules.xml1 import khoa_ok

CENT = Decimal("0.01")
DRUG_GROUPS = frozenset({"4", "5", "6", "7", "17"})
SERVICE_GROUPS = frozenset(
    {"1", "2", "3", "8", "9", "10", "11", "12", "13", "14", "15", "16", "18"}
)
SUPPLY_GROUPS = frozenset({"10", "11"})
DONE_GROUPS = frozenset({"1", "2", "3", "8", "18"})  # NGAY_TH_YL required
OUT_OF_LIST_DRUG = "00.0000"  # MA_THUOC of an ingredient outside the BHYT drug list
# MA_THUOC of medical oxygen and nitric oxide: the sheet's SO_DANG_KY note exempts them (they
# have no marketing authorisation number), as it exempts blood (groups 7 and 17).
GASES_WITHOUT_REGISTRATION = frozenset({"40.17", "40.573"})
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


# What two tables' rules share: (field, kind, message_vi, message, next step).
LK = (
    "MA_LK",
    "ma_lk_mismatch",
    "MA_LK khác MA_LK của XML1.",
    "MA_LK differs from XML1's.",
    NEXT_AMOUNT,
)
BNTT = (
    "T_BNTT",
    "amount",
    "T_BNTT phải bằng THANH_TIEN_BV − THANH_TIEN_BH − T_NGUONKHAC.",
    "T_BNTT must equal THANH_TIEN_BV − THANH_TIEN_BH − T_NGUONKHAC.",
    NEXT_AMOUNT,
)
BNCCT = (
    "T_BNCCT",
    "amount",
    "T_BNCCT (người bệnh cùng chi trả) phải bằng THANH_TIEN_BH − T_BHTT.",
    "T_BNCCT must equal THANH_TIEN_BH − T_BHTT.",
    NEXT_AMOUNT,
)
FUND = (
    "T_BHTT",
    "amount",
    "T_BHTT phải bằng THANH_TIEN_BH × MUC_HUONG / 100 (làm tròn đến 0,01).",
    "T_BHTT must equal THANH_TIEN_BH × MUC_HUONG / 100 (to 0.01).",
    NEXT_AMOUNT,
)
WITHIN_VISIT = (
    "NGAY_YL",
    "date_order",
    "NGAY_YL phải là thời điểm có thật, trong khoảng NGAY_VAO – NGAY_RA.",
    "NGAY_YL must be a real time between NGAY_VAO and NGAY_RA.",
    NEXT_LINE,
)
WOUND = (
    "VET_THUONG_TP",
    "code_list",
    "VET_THUONG_TP chỉ được để trống hoặc ghi 1.",
    "VET_THUONG_TP must be empty or 1.",
    NEXT_LINE,
)
