"""BHYT amounts per cost line and their XML1 totals (QĐ 4750 Bảng 2/3 formulas).

Per line: THANH_TIEN_BV = SO_LUONG × DON_GIA(_BV); THANH_TIEN_BH = SO_LUONG × DON_GIA(_BH) ×
TYLE_TT_DV/100 × TYLE_TT_BH/100 when the line is in BHYT scope (PHAM_VI 1) and the visit uses
BHYT, else 0; T_BNTT = THANH_TIEN_BV − THANH_TIEN_BH (what the fund does not cover at all);
T_BHTT = THANH_TIEN_BH × MUC_HUONG/100; T_BNCCT = THANH_TIEN_BH − T_BHTT. All amounts are rounded
half-up to 2 decimals per line and XML1 sums the lines, so T_BHTT = T_TONGCHI_BH − T_BNCCT holds
exactly, as the regulation's XML1 formula requires.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")

# Benefit level (3rd character of the card code, SPECS §2.2) -> MUC_HUONG percentage.
BENEFIT_PERCENT = {"1": 100, "2": 100, "3": 95, "4": 80, "5": 100}


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def benefit_percent(uses_bhyt: bool, level: str, card_number: str = "") -> int:
    if not uses_bhyt:
        return 0
    if not level and len(card_number) >= 3:
        level = card_number[2]
    return BENEFIT_PERCENT.get(level, 80)


@dataclass
class LineAmounts:
    thanh_tien_bv: Decimal
    thanh_tien_bh: Decimal
    muc_huong: int
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
    muc_huong: int,
) -> LineAmounts:
    bv = money(quantity * price_bv)
    if in_scope and muc_huong:
        bh = money(quantity * price_bh * Decimal(ratio_dv) / 100 * Decimal(ratio_bh) / 100)
        bh = min(bh, bv)
    else:
        bh = ZERO.quantize(CENT)
        muc_huong = 0 if not in_scope else muc_huong
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
