"""The BHYT verdict at check-in: asked of kcb06.eligibility, kept on the visit.

The portal is asked outside any database transaction (a slow portal never holds a lock); the
verdict's card, benefit level and outcome are copied onto the visit so the visit shows (and
the claim uses) what the desk saw. A pending (unverified) check answered later updates the
visits that used it (`on_verdict_resolved`).
"""

from __future__ import annotations

from datetime import date

from kcb06.patients import services as mpi
from kcb06.patients.models import IdentifierKind
from kcb06.visits.models import Visit, VisitStatus


def verify(principal, person, patient, known_card=None, audit_cache_hit=True):
    """Ask kcb06.eligibility; returns (verdict dict, verdict object). `known_card`: the
    patient's active BHYT card when the caller has already read it."""
    from kcb06.eligibility.services import check_eligibility

    card = person.card_number
    if not card and patient is not None:
        if known_card is None:
            known_card = mpi.active_value(patient, IdentifierKind.BHYT_CARD)
        card = known_card
    verdict = check_eligibility(
        principal,
        card_number=card or None,
        id_number=person.id_number or None,
        full_name=person.full_name,
        date_of_birth=person.date_of_birth,
        sex=person.sex or None,
        patient_id=patient.pk if patient is not None else None,
        audit_cache_hit=audit_cache_hit,
    )
    return verdict_dict(verdict), verdict


def verdict_dict(verdict) -> dict:
    """The verdict as JSON-ready data (dates as ISO text)."""
    data = verdict.as_dict()
    for key, value in list(data.items()):
        if isinstance(value, date):
            data[key] = value.isoformat()
    card = data.get("card")
    if isinstance(card, dict):
        data["card"] = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in card.items()}
    return data


def apply_verdict(visit: Visit, verdict, detail: dict | None = None) -> None:
    """Copy the verdict onto the visit. `detail`: the verdict's dict when already built."""
    visit.eligibility_outcome = verdict.outcome
    visit.portal_code = (verdict.portal_code or "")[:8]
    visit.eligibility_check_id = verdict.check_id
    visit.eligibility_detail = detail if detail is not None else verdict_dict(verdict)
    card = verdict.card
    visit.uses_bhyt = verdict.outcome == "valid" and card is not None
    if card is not None:
        visit.card_number = (card.card_number or "")[:15]
        visit.card_valid_from = card.valid_from
        visit.card_valid_to = card.valid_to
        visit.ma_dkbd = (card.ma_dkbd or "")[:5]
        visit.benefit_level = (str(card.benefit_level or ""))[:1]


def on_verdict_resolved(sender, check=None, verdict=None, **kwargs) -> None:
    """A pending (unverified) check got its answer: update the visits that used it."""
    if check is None or verdict is None:
        return
    for visit in Visit.objects.filter(eligibility_check_id=check.pk).exclude(
        status=VisitStatus.CANCELLED
    ):
        apply_verdict(visit, verdict)
        visit.eligibility_check_id = check.pk
        visit.save()
