"""The queue: the clinician calls the next number, recalls it or marks it absent; the board
shows per room the number being called. Numbers and rooms only, no personal data."""

from django.db import transaction
from django.utils import timezone

from kcb06.audit.services import record
from kcb06.errors import DomainError
from kcb06.facilities.models import Department, Role
from kcb06.visits.changes import QUEUE_ORDER
from kcb06.visits.departments import local_day
from kcb06.visits.models import Ticket, TicketStatus


def _queue_dep(principal, department_id: int) -> Department:
    principal.require_role(Role.CLINICIAN, Role.RECEPTION, Role.FACILITY_ADMIN)
    dep = Department.objects.filter(pk=department_id, facility_id=principal.facility_id).first()
    if dep is None:
        raise DomainError(
            "department_unknown", "Không có khoa/phòng này.", "No such department.", status=404
        )
    return dep


def _audit_call(principal, action: str, ticket: Ticket) -> None:
    record(
        principal, action, object_type="ticket", object_id=ticket.pk, detail={"n": ticket.number}
    )


def call_next(principal, department_id: int) -> Ticket | None:
    """Call the next waiting number, priority tickets first (kcb06.visits.changes), each group
    by number; the ticket being called before is marked done."""
    dep = _queue_dep(principal, department_id)
    day = local_day()
    with transaction.atomic():
        Ticket.objects.filter(department=dep, day=day, status=TicketStatus.CALLED).update(
            status=TicketStatus.DONE
        )
        ticket = (
            Ticket.objects.select_for_update()
            .filter(department=dep, day=day, status=TicketStatus.WAITING)
            .order_by(*QUEUE_ORDER)
            .first()
        )
        if ticket is None:
            return None
        ticket.status = TicketStatus.CALLED
        ticket.called_at = timezone.now()
        ticket.call_count += 1
        ticket.save(update_fields=["status", "called_at", "call_count"])
        _audit_call(principal, "call", ticket)
    return ticket


def _change_called(principal, department_id: int, action: str, change) -> Ticket | None:
    """Apply `change` to the number being called now (locked), audited; None if none is."""
    dep = _queue_dep(principal, department_id)
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update()
            .filter(department=dep, day=local_day(), status=TicketStatus.CALLED)
            .first()
        )
        if ticket is None:
            return None
        ticket.save(update_fields=change(ticket))
        _audit_call(principal, action, ticket)
    return ticket


def _recalled(ticket: Ticket) -> list[str]:
    ticket.called_at = timezone.now()
    ticket.call_count += 1
    return ["called_at", "call_count"]


def _absent(ticket: Ticket) -> list[str]:
    ticket.status = TicketStatus.ABSENT
    return ["status"]


def recall(principal, department_id: int) -> Ticket | None:
    return _change_called(principal, department_id, "recall", _recalled)


def mark_absent(principal, department_id: int) -> Ticket | None:
    return _change_called(principal, department_id, "absent", _absent)


def board_state(facility_id: int) -> dict:
    """What the waiting-hall screen shows: per room the number being called, and waiting counts."""
    day = local_day()
    rows = []
    for dep in Department.objects.filter(facility_id=facility_id):
        tickets = Ticket.objects.filter(department=dep, day=day)
        called = tickets.filter(status=TicketStatus.CALLED).order_by("-called_at").first()
        rows.append(
            {
                "department": dep.code,
                "name": dep.name,
                "room": dep.room,
                "calling": called.number if called else None,
                "call_seq": (f"{called.pk}-{called.call_count}" if called is not None else ""),
                "calling_priority": bool(called and called.priority),
                "waiting": tickets.filter(status=TicketStatus.WAITING).count(),
                # Numbers only: who is in a priority group is not shown in the hall.
                "priority_waiting": list(
                    tickets.filter(status=TicketStatus.WAITING)
                    .exclude(priority="")
                    .order_by("number")
                    .values_list("number", flat=True)[:10]
                ),
            }
        )
    return {"day": day.isoformat(), "rooms": rows}


def called_now(principal, department_id: int) -> Ticket | None:
    """The number being called now at the department with its visit and patient, for the
    clinician's own screen (the board shows numbers only). Showing the name is a read of
    personal data: audited."""
    dep = _queue_dep(principal, department_id)
    ticket = (
        Ticket.objects.select_related("visit__patient")
        .filter(department=dep, day=local_day(), status=TicketStatus.CALLED)
        .order_by("-called_at")
        .first()
    )
    if ticket is not None:
        record(
            principal,
            "read",
            object_type="clinic_call",
            object_id=ticket.visit_id,
            patient_id=ticket.visit.patient_id,
            purpose="gọi người bệnh vào khám",
        )
    return ticket
