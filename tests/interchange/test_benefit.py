"""The benefit engine (kcb06.interchange.core.benefit): one test per rule, amounts recomputed by
hand, the QĐ 4750 appendix's own worked examples, and properties (hypothesis).

Every expected figure below is worked out in the comment next to it, from the rule and the
base salary in force on the visit's date (docs/specs/benefit.md#base-salary), not from the code."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kcb06.interchange.core.amounts import line_amounts
from kcb06.interchange.core.benefit import (
    Copayment,
    FacilityLevel,
    Route,
    Rule,
    base_salary_on,
    decide,
    exemption_start,
    low_cost_threshold,
    route_share,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOV_2026 = datetime(2026, 11, 23, 8, 5, tzinfo=VN)
D = Decimal


def at(y, m, d, hh=8, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=VN)


def visit(total, level="4", when=NOV_2026, **kw):
    return decide(visit_at=when, uses_bhyt=True, card_level=level, in_scope_lines=[D(total)], **kw)


# --- base salary by date --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "amount"),
    [
        (date(2023, 6, 30), 1_490_000),
        (date(2023, 7, 1), 1_800_000),
        (date(2024, 6, 30), 1_800_000),
        (date(2024, 7, 1), 2_340_000),  # NĐ 73/2024
        (date(2026, 6, 30), 2_340_000),
        (date(2026, 7, 1), 2_530_000),  # NĐ 161/2026
        (date(2027, 3, 1), 2_530_000),
    ],
)
def test_base_salary_is_the_one_in_force_on_the_day(day, amount):
    assert base_salary_on(day).amount == amount


def test_low_cost_threshold_is_15_percent_of_that_base_salary():
    assert low_cost_threshold(date(2024, 1, 10)) == D("270000")  # 1,800,000 × 15 %
    assert low_cost_threshold(date(2025, 5, 1)) == D("351000")  # 2,340,000 × 15 %
    assert low_cost_threshold(date(2026, 7, 1)) == D("379500")  # 2,530,000 × 15 %


def test_no_base_salary_before_the_table_starts():
    with pytest.raises(ValueError):
        base_salary_on(date(2010, 1, 1))


# --- the hand-computed cases (issue #19: levels 1–5, under 15 %, commune station, exempt) ----


@pytest.mark.parametrize(
    ("level", "muc", "fund", "patient"),
    [
        ("1", 100, "500000", "0"),  # level 1: 100 % of 500,000
        ("2", 100, "500000", "0"),  # level 2: 100 %
        ("3", 95, "475000", "25000"),  # level 3: 500,000 × 95 % = 475,000; patient 5 %
        ("4", 80, "400000", "100000"),  # level 4: 500,000 × 80 % = 400,000; patient 20 %
        ("5", 100, "500000", "0"),  # level 5: 100 %
    ],
)
def test_card_level_above_the_threshold(level, muc, fund, patient):
    # 500,000 VND on 23/11/2026 is above 379,500 (15 % of 2,530,000): the card level applies.
    b = visit("500000", level)
    assert (b.muc_huong, b.fund, b.patient) == (muc, D(fund), D(patient))
    assert b.rule is Rule.CARD_LEVEL
    assert f"thẻ mức {level}" in b.reason_vi


@pytest.mark.parametrize(("total", "level"), [("75405", "4"), ("71500", "3")])
def test_the_two_visits_of_the_issue_are_paid_in_full(total, level):
    # Issue #19: written 80 / 95 with the patient charged 15,081 and 3,575. Both are below
    # 351,000 (2024–06/2026) and 379,500 (from 07/2026): MUC_HUONG 100, the patient pays 0.
    for when in (at(2025, 3, 4), NOV_2026):
        b = visit(total, level, when)
        assert (b.muc_huong, b.fund, b.patient) == (100, D(total), 0)
        assert b.rule is Rule.LOW_COST
        assert "dưới 15 % lương cơ sở" in b.reason_vi


def test_low_cost_rule_uses_the_base_salary_of_the_visit_date():
    # 360,000 VND, level 4: on 30/06/2026 the threshold is 351,000 -> not below -> 80 %:
    # patient 360,000 × 20 % = 72,000. On 01/07/2026 it is 379,500 -> below -> 100 %.
    before = visit("360000", "4", at(2026, 6, 30))
    after = visit("360000", "4", at(2026, 7, 1))
    assert (before.muc_huong, before.patient) == (80, D("72000"))
    assert (after.muc_huong, after.patient) == (100, 0)
    assert "379.500 đồng" in after.reason_vi and "NĐ 161/2026" in after.reason_vi


def test_low_cost_rule_is_strictly_below():
    # Exactly 351,000 on 01/03/2025 is not "dưới" 15 %: 80 %, patient 70,200.
    b = visit("351000", "4", at(2025, 3, 1))
    assert (b.muc_huong, b.patient) == (80, D("70200"))
    assert visit("350999.99", "4", at(2025, 3, 1)).muc_huong == 100


def test_commune_station_pays_in_full_whatever_the_card_level():
    # 500,000 VND at a commune station, level 4 card, even self-referred: 100 %, patient 0.
    for route in (Route.REGISTERED, Route.SELF_REFERRED):
        b = visit("500000", "4", facility_level=FacilityLevel.PRIMARY, route=route)
        assert (b.muc_huong, b.fund, b.patient) == (100, D("500000"), 0)
        assert b.rule is Rule.PRIMARY
        assert "trạm y tế xã" in b.reason_vi


def test_exempt_patient_pays_nothing_and_the_date_is_written():
    # 5 years reached on 01/01/2020. Co-payments in 2026 before 30/06 (base 2,340,000):
    # 8,000,000 (3.419 months) on 10/03 and 7,000,000 (2.991 months) on 20/05 at 16:30:
    # 6.410 > 6 months -> exempt from 20/05/2026 16:30. A 500,000 level-4 visit on 01/09/2026
    # then pays 0 instead of 100,000.
    copays = [
        Copayment(at(2026, 3, 10, 11, 0), D("8000000")),
        Copayment(at(2026, 5, 20, 16, 30), D("7000000")),
    ]
    b = visit("500000", "4", at(2026, 9, 1), five_year_date=date(2020, 1, 1), copayments=copays)
    assert (b.muc_huong, b.fund, b.patient) == (100, D("500000"), 0)
    assert b.rule is Rule.EXEMPT and b.exempt
    assert b.ngay_mien_cct == "202605201630"  # yyyymmddHHMM: computed by the facility
    assert "Miễn cùng chi trả" in b.reason_vi and "31/12/2026" in b.reason_vi


# --- each rule, one at a time ------------------------------------------------------------------


def test_not_bhyt_claims_nothing():
    b = decide(visit_at=NOV_2026, uses_bhyt=False, card_level="4", in_scope_lines=[D("500000")])
    assert (b.muc_huong, b.fund, b.patient, b.rule) == (0, 0, D("500000"), Rule.NO_BHYT)


def test_appendix_example_central_inpatient_self_referred_is_32():
    # QĐ 4750 appendix, Bảng 2 field 27 / Bảng 3 field 22: level 80 %, self-referred inpatient
    # at a central facility (share 40 %) -> MUC_HUONG 32. 1,000,000 -> fund 320,000.
    b = visit(
        "1000000",
        "4",
        facility_level=FacilityLevel.CENTRAL,
        route=Route.SELF_REFERRED,
        inpatient=True,
    )
    assert (b.muc_huong, b.fund, b.patient) == (32, D("320000"), D("680000"))
    assert b.rule is Rule.SELF_REFERRED
    assert "40 %" in b.reason_vi


def test_self_referred_below_15_percent_keeps_the_self_referral_rate():
    # Appendix: "trái tuyến, tổng chi phí dưới 15 % … ghi mức trái tuyến". 100,000 -> 32.
    b = visit(
        "100000",
        "4",
        facility_level=FacilityLevel.CENTRAL,
        route=Route.SELF_REFERRED,
        inpatient=True,
    )
    assert (b.muc_huong, b.patient) == (32, D("68000"))


def test_self_referred_outpatient_at_central_level_is_not_paid():
    b = visit("500000", "4", facility_level=FacilityLevel.CENTRAL, route=Route.SELF_REFERRED)
    assert (b.muc_huong, b.fund, b.patient) == (0, 0, D("500000"))


def test_self_referred_outpatient_at_former_provincial_level_from_july_2026():
    # 0 % until 30/06/2026, 50 % × card level from 01/07/2026 (NĐ 188/2025, QĐ 3276 1.14/1.18):
    # level 4 -> 40; level 3 -> 47.5 (1,000,000 × 47.5 % = 475,000).
    kw = {"facility_level": FacilityLevel.PROVINCIAL, "route": Route.SELF_REFERRED}
    assert visit("500000", "4", at(2026, 6, 30), **kw).muc_huong == 0
    assert visit("500000", "4", at(2026, 7, 1), **kw).muc_huong == 40
    b = visit("1000000", "3", at(2026, 7, 1), **kw)
    assert (b.muc_huong, b.fund, b.patient) == (D("47.5"), D("475000"), D("525000"))


def test_self_referred_inpatient_at_provincial_level_is_full_since_2021():
    kw = {
        "facility_level": FacilityLevel.PROVINCIAL,
        "route": Route.SELF_REFERRED,
        "inpatient": True,
    }
    assert visit("500000", "4", at(2020, 12, 31), **kw).muc_huong == 48  # 80 × 60 %
    assert visit("500000", "4", at(2021, 1, 1), **kw).muc_huong == 80


def test_self_referred_at_former_district_level_is_paid_as_in_network():
    # Full share (Luật BHYT Đ22 k4, QĐ 3276 3.3), so the 15 % rule applies as well.
    kw = {"facility_level": FacilityLevel.DISTRICT, "route": Route.SELF_REFERRED}
    assert visit("500000", "4", **kw).muc_huong == 80
    assert visit("100000", "4", **kw).muc_huong == 100


@pytest.mark.parametrize("route", [Route.EMERGENCY, Route.REFERRAL, Route.APPOINTMENT])
def test_emergency_referral_and_appointment_keep_the_card_level_anywhere(route):
    b = visit("500000", "4", facility_level=FacilityLevel.CENTRAL, route=route)
    assert (b.muc_huong, b.patient) == (80, D("100000"))


def test_share_table_by_date():
    assert route_share(date(2015, 12, 31), FacilityLevel.DISTRICT, False) == 70
    assert route_share(date(2016, 1, 1), FacilityLevel.DISTRICT, False) == 100
    assert route_share(date(2026, 11, 1), FacilityLevel.CENTRAL, True) == 40


def test_unknown_card_level_is_billed_at_the_lowest_level_and_says_so():
    b = visit("500000", "")
    assert b.muc_huong == 80 and "không đọc được" in b.reason_vi


# --- the exemption ---------------------------------------------------------------------------


def test_exemption_threshold_is_strictly_greater_than_six_months():
    # Exactly 6 × 2,340,000 = 14,040,000 in the first half of 2026: not exempt; one more dong is.
    five = date(2019, 5, 1)
    exactly = [Copayment(at(2026, 4, 1, 17, 0), D("14040000"))]
    above = [Copayment(at(2026, 4, 1, 17, 0), D("14040001"))]
    assert exemption_start(at(2026, 5, 1), five_year_date=five, copayments=exactly) is None
    assert exemption_start(at(2026, 5, 1), five_year_date=five, copayments=above) == at(
        2026, 4, 1, 17, 0
    )


def test_exemption_converts_when_the_base_salary_changes_mid_year():
    # CV 302 §2.5: remaining = (6 − paid before 01/07 ÷ 2,340,000) × 2,530,000.
    # 10,000,000 paid in March = 4.27350 months -> remaining 1.72650 × 2,530,000 = 4,368,034.19.
    # 4,368,000 in August does not reach it (5.99999 months); 4,369,000 does (6.00038).
    # (The old base alone would exempt both: 14.4M > 14.04M; the new alone neither: < 15.18M.)
    five = date(2019, 5, 1)
    march = Copayment(at(2026, 3, 2, 10, 0), D("10000000"))
    short = [march, Copayment(at(2026, 8, 3, 10, 0), D("4368000"))]
    enough = [march, Copayment(at(2026, 8, 3, 10, 0), D("4369000"))]
    assert exemption_start(at(2026, 9, 1), five_year_date=five, copayments=short) is None
    assert exemption_start(at(2026, 9, 1), five_year_date=five, copayments=enough) == at(
        2026, 8, 3, 10, 0
    )
    old_only = [march, Copayment(at(2026, 8, 3, 10, 0), D("4100000"))]  # 14.1M > 14.04M
    assert exemption_start(at(2026, 9, 1), five_year_date=five, copayments=old_only) is None


def test_exemption_needs_five_years_and_starts_when_both_conditions_hold():
    copays = [Copayment(at(2026, 3, 2, 10, 0), D("15000000"))]  # 6.41 months
    # No 5-year date, or one after the visit: no exemption.
    assert exemption_start(at(2026, 9, 1), five_year_date=None, copayments=copays) is None
    assert (
        exemption_start(at(2026, 5, 1), five_year_date=date(2026, 6, 1), copayments=copays) is None
    )
    # 5 years reached on 01/06/2026, after the threshold: the exemption starts on 01/06 00:00.
    b = visit("500000", "4", at(2026, 9, 1), five_year_date=date(2026, 6, 1), copayments=copays)
    assert b.ngay_mien_cct == "202606010000" and b.patient == 0


def test_last_years_copayments_do_not_count():
    copays = [Copayment(at(2025, 12, 30, 10, 0), D("20000000"))]
    b = visit("500000", "4", at(2026, 1, 5), five_year_date=date(2019, 1, 1), copayments=copays)
    assert (b.muc_huong, b.patient, b.ngay_mien_cct) == (80, D("100000"), "")


def test_only_this_years_copayments_add_up():
    # 10,000,000 in December 2025 and 6,000,000 in February 2026 (2.56 months): the year starts
    # again on 01/01, so the patient is not exempt in March 2026.
    copays = [
        Copayment(at(2025, 12, 10, 10, 0), D("10000000")),
        Copayment(at(2026, 2, 10, 10, 0), D("6000000")),
    ]
    b = visit("500000", "4", at(2026, 3, 5), five_year_date=date(2019, 1, 1), copayments=copays)
    assert (b.muc_huong, b.ngay_mien_cct) == (80, "")


def test_bhxh_certificate_of_another_year_or_a_later_date_does_not_exempt():
    assert visit("500000", "4", at(2026, 9, 1), certificate_date=date(2025, 4, 5)).patient == D(
        "100000"
    )
    assert visit("500000", "4", at(2026, 9, 1), certificate_date=date(2026, 10, 1)).patient == D(
        "100000"
    )


def test_bhxh_certificate_date_is_written_as_yyyymmdd():
    b = visit("500000", "4", at(2026, 9, 1), certificate_date=date(2026, 4, 5))
    assert (b.muc_huong, b.patient, b.ngay_mien_cct) == (100, 0, "20260405")
    assert "giấy miễn cùng chi trả" in b.reason_vi


def test_exemption_does_not_apply_to_a_self_referred_visit_paid_at_a_reduced_share():
    b = visit(
        "1000000",
        "4",
        at(2026, 9, 1),
        facility_level=FacilityLevel.CENTRAL,
        route=Route.SELF_REFERRED,
        inpatient=True,
        certificate_date=date(2026, 4, 5),
    )
    assert (b.muc_huong, b.ngay_mien_cct) == (32, "")


def test_fund_share_is_rounded_half_up_per_line():
    # 0.30 × 95 % = 0.285 -> 0.29 (half-up, as the appendix's "làm tròn" is read; half-even
    # would give 0.28); the patient 0.01.
    b = decide(
        visit_at=at(2026, 3, 1),
        uses_bhyt=True,
        card_level="3",
        in_scope_lines=[D("0.30"), D("400000")],
    )
    assert (b.fund, b.patient) == (D("0.29") + D("380000"), D("0.01") + D("20000"))


# --- appendix worked example of the line formulas --------------------------------------------


def test_appendix_line_example_drug_at_50_percent_for_a_level_80_patient():
    # QĐ 4750 appendix, Bảng 2 field 28 (T_BNTT) example b): drug A, 50 % payment ratio,
    # 10,000,000 less 3,000,000 from a sponsor = 7,000,000; patient at 80 %:
    # THANH_TIEN_BH 3,500,000; T_BHTT 2,800,000; T_BNCCT 700,000; T_BNTT 3,500,000.
    a = line_amounts(
        D(1), D("7000000"), D("7000000"), in_scope=True, ratio_bh=50, ratio_dv=100, muc_huong=80
    )
    assert (a.thanh_tien_bh, a.t_bhtt, a.t_bncct, a.t_bntt) == (
        D("3500000"),
        D("2800000"),
        D("700000"),
        D("3500000"),
    )


# --- properties -------------------------------------------------------------------------------

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
amounts = st.decimals(min_value=0, max_value=50_000_000, places=2, allow_nan=False)
days = st.datetimes(min_value=datetime(2019, 7, 1), max_value=datetime(2028, 12, 31)).map(
    lambda d: d.replace(tzinfo=VN)
)


@FAST
@given(
    lines=st.lists(amounts, min_size=0, max_size=12),
    level=st.sampled_from(["1", "2", "3", "4", "5", "", "9"]),
    when=days,
    facility=st.sampled_from(list(FacilityLevel)),
    route=st.sampled_from(list(Route)),
    inpatient=st.booleans(),
    uses_bhyt=st.booleans(),
    five=st.none() | st.dates(min_value=date(2015, 1, 1), max_value=date(2028, 12, 31)),
    copays=st.lists(st.tuples(days, amounts), max_size=4),
)
def test_fund_plus_patient_is_the_in_scope_total_and_nothing_is_negative(
    lines, level, when, facility, route, inpatient, uses_bhyt, five, copays
):
    b = decide(
        visit_at=when,
        uses_bhyt=uses_bhyt,
        card_level=level,
        in_scope_lines=lines,
        facility_level=facility,
        route=route,
        inpatient=inpatient,
        five_year_date=five,
        copayments=[Copayment(t, a) for t, a in copays],
    )
    assert b.fund + b.patient == b.in_scope_total == sum(lines, D(0))
    assert b.fund >= 0 and b.patient >= 0
    assert 0 <= b.muc_huong <= 100
    assert b.reason_vi
    assert bool(b.ngay_mien_cct) == (b.rule is Rule.EXEMPT)


@FAST
@given(
    lines=st.lists(st.decimals(min_value=0, max_value=18_000, places=2), max_size=12),
    level=st.sampled_from(["1", "2", "3", "4", "5"]),
    when=days,
    route=st.sampled_from([Route.REGISTERED, Route.REFERRAL, Route.EMERGENCY]),
    facility=st.sampled_from(list(FacilityLevel)),
)
def test_below_15_percent_of_base_salary_the_fund_pays_everything(
    lines, level, when, route, facility
):
    # 12 lines of at most 18,000 (216,000) stay below 15 % of any base salary since 07/2019
    # (1,490,000 × 15 % = 223,500).
    b = decide(
        visit_at=when,
        uses_bhyt=True,
        card_level=level,
        in_scope_lines=lines,
        facility_level=facility,
        route=route,
    )
    assert b.muc_huong == 100 and b.patient == 0


def test_chronic_drugs_dispensed_at_the_commune_station_keep_the_card_level():
    # Appendix, Bảng 2 field 27: chronic patient prescribed higher up, drugs dispensed at the
    # commune station -> card level (500,000 × 80 %), or 100 when under 15 % (100,000).
    kw = {"facility_level": FacilityLevel.PRIMARY, "chronic_dispensing": True}
    b = visit("500000", "4", **kw)
    assert (b.muc_huong, b.patient, b.rule) == (80, D("100000"), Rule.CARD_LEVEL)
    assert visit("100000", "4", **kw).muc_huong == 100
