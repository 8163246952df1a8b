"""Helpers the claim tests share: a visit made a BHYT visit with a given card, and a closing
with one drug line of quantity × price whose claim is waiting to be sent."""

from datetime import date

from lxml import etree

from kcb06.healthbook import services
from kcb06.interchange.models import OutboxItem, OutboxKind, OutboxState
from kcb06.visits.models import Visit
from tests.healthbook import factories as f


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
