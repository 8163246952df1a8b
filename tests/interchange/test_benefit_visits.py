"""Closing a real BHYT visit writes the benefit engine's figures into its claim: a commune
station pays in full, the registered facility bills the card level, and a patient whose
earlier claim this year crossed 6 months of base salary is exempt (kcb06's own records)."""

from decimal import Decimal

import pytest
from lxml import etree

from kcb06.interchange.mapper import facility_level
from kcb06.visits.models import Visit
from tests.healthbook import factories as f
from tests.interchange.claimhelpers import as_bhyt_visit, close_with_drug

D = Decimal


def _lines(item):
    rows = etree.fromstring(item.tables["XML2"].encode()).findall(".//CHI_TIET_THUOC")
    return {r.findtext("MUC_HUONG") for r in rows}


@pytest.mark.django_db
def test_registered_facility_bills_the_card_level_and_commune_station_pays_in_full(org):
    patient = f.patient()
    # 100 × 5,000 = 500,000 VND (in-scope drugs; the exam line is free): above 379,500.
    xml1, item = close_with_drug(org, as_bhyt_visit(f.visit(patient, "27901")), 100, 5000)
    assert _lines(item) == {"80"}
    assert D(xml1.findtext("T_BNCCT")) == D("100000")  # 500,000 × 20 %
    assert D(xml1.findtext("T_BHTT")) == D("400000")
    assert xml1.findtext("MA_DOITUONG_KCB") == "1.1"
    # The same visit at the demo commune station 27903: 100 %, nothing to co-pay.
    xml1, item = close_with_drug(org, as_bhyt_visit(f.visit(patient, "27903")), 100, 5000)
    assert _lines(item) == {"100"}
    assert D(xml1.findtext("T_BNCCT")) == 0
    assert xml1.findtext("MA_DOITUONG_KCB") == "1.2"


@pytest.mark.django_db
def test_earlier_claim_above_six_months_of_base_salary_exempts_the_next_visit(org):
    patient = f.patient()
    # First visit: 1,000 × 80,000 = 80,000,000 VND at 80 %: co-payment 16,000,000 > 6 months of
    # base salary (15,180,000 from 01/07/2026; 14,040,000 before).
    first, _ = close_with_drug(
        org, as_bhyt_visit(f.visit(patient, "27901"), {"five_year_date": "2019-05-01"}), 1000, 80000
    )
    assert D(first.findtext("T_BNCCT")) == D("16000000")
    assert first.findtext("NAM_NAM_LIEN_TUC") == "20190501"
    # Second visit: 500,000 VND, exempt since the first visit's end (NGAY_RA).
    xml1, item = close_with_drug(
        org, as_bhyt_visit(f.visit(patient, "27901"), {"five_year_date": "2019-05-01"}), 100, 5000
    )
    assert _lines(item) == {"100"}
    assert D(xml1.findtext("T_BNCCT")) == 0
    assert xml1.findtext("NGAY_MIEN_CCT") == first.findtext("NGAY_RA")
    # Without the 5-year date, the same history exempts nobody.
    other = f.patient(name="Lê Văn Chưa Đủ")
    close_with_drug(org, as_bhyt_visit(f.visit(other, "27901")), 1000, 80000)
    xml1, _ = close_with_drug(org, as_bhyt_visit(f.visit(other, "27901")), 100, 5000)
    assert D(xml1.findtext("T_BNCCT")) == D("100000")


def test_facility_level_from_kind_and_former_route_level():
    from kcb06.facilities.models import Facility

    assert facility_level(Facility(kind="tram_y_te")) == "primary"
    assert facility_level(Facility(kind="benh_vien")) == "district"
    assert facility_level(Facility(kind="benh_vien", former_route_level="central")) == "central"


@pytest.mark.parametrize(
    ("kind", "former", "visit_type", "registered", "code"),
    [
        ("tram_y_te", "", "01", False, "1.2"),  # primary level, registered there or not
        ("tram_y_te", "", "01", True, "1.2"),
        ("ttyt", "", "01", True, "1.1"),
        ("ttyt", "", "01", False, "3.3"),  # former district level
        ("benh_vien", "provincial", "03", False, "3.2"),
        ("benh_vien", "provincial", "01", False, "1.18"),
        ("benh_vien", "central", "01", False, "3.1"),
    ],
)
def test_ma_doituong_kcb_follows_the_facility_level(kind, former, visit_type, registered, code):
    from kcb06.facilities.models import Facility
    from kcb06.interchange.mapper import doi_tuong

    facility = Facility(code="27902", kind=kind, former_route_level=former)
    visit = Visit(
        facility=facility,
        uses_bhyt=True,
        ma_dkbd="27902" if registered else "27901",
        visit_type=visit_type,
    )
    assert doi_tuong(visit) == code
