"""BHYT benefit engine: MUC_HUONG and the split of a visit's in-scope cost between the fund
(T_BHTT) and the patient (T_BNCCT), with the rule in force on the visit's date.

Pure: no Django, no I/O. The tables are in benefit_tables.py (dated rows with their sources);
docs/interchange.md "Benefit levels" explains each rule. The builders write what `decide`
returns into XML1/XML2/XML3, and the cashier bills the same `patient` figure.

Order of the rules (QĐ 4750 appendix, Bảng 2 field 27 / Bảng 3 field 22 "MUC_HUONG"):
1. not a BHYT visit: 0;
2. self-referred to a facility whose self-referral share is below 100 %: card level × share
   (80 × 40 % = 32, the appendix's own example); neither the 15 % rule nor the exemption
   applies to such a visit (appendix: "trái tuyến … dưới 15 % … ghi mức trái tuyến"; law: the
   exemption excludes self-referral);
3. commune health station / primary-level facility: 100;
4. co-payment exemption (5 consecutive years and this year's co-payments above 6 months of
   base salary): 100, NGAY_MIEN_CCT filled;
5. in-scope cost of the visit below 15 % of the base salary in force on the visit's date: 100;
6. otherwise the card's level (100/100/95/80/100); also for a chronic patient's drugs
   prescribed higher up and dispensed at the commune station (the appendix's own exception
   to rule 3).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from kcb06.interchange.core.benefit_tables import (
    BASE_SALARIES,
    CARD_PERCENT,
    EXEMPTION_MONTHS,
    INPATIENT_VISIT_TYPES,
    LOW_COST_SHARE_PERCENT,
    ROUTE_SHARES,
    BaseSalary,
)

CENT = Decimal("0.01")
UNKNOWN_LEVEL_PERCENT = 80  # an unreadable level: the lowest level, never more than due


class FacilityLevel(StrEnum):
    """Where the visit takes place, as far as the benefit is concerned."""

    PRIMARY = "primary"  # trạm y tế xã / cơ sở KCB cấp ban đầu (tuyến xã before 2025)
    DISTRICT = "district"  # (former) district level, basic level
    PROVINCIAL = "provincial"  # (former) provincial level
    CENTRAL = "central"  # (former) central level


LEVEL_VI = {
    FacilityLevel.PRIMARY: "cấp ban đầu (trạm y tế xã)",
    FacilityLevel.DISTRICT: "tuyến huyện (cũ)",
    FacilityLevel.PROVINCIAL: "tuyến tỉnh (cũ)",
    FacilityLevel.CENTRAL: "tuyến trung ương (cũ)",
}


class Route(StrEnum):
    REGISTERED = "registered"  # at the card's registered facility (MA_DKBD)
    REFERRAL = "referral"  # with a transfer form
    EMERGENCY = "emergency"
    APPOINTMENT = "appointment"  # re-visit by appointment
    SELF_REFERRED = "self_referred"  # elsewhere, on the patient's own initiative


class Rule(StrEnum):
    NO_BHYT = "no_bhyt"
    SELF_REFERRED = "self_referred"
    PRIMARY = "primary"
    EXEMPT = "exempt"
    LOW_COST = "low_cost"
    CARD_LEVEL = "card_level"


@dataclass(frozen=True)
class Copayment:
    """One co-payment of the calendar year, at the end of its episode (NGAY_RA)."""

    at: datetime
    amount: Decimal


@dataclass(frozen=True)
class Benefit:
    muc_huong: Decimal  # MUC_HUONG; whole numbers except card level × 50 % (e.g. 47.5)
    in_scope_total: Decimal  # T_TONGCHI_BH
    fund: Decimal  # T_BHTT
    patient: Decimal  # T_BNCCT: what the cashier bills within BHYT scope
    rule: Rule
    reason_vi: str
    base_salary: int  # in force on the visit's date
    exempt_from: datetime | date | None = None
    ngay_mien_cct: str = ""  # yyyymmdd (BHXH certificate) or yyyymmddHHMM (computed), or ""

    @property
    def exempt(self) -> bool:
        return self.exempt_from is not None


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def vnd(value: Decimal | int) -> str:
    """12345.5 -> '12.345,5' (Vietnamese thousands separator)."""
    value = Decimal(value)
    whole = int(value)
    text = f"{whole:,}".replace(",", ".")
    cents = abs(value - whole)
    if cents:
        text += "," + format(cents.normalize(), "f")[2:]
    return text


def dmy(value: date | datetime) -> str:
    return value.strftime("%d/%m/%Y")


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def base_salary_on(day: date | datetime) -> BaseSalary:
    """The base salary in force on `day` (the last row starting on or before it)."""
    day = _day(day)
    found = None
    for row in BASE_SALARIES:
        if row.start <= day:
            found = row
    if found is None:
        raise ValueError(f"no base salary known before {BASE_SALARIES[0].start.isoformat()}")
    return found


def low_cost_threshold(day: date | datetime) -> Decimal:
    """15 % of the base salary on `day`: 351,000 VND from 01/07/2024, 379,500 from 01/07/2026."""
    return Decimal(base_salary_on(day).amount) * LOW_COST_SHARE_PERCENT / 100


def card_percent(level: str) -> int:
    return CARD_PERCENT.get(str(level), UNKNOWN_LEVEL_PERCENT)


def route_share(day: date | datetime, level: FacilityLevel, inpatient: bool) -> int:
    """Share (%) of the card-level benefit for a self-referred patient at a facility of `level`."""
    day = _day(day)
    found = 100
    for row in ROUTE_SHARES:
        if row.level == level and row.inpatient == inpatient and row.start <= day:
            found = row.percent
    return found


def is_inpatient(visit_type: str) -> bool:
    return visit_type in INPATIENT_VISIT_TYPES


def exemption_start(
    visit_at: datetime,
    *,
    five_year_date: date | None,
    certificate_date: date | None = None,
    copayments: Iterable[Copayment] = (),
) -> datetime | date | None:
    """When the co-payment exemption starts for this visit's year, or None if it does not apply
    on `visit_at`.

    A BHXH certificate ("giấy miễn cùng chi trả") gives the date directly. Otherwise both
    conditions must hold: 5 consecutive years reached, and the year's co-payments greater than
    6 months of base salary. Each co-payment counts in months of the base salary in force on its
    own date, which is CV 302 §2.5's conversion when the salary changes mid-year ("remaining =
    (6 − paid before ÷ old) × new"). The exemption starts when the later condition is met: the
    end of the episode whose co-payment crossed the threshold (P9), or the 5-year date.
    """
    if certificate_date is not None:
        if certificate_date.year == visit_at.year and certificate_date <= _day(visit_at):
            return certificate_date
    if five_year_date is None:
        return None
    months = Decimal(0)
    crossed = None
    for c in sorted(copayments, key=lambda c: c.at):
        if c.at.year != visit_at.year or c.at > visit_at:
            continue
        months += c.amount / base_salary_on(c.at).amount
        if months > EXEMPTION_MONTHS:
            crossed = c.at
            break
    if crossed is None:
        return None
    five = datetime.combine(five_year_date, time(0, 0), tzinfo=crossed.tzinfo)
    start = max(crossed, five)
    return start if start <= visit_at and start.year == visit_at.year else None


def split(lines: Iterable[Decimal], muc_huong: Decimal | int) -> tuple[Decimal, Decimal]:
    """(fund, patient) for in-scope line amounts (THANH_TIEN_BH): per line T_BHTT =
    THANH_TIEN_BH × MUC_HUONG / 100 rounded half-up to 2 decimals, T_BNCCT the rest (QĐ 4750
    Bảng 2/3), summed; so fund + patient = in-scope total exactly."""
    fund = patient = Decimal("0.00")
    for bh in lines:
        f = money(bh * Decimal(muc_huong) / 100)
        fund += f
        patient += bh - f
    return fund, patient


def decide(
    *,
    visit_at: datetime,
    uses_bhyt: bool,
    card_level: str,
    in_scope_lines: Sequence[Decimal] | Decimal,
    facility_level: FacilityLevel = FacilityLevel.DISTRICT,
    route: Route = Route.REGISTERED,
    inpatient: bool = False,
    five_year_date: date | None = None,
    certificate_date: date | None = None,
    copayments: Iterable[Copayment] = (),
    chronic_dispensing: bool = False,
) -> Benefit:
    """MUC_HUONG, the fund's and the patient's amounts and the reason, for one visit.

    `visit_at`: start of the visit (NGAY_VAO), local time; its date chooses the base salary and
    the shares in force. `in_scope_lines`: THANH_TIEN_BH of each in-scope line (or one total).
    `copayments`: the patient's co-payments of the year before this visit (kcb06's own claims
    and BHXH's lookup), used for the exemption with `five_year_date` (card check, ngayDu5Nam).
    `chronic_dispensing`: a chronic patient examined and prescribed at a higher level whose
    drugs are dispensed at the commune station (TT 30/2018, NĐ 146/2018 Đ14 k1 h): the
    appendix writes the card level there, not 100 (except under 15 %).
    """
    lines = [in_scope_lines] if isinstance(in_scope_lines, Decimal) else list(in_scope_lines)
    total = sum(lines, Decimal("0.00"))
    base = base_salary_on(visit_at)

    def result(muc, rule: Rule, reason: str, exempt_from=None, ngay="") -> Benefit:
        muc = Decimal(muc)
        fund, patient = split(lines, muc)
        return Benefit(muc, total, fund, patient, rule, reason, base.amount, exempt_from, ngay)

    if not uses_bhyt:
        return result(0, Rule.NO_BHYT, "Không khám BHYT: quỹ BHYT không thanh toán.")
    pct = card_percent(card_level)
    level_text = (
        f"thẻ mức {card_level} ({pct} %)"
        if str(card_level) in CARD_PERCENT
        else f"mức hưởng trên thẻ không đọc được, tạm tính {pct} %"
    )
    if route is Route.SELF_REFERRED and facility_level is not FacilityLevel.PRIMARY:
        share = route_share(visit_at, facility_level, inpatient)
        if share < 100:
            muc = (Decimal(pct) * share / 100).normalize()
            kind = "nội trú" if inpatient else "ngoại trú"
            return result(
                muc,
                Rule.SELF_REFERRED,
                f"Tự đi khám không đúng nơi đăng ký, {kind} tại cơ sở {LEVEL_VI[facility_level]}:"
                f" quỹ trả {share} % × {level_text} = {vnd(muc)} %"
                " (không áp dụng quy định dưới 15 % lương cơ sở và miễn cùng chi trả).",
            )
    if facility_level is FacilityLevel.PRIMARY and not chronic_dispensing:
        return result(
            100,
            Rule.PRIMARY,
            "Khám tại trạm y tế xã / cơ sở khám chữa bệnh cấp ban đầu: quỹ trả 100 % chi phí"
            " trong phạm vi, không phụ thuộc mức hưởng trên thẻ.",
        )
    start = exemption_start(
        visit_at,
        five_year_date=five_year_date,
        certificate_date=certificate_date,
        copayments=copayments,
    )
    if start is not None:
        if isinstance(start, datetime):
            ngay = start.strftime("%Y%m%d%H%M")
            how = f"cơ sở tính từ số cùng chi trả trong năm, đủ điều kiện lúc {start:%H:%M} {dmy(start)}"
        else:
            ngay = start.strftime("%Y%m%d")
            how = f"theo giấy miễn cùng chi trả của BHXH, từ {dmy(start)}"
        return result(
            100,
            Rule.EXEMPT,
            f"Miễn cùng chi trả ({how}): đủ 5 năm liên tục và đã cùng chi trả trong năm trên"
            f" {EXEMPTION_MONTHS} tháng lương cơ sở; quỹ trả 100 % đến hết 31/12/{visit_at.year}.",
            start,
            ngay,
        )
    threshold = Decimal(base.amount) * LOW_COST_SHARE_PERCENT / 100
    if total < threshold:
        return result(
            100,
            Rule.LOW_COST,
            f"Tổng chi phí trong phạm vi BHYT {vnd(total)} đồng dưới {LOW_COST_SHARE_PERCENT} %"
            f" lương cơ sở ({vnd(threshold)} đồng; lương cơ sở {vnd(base.amount)} đồng từ"
            f" {dmy(base.start)}, {base.instrument}): quỹ trả 100 %.",
        )
    return result(pct, Rule.CARD_LEVEL, f"Quỹ trả theo {level_text} chi phí trong phạm vi.")
