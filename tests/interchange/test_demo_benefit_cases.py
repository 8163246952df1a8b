"""The demo's BHYT visits, one per benefit case, recomputed by hand: card levels 1–5 above 15 %
of the base salary, a visit below it, the commune station, and a patient exempt from co-payment
after an earlier large co-payment this year. Each claim verifies (no errors on its outbox row)
and passes portalsim's rules. The arithmetic is written out here (QĐ 4750 Bảng 2/3: THANH_TIEN
= SO_LUONG × DON_GIA, T_BHTT per line = THANH_TIEN_BH × MUC_HUONG / 100 rounded to 2 decimals,
T_BNCCT the rest), not taken from the benefit engine."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from lxml import etree

from portalsim.receiving import rules

D = Decimal
# NĐ 146/2018 Đ14 k1 d / Luật BHYT Đ22 (docs/specs/benefit.md): the fund's share by the card's
# benefit level (3rd character of the card number).
LEVEL_PERCENT = {"1": 100, "2": 100, "3": 95, "4": 80, "5": 100}


def base_salary(day: date) -> int:
    # NĐ 73/2024 from 01/07/2024; NĐ 161/2026 from 01/07/2026.
    return 2_530_000 if day >= date(2026, 7, 1) else 2_340_000


def cents(value: Decimal) -> Decimal:
    return value.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def lines(tables) -> list[tuple[Decimal, Decimal, str, str]]:
    """(SO_LUONG, DON_GIA, MUC_HUONG, PHAM_VI) of every drug and service line."""
    out = []
    for table, line, price in (
        ("XML2", "CHI_TIET_THUOC", "DON_GIA"),
        ("XML3", "CHI_TIET_DVKT", "DON_GIA_BH"),
    ):
        for row in etree.fromstring(tables[table].encode()).iter(line):
            quantity, unit = D(row.findtext("SO_LUONG")), D(row.findtext(price))
            out.append((quantity, unit, row.findtext("MUC_HUONG"), row.findtext("PHAM_VI")))
    return out


def claim(ma_lk: str):
    from kcb06.interchange.models import OutboxItem, OutboxKind, OutboxState

    return (
        OutboxItem.objects.filter(kind=OutboxKind.CLAIM, visit__ma_lk=ma_lk)
        .exclude(state=OutboxState.SUPERSEDED)
        .latest("pk")
    )


def expected_percent(case: str, level: str, total: Decimal, day: date) -> int:
    if case in {"commune_station", "exempt"}:
        return 100  # primary level (NĐ 146/2018 Đ14 k1 c); co-payment exemption (Đ22 k1 c)
    if total < D(base_salary(day)) * 15 / 100:
        return 100  # below 15 % of the base salary on the visit's day
    return LEVEL_PERCENT[level]


CASES = ["level1", "level2", "level3", "level4", "level5", "low_cost", "commune_station", "exempt"]


@pytest.mark.django_db
def test_demo_bhyt_visits_recomputed_by_hand(tmp_path, settings):
    from kcb06.demo import seed_all

    settings.DATA_DIR = tmp_path
    settings.KCB06_PORTAL_COPAYMENT_LOOKUP = False
    cases = seed_all()["healthbook"]["bhyt_cases"]
    assert set(CASES) <= set(cases)
    seen = {}
    for case in [*CASES, "exempt_before"]:
        item = claim(cases[case])
        assert item.errors in ([], None, {}), (case, item.errors)  # verifies
        tables = {k: etree.fromstring(v.encode()) for k, v in item.tables.items()}
        assert rules.check(tables, item.facility.code) == [], case  # portalsim accepts it
        xml1 = tables["XML1"]
        card = xml1.findtext("MA_THE_BHYT")
        assert card == item.visit.card_number and len(card) == 15
        day = item.visit.visit_date
        rows = lines(item.tables)
        assert len(rows) >= 2  # a catalogue drug and the examination
        assert all(scope == "1" for *_, scope in rows)  # all within BHYT scope
        total = sum((cents(q * p) for q, p, *_ in rows), D(0))
        percent = expected_percent(case, card[2], total, day)
        assert {m for _, _, m, _ in rows} == {str(percent)}, case  # MUC_HUONG
        fund = sum((cents(cents(q * p) * percent / 100) for q, p, *_ in rows), D(0))
        assert D(xml1.findtext("T_TONGCHI_BV")) == total, case
        assert D(xml1.findtext("T_TONGCHI_BH")) == total, case
        assert D(xml1.findtext("T_BHTT")) == fund, case
        assert D(xml1.findtext("T_BNCCT")) == total - fund, case
        assert D(xml1.findtext("T_BNTT")) == 0, case
        seen[case] = (total, percent, xml1)
    threshold = D(base_salary(date.today())) * 15 / 100
    # Levels 1–5 and the commune station are above 15 % of the base salary; low_cost below.
    for case in ("level1", "level2", "level3", "level4", "level5", "commune_station", "exempt"):
        assert seen[case][0] >= threshold, case
    assert seen["low_cost"][0] < threshold and seen["low_cost"][1] == 100
    assert [seen[f"level{n}"][1] for n in range(1, 6)] == [100, 100, 95, 80, 100]
    assert seen["commune_station"][2].findtext("MA_CSKCB") == "27903"
    # The exempt patient: the earlier visit's co-payment is above 6 months of base salary, and
    # the exemption runs from that visit's end.
    before_total, _, before = seen["exempt_before"]
    assert D(before.findtext("T_BNCCT")) == before_total * 20 / 100
    assert D(before.findtext("T_BNCCT")) > 6 * base_salary(date.today())
    exempt = seen["exempt"][2]
    assert exempt.findtext("NAM_NAM_LIEN_TUC") == "20190501"
    assert exempt.findtext("NGAY_MIEN_CCT") == before.findtext("NGAY_RA")
    assert D(exempt.findtext("T_BNCCT")) == 0


@pytest.mark.django_db
def test_demo_keeps_a_non_bhyt_visit(tmp_path, settings):
    from kcb06.demo import seed_all
    from kcb06.visits.models import Visit

    settings.DATA_DIR = tmp_path
    settings.KCB06_PORTAL_COPAYMENT_LOOKUP = False
    ids = seed_all()["healthbook"]["closed_visit_ids"]
    plain = Visit.objects.filter(pk__in=ids, uses_bhyt=False)
    assert plain.exists()
    xml1 = etree.fromstring(claim(plain.first().ma_lk).tables["XML1"].encode())
    assert D(xml1.findtext("T_BHTT")) == 0
    assert D(xml1.findtext("T_BNTT")) == D(xml1.findtext("T_TONGCHI_BV")) > 0
