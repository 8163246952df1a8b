"""After the ticket: today's check-ins of the desk, cancelling a visit, sending it to another
department, and the priority of a ticket. Each change is audited in its own transaction.

Ticket numbers are never given twice: a cancelled visit keeps its ticket (status cancelled,
out of the queue), and a visit moved to another department gets that department's next
number while its old number stays unused. The department's counter never goes back.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When

from kcb06.audit.services import Action, record, record_about
from kcb06.errors import DomainError, NotFound
from kcb06.facilities.models import Role
from kcb06.visits.departments import department_for, ensure_open, local_day
from kcb06.visits.models import (
    DailyCheckIn,
    Priority,
    Ticket,
    TicketStatus,
    Visit,
    VisitStatus,
)
from kcb06.visits.numbers import bump_counter

DESK_ROLES = (Role.RECEPTION, Role.FACILITY_ADMIN)


def todays_check_ins(principal, text: str = "") -> list[Visit]:
    """Today's visits with a ticket at the principal's facility, newest first; `text` keeps
    those whose ticket number is it or whose name contains it (diacritics optional). The list
    shows names: the read is audited."""
    from kcb06.patients.names import name_key

    principal.require_role(*DESK_ROLES)
    qs = (
        Visit.objects.filter(
            facility_id=principal.facility_id, visit_date=local_day(), ticket__isnull=False
        )
        .select_related("patient", "department", "ticket")
        .order_by("-pk")
    )
    text = (text or "").strip()
    if text.isdigit():
        qs = qs.filter(ticket__number=int(text))
    elif text:
        for word in name_key(text).split():
            qs = qs.filter(patient__name_key__contains=word)
    rows = list(qs[:200])
    record(
        principal,
        Action.READ,
        object_type="visit_list",
        purpose="todays_check_ins",
        detail={"visits": [v.pk for v in rows]},
    )
    return rows


def _todays_visit(principal, visit_id: int, *, lock: bool = False) -> Visit:
    principal.require_role(*DESK_ROLES)
    qs = Visit.objects.select_related("patient", "department", "ticket", "facility")
    if lock:
        qs = qs.select_for_update(of=("self",))
    visit = qs.filter(
        pk=visit_id, facility_id=principal.facility_id, visit_date=local_day()
    ).first()
    if visit is None:
        raise NotFound(
            "visit_not_found",
            "Không tìm thấy lượt tiếp đón hôm nay này ở cơ sở của bạn.",
            "No such visit of today at your facility.",
        )
    return visit


def todays_visit(principal, visit_id: int) -> Visit:
    """One of today's visits of the principal's facility, to show with its actions (audited)."""
    visit = _todays_visit(principal, visit_id)
    record_about(principal, Action.READ, "visit", visit, "todays_check_ins")
    return visit


def _still_waiting(visit: Visit, what_vi: str, what_en: str) -> None:
    if visit.status == VisitStatus.CANCELLED:
        raise DomainError(
            "visit_cancelled", "Lượt tiếp đón này đã bị hủy.", "The visit was cancelled.", 409
        )
    if visit.status != VisitStatus.OPEN or visit.ticket.status not in (
        TicketStatus.WAITING,
        TicketStatus.ABSENT,
    ):
        raise DomainError(
            "visit_in_progress",
            f"Người bệnh đã được gọi vào khám: không thể {what_vi}.",
            f"The patient has been called in: cannot {what_en}.",
            409,
        )


def cancel_visit(principal, visit_id: int, reason: str) -> Visit:
    """Cancel a visit of today that has not been called in: the visit and its ticket become
    cancelled (the number is not given again), today's DailyCheckIn row goes, so the person
    can be checked in at that department again (a new visit and a new number)."""
    reason = " ".join((reason or "").split())[:255]
    with transaction.atomic():
        visit = _todays_visit(principal, visit_id, lock=True)
        _still_waiting(visit, "hủy", "cancel")
        if not reason:
            raise DomainError(
                "reason_required", "Hãy ghi lý do hủy.", "A reason for cancelling is required."
            )
        visit.save(update_fields=visit.cancel(reason))
        Ticket.objects.filter(pk=visit.ticket.pk).update(status=TicketStatus.CANCELLED)
        visit.ticket.status = TicketStatus.CANCELLED
        DailyCheckIn.objects.filter(
            patient_id=visit.patient_id, department_id=visit.department_id, day=visit.visit_date
        ).delete()
        record_about(
            principal,
            Action.UPDATE,
            "visit",
            visit,
            "cancel_visit",
            detail={
                "ma_lk": visit.ma_lk,
                "department": visit.department.code,
                "ticket": visit.ticket.number,
                "reason": reason,
            },
        )
    return visit


def change_department(principal, visit_id: int, department_code: str) -> Visit:
    """Send a waiting visit to another department: the new department's next number (the old
    number stays unused), the same ticket token, so the reprinted ticket is the new one."""
    day = local_day()
    new = department_for(principal, department_code, day)
    ensure_open(new, day)
    with transaction.atomic():
        visit = _todays_visit(principal, visit_id, lock=True)
        _still_waiting(visit, "đổi khoa", "change department")
        old = visit.department
        if old.pk == new.pk:
            raise DomainError(
                "same_department",
                f"Người bệnh đã ở {new.name}.",
                "The visit is already at that department.",
            )
        if DailyCheckIn.objects.filter(
            patient_id=visit.patient_id, department=new, day=visit.visit_date
        ).exists():
            raise DomainError(
                "already_checked_in",
                f"Người bệnh đã có số hôm nay ở {new.name}.",
                "The patient already has a ticket there today.",
                409,
            )
        DailyCheckIn.objects.filter(
            patient_id=visit.patient_id, department=old, day=visit.visit_date
        ).update(department=new)
        ticket = visit.ticket
        old_number = ticket.number
        ticket.number = bump_counter(f"ticket:{new.pk}", ticket.day)
        ticket.department = new
        ticket.status = TicketStatus.WAITING
        ticket.save(update_fields=["number", "department", "status"])
        visit.department = new
        visit.save(update_fields=["department", "updated_at"])
        record_about(
            principal,
            Action.UPDATE,
            "visit",
            visit,
            "change_department",
            detail={
                "ma_lk": visit.ma_lk,
                "from": old.code,
                "to": new.code,
                "ticket_from": old_number,
                "ticket_to": ticket.number,
            },
        )
    return visit


# --- priority -----------------------------------------------------------------------------


def age_priority(born: date | None, on: date) -> str:
    """The priority a date of birth gives by itself: under 6, or 75 and over."""
    if born is None:
        return ""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if age < 6:
        return Priority.CHILD_UNDER_6
    if age >= 75:
        return Priority.ELDERLY_75
    return ""


def set_priority(principal, ticket: Ticket, patient, chosen: str = "") -> str:
    """Give a just-issued ticket its priority: the clerk's choice (`chosen`, a Priority value)
    or else the one the patient's age gives. Audited when there is one. Only staff at the desk
    choose a group; the age rule applies to every check-in, the kiosk's included."""
    chosen = chosen if chosen in Priority.values else ""
    if chosen:
        principal.require_role(*DESK_ROLES)
    priority = chosen or age_priority(patient.date_of_birth, ticket.day)
    if priority and ticket.priority != priority:
        Ticket.objects.filter(pk=ticket.pk).update(priority=priority)
        ticket.priority = priority
        record_about(
            principal,
            Action.UPDATE,
            "ticket",
            ticket,
            "ticket_priority",
            patient_id=patient.pk,
            detail={"priority": priority, "n": ticket.number},
        )
    return ticket.priority


# The queue's order: priority tickets first, each group by number.
QUEUE_ORDER = (
    Case(When(priority="", then=Value(1)), default=Value(0), output_field=IntegerField()),
    "number",
)
