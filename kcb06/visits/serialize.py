"""JSON shapes of visits and tickets, shared by the check-in result and the API."""

from django.utils import timezone

from kcb06.visits.models import Ticket, Visit


def visit_dict(visit: Visit) -> dict:
    return {
        "id": visit.pk,
        "ma_lk": visit.ma_lk,
        "facility": visit.facility.code,
        "department": visit.department.code,
        "arrived_at": timezone.localtime(visit.arrived_at).isoformat(),
        "visit_date": visit.visit_date.isoformat(),
        "visit_type": visit.visit_type,
        "reason": visit.reason,
        "status": visit.status,
        "uses_bhyt": visit.uses_bhyt,
        "eligibility_outcome": visit.eligibility_outcome,
        "eligibility_pending": visit.eligibility_outcome == "unverified",
        "card_valid_from": visit.card_valid_from.isoformat() if visit.card_valid_from else None,
        "card_valid_to": visit.card_valid_to.isoformat() if visit.card_valid_to else None,
        "ma_dkbd": visit.ma_dkbd,
        "benefit_level": visit.benefit_level,
    }


def ticket_dict(ticket: Ticket) -> dict:
    dep = ticket.department
    return {
        "token": ticket.token,
        "number": ticket.number,
        "department": dep.code,
        "department_name": dep.name,
        "room": dep.room,
        "day": ticket.day.isoformat(),
        "issued_at": timezone.localtime(ticket.issued_at).isoformat(),
        "status": ticket.status,
    }
