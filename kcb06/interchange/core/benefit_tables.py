"""Dated tables the benefit engine (benefit.py) reads: base salary, card levels, self-referral
shares by facility level. Our own file; every row names the instrument it comes from and how
sure we are (labels and source keys: docs/specs/benefit.md#sources; official, secondary,
implementation, inferred). Add a row when a new decree is published; never edit a past row,
because claims of past visits are rebuilt with the rule in force on their own date.
"""

from datetime import date
from typing import NamedTuple


class BaseSalary(NamedTuple):
    start: date  # in force from this date (inclusive) until the next row's start
    amount: int  # VND per month
    instrument: str
    source: str


# Mức lương cơ sở (docs/specs/benefit.md#base-salary). Luật 51/2024 Đ3 k5 b: the new "mức tham
# chiếu" is applied as the base salary until the Government decides otherwise.
BASE_SALARIES: tuple[BaseSalary, ...] = (
    BaseSalary(date(2016, 5, 1), 1_210_000, "NĐ 47/2016/NĐ-CP", "inferred: our row"),
    BaseSalary(date(2017, 7, 1), 1_300_000, "NĐ 47/2017/NĐ-CP", "inferred: our row"),
    BaseSalary(date(2018, 7, 1), 1_390_000, "NĐ 72/2018/NĐ-CP", "inferred: our row"),
    BaseSalary(date(2019, 7, 1), 1_490_000, "NĐ 38/2019/NĐ-CP", "implementation P9"),
    BaseSalary(date(2023, 7, 1), 1_800_000, "NĐ 24/2023/NĐ-CP", "implementation ×2 (P9)"),
    BaseSalary(date(2024, 7, 1), 2_340_000, "NĐ 73/2024/NĐ-CP Đ3 k2", "official wording, P9"),
    BaseSalary(
        date(2026, 7, 1),
        2_530_000,
        "NĐ 161/2026/NĐ-CP Đ3 k2 (ký 15/05/2026, thay NĐ 73/2024)",
        "official copy L2; implementation ×5 (P6)",
    ),
)

# Benefit level = 3rd character of the card code (QĐ 1351/QĐ-BHXH,
# docs/specs/bhyt-card.md#benefit-levels) -> percentage of
# in-scope cost the fund pays at the right facility. Level 5 also covers out-of-scope costs;
# kcb06 does not bill those to the fund (lines keep their PHAM_VI).
CARD_PERCENT: dict[str, int] = {"1": 100, "2": 100, "3": 95, "4": 80, "5": 100}

# The fund pays 100 % when the visit's in-scope cost is below this share of the base salary
# (NĐ 146/2018 Đ14 k1 d, official copy L1; kept after 2025: CV 302 restates 379,500 VND from
# 01/07/2026, implementation P6). "Dưới" = strictly below.
LOW_COST_SHARE_PERCENT = 15

# Co-payment exemption: co-payments in the calendar year greater than ("lớn hơn", strictly)
# this many months of base salary, after 5 consecutive years (Luật BHYT Đ22 k1 c, NĐ 146/2018
# Đ14 k1 đ, official copy L1; Luật 51/2024 Đ22 k1 d, secondary S2).
EXEMPTION_MONTHS = 6


class RouteShare(NamedTuple):
    level: str  # FacilityLevel value
    inpatient: bool
    start: date  # in force from (inclusive) until the next row of the same (level, inpatient)
    percent: int  # share of the card-level benefit for a self-referred patient
    source: str


_OLD = date(1900, 1, 1)
# Self-referral ("trái tuyến", from 2025 "không đúng cơ sở đăng ký") by the facility's level
# (before 2025 its route level; from 2025 its former route level, QĐ 3276 App. 1).
ROUTE_SHARES: tuple[RouteShare, ...] = (
    RouteShare("central", True, _OLD, 40, "Luật BHYT Đ22 k3 a (L1, official copy); QĐ 3276 3.1"),
    RouteShare("central", False, _OLD, 0, "Luật BHYT Đ22 k3 a: nội trú only; QĐ 3276 3.1"),
    RouteShare("provincial", True, _OLD, 60, "Luật BHYT Đ22 k3 b (L1), until 31/12/2020"),
    RouteShare("provincial", True, date(2021, 1, 1), 100, "Luật BHYT Đ22 k6 (L1); QĐ 3276 3.2"),
    RouteShare("provincial", False, _OLD, 0, "Luật BHYT Đ22 k3 b: nội trú only (L1)"),
    RouteShare(
        "provincial",
        False,
        date(2026, 7, 1),
        50,
        "NĐ 188/2025 Đ19 (secondary S2); QĐ 3276 1.14/1.18 (secondary P7)",
    ),
    RouteShare("district", True, _OLD, 70, "Luật BHYT Đ22 k3 c (L1), until 31/12/2015"),
    RouteShare("district", False, _OLD, 70, "Luật BHYT Đ22 k3 c (L1), until 31/12/2015"),
    RouteShare("district", True, date(2016, 1, 1), 100, "Luật BHYT Đ22 k4 (L1); QĐ 3276 3.3"),
    RouteShare("district", False, date(2016, 1, 1), 100, "Luật BHYT Đ22 k4 (L1); QĐ 3276 3.3"),
    RouteShare("primary", True, _OLD, 100, "NĐ 146/2018 Đ14 k1 c (L1); QĐ 3276 1.2"),
    RouteShare("primary", False, _OLD, 100, "NĐ 146/2018 Đ14 k1 c (L1); QĐ 3276 1.2"),
)

# MA_LOAI_KCB codes that are inpatient care (QĐ 824 Annex 1 as used with 4750): 03 nội trú,
# 04 nội trú ban ngày, 06 lưu tại trạm y tế/PKĐK khu vực, 09 nội trú dưới 4 giờ.
INPATIENT_VISIT_TYPES = frozenset({"03", "04", "06", "09"})
