"""Helpers the claim tests share: a visit made a BHYT visit with a given card, a closing with
one drug line of quantity × price whose claim is waiting to be sent, and a referred visit of a
given day (its XML13 and XML14 differ between the regulation versions)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from lxml import etree

from kcb06.healthbook import services
from kcb06.interchange.core.data import Referral, VisitData
from kcb06.interchange.core.samples import outpatient_visit
from kcb06.interchange.models import OutboxItem, OutboxKind, OutboxState
from kcb06.visits.models import Visit
from tests.healthbook import factories as f

# The closing form of a visit transferred to 27001 (XML13 differs between the versions).
TRANSFER = {
    **f.CLOSE,
    "discharge_type": "2",
    "referral_to": "27001",
    "referral_transport": "Xe cứu thương của trạm",
    "referral_condition": "Tỉnh, sốt 39 độ, mạch 100",
}


def as_bhyt_visit(visit, card: dict | None = None, number="DN4271234567890", **detail):
    """The visit as if the card check had answered "valid" for a level-4 card registered at
    27901 (card: the check's card fields, e.g. five_year_date)."""
    Visit.objects.filter(pk=visit.pk).update(
        uses_bhyt=True,
        card_number=number,
        card_valid_from=date(2026, 1, 1),
        card_valid_to=date(2030, 12, 31),
        ma_dkbd="27901",
        benefit_level="4",
        eligibility_outcome="valid",
        eligibility_detail={"card": card, **detail} if card else dict(detail),
    )
    visit.refresh_from_db()
    return visit


def close_with_drug(org, visit, quantity, price):
    """Close with one drug line of quantity × price (in BHYT scope), picked from the facility's
    drug catalogue: (XML1, outbox row)."""
    clinician = f.principal_for_user(f.clinician_at(org, visit.facility.code))
    data = dict(f.CLOSE, weight_kg="58.5")
    row = f.catalogue_drug(visit.facility.code, price=str(price))
    data["prescriptions"] = [
        dict(
            f.CLOSE["prescriptions"][0],
            drug_code="",
            catalogue_id=str(row.pk),
            quantity=str(quantity),
        )
    ]
    services.close_visit(clinician, visit, data)
    item = OutboxItem.objects.filter(visit=visit, kind=OutboxKind.CLAIM).latest("pk")
    assert item.state == OutboxState.WAITING, item.errors
    return etree.fromstring(item.tables["XML1"].encode()), item


def referred_visit(day: date, ma_lk: str = "27901.20261123.000001") -> VisitData:
    """An outpatient visit of `day`, transferred to 27001 with a follow-up a week later."""
    start = datetime(day.year, day.month, day.day, 8, 5, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    v = outpatient_visit(ma_lk, start=start)
    v.card_from, v.card_to = date(day.year, 1, 1), date(day.year, 12, 31)
    v.discharge_type = "2"
    v.referral = Referral(
        to_facility="27001", number="CT-1", transport="Xe cứu thương", condition="Tỉnh táo"
    )
    v.follow_up = day + timedelta(days=7)
    return v
