"""Built claims carry the benefit engine's figures (issue #19, "Done when": amounts a test
recomputes by hand for levels 1–5, under 15 %, commune station, exempt). Each case builds the
XML tables of a synthetic visit and reads MUC_HUONG, T_BHTT, T_BNCCT, NGAY_MIEN_CCT back.

The visit (samples.outpatient_visit) has 5 drugs and 3 services in scope:
  drugs 4,500 + 26,260.5 + 12,460 + 2,240 + 3,000 = 48,460.5; services 34,500 + 21,500 +
  65,400 = 121,400; total 169,860.5 VND (below 379,500 = 15 % of 2,530,000 on 23/11/2026).
"Large" adds a CT scan of 522,000: total 691,860.5 VND, above the threshold.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kcb06.interchange.core import package
from kcb06.interchange.core.data import ServiceLine
from kcb06.interchange.core.samples import outpatient_visit

VN = ZoneInfo("Asia/Ho_Chi_Minh")
D = Decimal
CARDS = {"1": "CC1", "2": "CK2", "3": "HT3", "4": "DN4", "5": "QN5"}


def _visit(level="4", large=True):
    v = outpatient_visit()
    v.benefit_level = level
    v.card_number = CARDS[level] + v.card_number[3:]
    if large:
        t = v.arrived_at + timedelta(minutes=20)
        v.services.append(
            ServiceLine("18.0062.0001", "Chụp CT sọ não", D(1), D("522000"), t, group=2)
        )
    return v


def _claim(v):
    tables, errors = package.build_claim(v)
    assert errors == []
    xml1 = tables["XML1"]
    lines = tables["XML2"].findall(".//CHI_TIET_THUOC") + tables["XML3"].findall(".//CHI_TIET_DVKT")
    return xml1, lines


def _money(xml1):
    return tuple(D(xml1.findtext(f)) for f in ("T_TONGCHI_BH", "T_BHTT", "T_BNCCT"))


@pytest.mark.parametrize(
    ("level", "muc", "fund", "patient"),
    [
        ("1", "100", "691860.5", "0"),
        ("2", "100", "691860.5", "0"),
        # 95 %: per line the patient pays 5 %: 225 + 1,313.02 (26,260.5 × 5 % = 1,313.025,
        # the fund's 24,947.475 rounds half-up to 24,947.48) + 623 + 112 + 150 + 1,725 + 1,075
        # + 3,270 + 26,100 = 34,593.02; the fund 691,860.5 − 34,593.02 = 657,267.48.
        ("3", "95", "657267.48", "34593.02"),
        # 80 %: the patient pays 20 % of 691,860.5 = 138,372.1 (every line exact).
        ("4", "80", "553488.4", "138372.1"),
        ("5", "100", "691860.5", "0"),
    ],
)
def test_card_levels_1_to_5(level, muc, fund, patient):
    xml1, lines = _claim(_visit(level))
    assert {r.findtext("MUC_HUONG") for r in lines} == {muc}
    assert _money(xml1) == (D("691860.5"), D(fund), D(patient))


def test_below_15_percent_the_patient_pays_nothing():
    # Level 4, 169,860.5 < 379,500: 100 %; before the engine the patient paid 33,972.1.
    xml1, lines = _claim(_visit("4", large=False))
    assert {r.findtext("MUC_HUONG") for r in lines} == {"100"}
    assert _money(xml1) == (D("169860.5"), D("169860.5"), D(0))


def test_commune_station_pays_in_full():
    v = _visit("4")
    v.facility_level = "primary"
    xml1, lines = _claim(v)
    assert {r.findtext("MUC_HUONG") for r in lines} == {"100"}
    assert _money(xml1) == (D("691860.5"), D("691860.5"), D(0))


def test_exempt_patient_claim_carries_both_dates():
    # 5 years from 01/05/2019; 15,000,000 co-paid on 02/03/2026 10:00 = 6.41 months of
    # 2,340,000 (> 6): exempt from then; this 23/11/2026 visit is paid in full.
    v = _visit("4")
    v.five_year_date = date(2019, 5, 1)
    v.copayments = [(datetime(2026, 3, 2, 10, 0, tzinfo=VN), D("15000000"))]
    xml1, lines = _claim(v)
    assert {r.findtext("MUC_HUONG") for r in lines} == {"100"}
    assert _money(xml1) == (D("691860.5"), D("691860.5"), D(0))
    assert xml1.findtext("NGAY_MIEN_CCT") == "202603021000"
    assert xml1.findtext("NAM_NAM_LIEN_TUC") == "20190501"


def test_not_yet_exempt_claim_writes_the_five_year_date_only():
    v = _visit("4")
    v.five_year_date = date(2019, 5, 1)
    v.copayments = [(datetime(2026, 3, 2, 10, 0, tzinfo=VN), D("1000000"))]
    xml1, _lines = _claim(v)
    assert _money(xml1)[2] == D("138372.1")
    assert xml1.findtext("NGAY_MIEN_CCT") in (None, "")
    assert xml1.findtext("NAM_NAM_LIEN_TUC") == "20190501"


def test_self_referred_central_inpatient_claim_writes_the_reduced_rate():
    # Appendix example: 80 % × 40 % = 32. 691,860.5 × 32 % per line sums to 221,395.36.
    v = _visit("4")
    v.facility_level, v.route, v.visit_type = "central", "self_referred", "03"
    v.admitted_at = v.arrived_at
    xml1, lines = _claim(v)
    assert {r.findtext("MUC_HUONG") for r in lines} == {"32"}
    total, fund, patient = _money(xml1)
    assert fund + patient == total == D("691860.5")
    assert fund == D("221395.36")
