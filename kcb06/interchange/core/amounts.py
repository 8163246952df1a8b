"""BHYT amounts per cost line and their XML1 totals (QĐ 4750 Bảng 2/3 formulas).

Per line: THANH_TIEN_BV = SO_LUONG × DON_GIA(_BV); THANH_TIEN_BH = SO_LUONG × DON_GIA(_BH) ×
TYLE_TT_DV/100 × TYLE_TT_BH/100 when the line is in BHYT scope (PHAM_VI 1) and the visit uses
BHYT, else 0; T_BNTT = THANH_TIEN_BV − THANH_TIEN_BH (what the fund does not cover at all);
T_BHTT = THANH_TIEN_BH × MUC_HUONG/100; T_BNCCT = THANH_TIEN_BH − T_BHTT. MUC_HUONG comes from
the benefit engine (benefit.py, `visit_benefit`). All amounts are rounded
half-up to 2 decimals per line and XML1 sums the lines, so T_BHTT = T_TONGCHI_BH − T_BNCCT holds
exactly, as the regulation's XML1 formula requires.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from kcb06.interchange.core.benefit import (
    Benefit,
    Copayment,
    FacilityLevel,
    Route,
    decide,
    is_inpatient,
    money,
)
from kcb06.interchange.core.data import VisitData

CENT = Decimal("0.01")
ZERO = Decimal("0")
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def in_scope_amount(
    quantity: Decimal, price_bv: Decimal, price_bh: Decimal, *, ratio_bh: int, ratio_dv: int
) -> Decimal:
    """THANH_TIEN_BH of an in-scope line: SO_LUONG × DON_GIA_BH × TYLE_TT_DV × TYLE_TT_BH,
    never above THANH_TIEN_BV."""
    bh = money(quantity * price_bh * Decimal(ratio_dv) / 100 * Decimal(ratio_bh) / 100)
    return min(bh, money(quantity * price_bv))


def in_scope_lines(v: VisitData) -> tuple[list[Decimal | None], list[Decimal | None]]:
    """THANH_TIEN_BH of each drug and each service line (None: out of BHYT scope, or a visit
    not using BHYT), computed once for the benefit engine and the line rows."""
    if not v.uses_bhyt:
        return [None] * len(v.drugs), [None] * len(v.services)
    drugs = [
        in_scope_amount(d.quantity, d.unit_price, d.unit_price, ratio_bh=d.ratio, ratio_dv=100)
        if d.scope == 1
        else None
        for d in v.drugs
    ]
    services = [
        in_scope_amount(
            s.quantity,
            s.unit_price,
            s.bhyt_price if s.bhyt_price is not None else s.unit_price,
            ratio_bh=s.ratio,
            ratio_dv=s.service_ratio,
        )
        if s.scope == 1
        else None
        for s in v.services
    ]
    return drugs, services


def visit_benefit(v: VisitData, lines=None) -> Benefit:
    """The benefit engine's decision for a visit: MUC_HUONG for its in-scope lines, the fund's
    and the patient's amounts (the same T_BHTT/T_BNCCT the lines sum to), NGAY_MIEN_CCT and the
    reason. The visit's in-scope total (T_TONGCHI_BH) decides the 15 % rule. `lines`:
    in_scope_lines(v) when the caller has it already."""
    drugs, services = lines if lines is not None else in_scope_lines(v)
    in_scope = [bh for bh in (*drugs, *services) if bh is not None]
    return decide(
        visit_at=v.arrived_at.astimezone(VN),
        uses_bhyt=v.uses_bhyt,
        card_level=v.benefit_level or (v.card_number[2:3] if v.card_number else ""),
        in_scope_lines=in_scope,
        facility_level=FacilityLevel(v.facility_level),
        route=Route(v.route),
        inpatient=is_inpatient(v.visit_type),
        five_year_date=v.five_year_date,
        certificate_date=v.exemption_certificate_date,
        copayments=[Copayment(at.astimezone(VN), amount) for at, amount in v.copayments],
    )


@dataclass
class LineAmounts:
    thanh_tien_bv: Decimal
    thanh_tien_bh: Decimal
    muc_huong: Decimal | int
    t_bntt: Decimal
    t_bncct: Decimal
    t_bhtt: Decimal
    t_nguonkhac: Decimal = ZERO


def line_amounts(
    quantity: Decimal,
    price_bv: Decimal,
    price_bh: Decimal,
    *,
    in_scope: bool,
    ratio_bh: int,
    ratio_dv: int,
    muc_huong: Decimal | int,
    bh: Decimal | None = None,
) -> LineAmounts:
    """`in_scope`: PHAM_VI 1 on a BHYT visit. An in-scope line keeps its THANH_TIEN_BH even at
    MUC_HUONG 0 (a self-referral the fund does not pay): the patient co-pays all of it
    (T_BNCCT), as the benefit engine's split says and the cashier bills."""
    bv = money(quantity * price_bv)
    if in_scope:
        if bh is None:  # `bh`: in_scope_lines' figure for this line, when already computed
            bh = in_scope_amount(quantity, price_bv, price_bh, ratio_bh=ratio_bh, ratio_dv=ratio_dv)
    else:
        bh = ZERO.quantize(CENT)
        muc_huong = 0
    bhtt = money(bh * Decimal(muc_huong) / 100)
    return LineAmounts(
        thanh_tien_bv=bv,
        thanh_tien_bh=bh,
        muc_huong=muc_huong,
        t_bntt=bv - bh,
        t_bncct=bh - bhtt,
        t_bhtt=bhtt,
    )


def fmt(value: Decimal | int | None, places: int = 2) -> str:
    """Decimal as the XML writes it: '.' separator, at most `places` decimals, no trailing
    zeros (12500, 12.5, 0)."""
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if value == value.to_integral_value():
        return str(int(value))
    q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(q, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
