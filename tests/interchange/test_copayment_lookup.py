"""BHXH's co-payment lookup through real HTTP against portalsim: the one portal client reads the
year's episodes, fails cleanly on a broken portal (and its breaker opens), and a claim combines
kcb06's own records with what BHXH reports from other facilities for the 5-year exemption."""

import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings

from kcb06.bhxh import client, copayments
from tests.healthbook import factories as f
from tests.interchange.claimhelpers import as_bhyt_visit, close_with_drug

CARD = "HC4272700000000"  # portalsim fixture card: Nguyễn Văn Hợp Lệ Demo, 15/08/1985
NAME = "Nguyễn Văn Hợp Lệ Demo"
DOB = "15/08/1985"


def _earlier_this_year(days: int) -> date:
    today = date.today()
    return max(date(today.year, 1, 1), today - timedelta(days=days))


@pytest.fixture
def sim(portal):
    portal.post("/_control/reset")
    client.reset_breakers()
    client.forget_tokens()
    copayments.forget()
    yield portal
    portal.post("/_control/reset")
    portal.post("/_control/copayments", json={"card_number": CARD, "episodes": []})
    client.reset_breakers()


def _set_episodes(sim, *episodes):
    copayments.forget()
    r = sim.post("/_control/copayments", json={"card_number": CARD, "episodes": list(episodes)})
    assert r.status_code == 200, r.text


def _episode(facility, day: date, amount: int):
    return {
        "maCskcb": facility,
        "ngayVao": day.isoformat(),
        "ngayRa": day.isoformat(),
        "tBNCCT": amount,
    }


def _account(org):
    return client.facility_account(org["facilities"]["27901"])


def _lookup(org, name=NAME):
    return copayments.lookup(
        _account(org),
        ma_the=CARD,
        full_name=name,
        dob_text=DOB,
        deadline=time.monotonic() + 3,
    )


@pytest.mark.django_db
def test_lookup_returns_each_episodes_co_payment_from_the_running_total(org, sim):
    last_year = date(date.today().year - 1, 6, 1)
    _set_episodes(
        sim,
        _episode("01013", _earlier_this_year(20), 3_000_000),
        _episode("24001", _earlier_this_year(10), 2_500_000),
        _episode("01013", last_year, 9_000_000),  # another year: not in this year's answer
    )
    episodes = _lookup(org)
    assert [(e.facility_code, e.copayment, e.running_total) for e in episodes] == [
        ("01013", Decimal(3_000_000), Decimal(3_000_000)),
        ("24001", Decimal(2_500_000), Decimal(5_500_000)),
    ]
    # A name BHXH does not hold for this card: nothing (204), not an error.
    assert _lookup(org, name="Người Khác Hẳn") == []


@pytest.mark.django_db
def test_a_failing_lookup_raises_and_opens_its_own_breaker(org, sim):
    sim.post("/_control/faults", json={"mode": "http500", "endpoints": ["copayment"]})
    for _ in range(settings.KCB06_PORTAL_BREAKER_FAILURES):
        with pytest.raises(client.PortalError) as err:
            _lookup(org)
        assert err.value.kind == "http_error"
    calls = sim.get("/_control/stats").json()["calls"]["copayment"]
    with pytest.raises(client.PortalError) as err:
        _lookup(org)
    assert err.value.kind == "breaker_open"
    assert sim.get("/_control/stats").json()["calls"]["copayment"] == calls  # not asked
    # The card check has its own breaker: check-ins are not stopped by this outage.
    assert not client.breaker(client.portal_base(), "card").is_open


def _card_visit(patient):
    return as_bhyt_visit(
        f.visit(patient, "27901"),
        {"five_year_date": "2019-05-01", "full_name": NAME, "date_of_birth": DOB},
        number=CARD,
    )


@pytest.mark.django_db
def test_co_payments_at_other_facilities_reported_by_bhxh_exempt_the_patient(org, sim):
    crossed = _earlier_this_year(5)
    # 16,000,000 VND at another facility: above 6 months of base salary (15,180,000 at most).
    _set_episodes(sim, _episode("01013", crossed, 16_000_000))
    xml1, _ = close_with_drug(org, _card_visit(f.patient(name=NAME)), 100, 5000)
    assert Decimal(xml1.findtext("T_BNCCT")) == 0
    assert xml1.findtext("MUC_HUONG") in (None, "100")  # XML1 carries no MUC_HUONG in 4750
    assert xml1.findtext("NGAY_MIEN_CCT") == crossed.strftime("%Y%m%d") + "2359"


@pytest.mark.django_db
def test_bhxh_rows_of_this_facility_are_not_counted_twice_and_a_down_portal_falls_back(org, sim):
    # BHXH's row for this facility is kcb06's own claim: not counted from the lookup.
    _set_episodes(sim, _episode("27901", _earlier_this_year(5), 16_000_000))
    xml1, _ = close_with_drug(org, _card_visit(f.patient(name=NAME)), 100, 5000)
    assert Decimal(xml1.findtext("T_BNCCT")) == Decimal(100_000)  # 500,000 × 20 %
    assert not xml1.findtext("NGAY_MIEN_CCT")
    # Portal down: the claim is still built, from kcb06's own records.
    _set_episodes(sim, _episode("01013", _earlier_this_year(5), 16_000_000))
    sim.post("/_control/faults", json={"mode": "http500", "endpoints": ["copayment"]})
    xml1, _ = close_with_drug(org, _card_visit(f.patient(name=NAME + " Hai")), 100, 5000)
    assert Decimal(xml1.findtext("T_BNCCT")) == Decimal(100_000)
