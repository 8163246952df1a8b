"""Check-in: one scan → patient, BHYT verdict, visit (MA_LK) and queue ticket.

`check_in` is the one entry point of the reception page, the kiosk and the API. Order matters:
1. parse the scan and resolve the person (read-only);
2. ask the BHXH portal (kcb06.eligibility) with its own deadline — outside any DB transaction,
   so a slow portal never holds a lock;
3. one short write transaction: patient (find or create), identifiers, facility link, visit,
   ticket number, the visit_checked_in signal (outbox row) and the audit row. Any failure rolls
   all of it back: nothing is half-written.

Same patient + same department + same local day returns the existing visit and ticket.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
)

from kcb06.audit.services import Action, record, record_about
from kcb06.errors import DomainError, Forbidden
from kcb06.facilities.models import Role
from kcb06.patients import identity
from kcb06.patients import services as mpi
from kcb06.patients.duplicates import Candidate
from kcb06.patients.models import Patient
from kcb06.plumbing import rawrows
from kcb06.visits import checkin, scan
from kcb06.visits.checkin.steps import Arrival, existing_visit
from kcb06.visits.departments import department_for, ensure_open, local_day
from kcb06.visits.models import Ticket, Visit
from kcb06.visits.numbers import forget_visit_numbers, make_ma_lk, next_visit_number
from kcb06.visits.scan import NeedsDesk, NeedsDetails, needs_desk
from kcb06.visits.serialize import ticket_dict, visit_dict
from kcb06.visits.today import todays_tickets
from kcb06.visits.verdicts import on_verdict_resolved, verify
from kcb06.visits.who import duplicates_decided, who_for, with_verdict_card

log = logging.getLogger(__name__)

CHECK_IN_ROLES = (Role.RECEPTION, Role.FACILITY_ADMIN)
# The kiosk's own account checks in only through the kiosk pages (kcb06.visits.kiosk adds the
# date-of-birth gate for typed numbers), never through the API: its views pass these roles.
KIOSK_CHECK_IN_ROLES = (*CHECK_IN_ROLES, Role.KIOSK)


@dataclass
class CheckInResult:
    patient: Patient
    visit: Visit
    ticket: Ticket
    verdict: dict
    created: bool
    warnings: list[dict] = field(default_factory=list)
    # Where the scan or the clerk differs from the record (kept as it was): for staff to see.
    differences: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "patient": mpi.patient_dict(self.patient),
            "visit": visit_dict(self.visit),
            "eligibility": self.verdict,
            "ticket": ticket_dict(self.ticket),
            "created": self.created,
            "warnings": self.warnings,
            "identity_differences": [d.as_dict() for d in self.differences],
        }


@dataclass
class Preview:
    """What the clerk sees right after the scan, before the ticket is issued (no writes)."""

    kind: str
    person: mpi.PersonData
    patient: Patient | None
    candidates: list[Candidate]
    verdict: dict
    warnings: list[dict]
    existing: list[Visit]
    # Fields where the scan differs from the record of a patient known here, and what of it
    # the check-in will take into the record (a chip QR that agrees on name, DOB and sex).
    differences: list = field(default_factory=list)
    updates: dict = field(default_factory=dict)


# --- preview: what the clerk sees after the scan -----------------------------------------------


def preview(
    scan_text: str,
    operator,
    *,
    confirm: dict | None = None,
    unattended: bool = False,
    roles=CHECK_IN_ROLES,
) -> Preview:
    """Everything the clerk sees after a scan, without writing a visit. A record the facility
    does not know is not shown (see `scan.resolve`). `unattended`: a kiosk; any difference
    between the scan and the record raises NeedsDesk. `roles`: who may (the kiosk views pass
    KIOSK_CHECK_IN_ROLES)."""
    operator.require_role(*roles)
    confirm = confirm or {}
    kind, person, warnings = scan.parse(scan_text)
    person = scan.with_newer_card(person, confirm)
    holder = mpi.find_known(person)
    known = holder is not None and scan.visible(operator, holder) is not None
    presented = scan.with_details(person, holder if known else None, confirm)
    patient, person = scan.resolve(operator, person, holder, known, confirm)
    if patient is not None and patient is holder and not known:
        # It agrees with what was presented, but until the check-in links it here the desk
        # sees what it would see of a stranger.
        patient = None
    differences = identity.differences(patient, person) if patient is not None else []
    if unattended and differences:
        raise needs_desk()
    candidates = [] if patient is not None else scan.scoped_candidates(operator, person)
    verdict, _ = verify(operator, presented, patient)
    existing = _todays_tickets_shown(operator, patient)
    updates = identity.scan_update(patient, person, kind) if patient is not None else {}
    return Preview(
        kind, presented, patient, candidates, verdict, warnings, existing, differences, updates
    )


def _todays_tickets_shown(operator, patient: Patient | None) -> list[Visit]:
    """The patient's tickets of today at the clerk's facility (the read is audited)."""
    if patient is None:
        return []
    existing = list(todays_tickets(local_day(), patient=patient, facility_id=operator.facility_id))
    record_about(
        operator, Action.READ, "patient", patient, "check_in_preview", patient_id=patient.pk
    )
    return existing


# --- check-in -------------------------------------------------------------------------------


def check_in(
    scan_text: str,
    department,
    operator,
    *,
    confirm: dict | None = None,
    reason: str = "",
    unattended: bool = False,
    roles=CHECK_IN_ROLES,
) -> CheckInResult:
    """Check a patient in from one scan. `confirm` carries the clerk's decisions:
    {"full_name", "date_of_birth", "sex"} for an unknown typed number, {"link_patient_id": N}
    to link to a likely duplicate, {"create_new": True} to create despite likely duplicates.
    `unattended`: a kiosk; any difference between the scan and the record raises NeedsDesk.
    The record's name, date of birth, sex and address change only on evidence
    (kcb06.patients.identity). `roles`: who may (the kiosk views pass KIOSK_CHECK_IN_ROLES)."""
    operator.require_role(*roles)
    confirm = confirm or {}
    day = local_day()
    dep = department_for(operator, department, day)
    ensure_open(dep, day)
    kind, person, warnings = scan.parse(scan_text)
    who = who_for(
        operator, dep, day, kind, scan.with_newer_card(person, confirm), confirm, unattended
    )
    if who.visit_id is not None:  # today's ticket here already: the same visit again
        return _result(existing_visit(who.visit_id), created=False, warnings=warnings)
    link_id = duplicates_decided(operator, who, confirm)
    # The clerk's answer to "likely duplicate" (link or create new), audited after the write.
    decided = who.patient is None and (link_id is not None or bool(confirm.get("create_new")))
    # A cached verdict's read is audited in the visit's own entry (see checkin.steps).
    detail, verdict = verify(operator, who.presented, who.patient, who.known_card, False)
    who.person = with_verdict_card(who.person, verdict)
    arrival = Arrival(
        operator=operator,
        dep=dep,
        day=day,
        person=who.person,
        patient=who.patient,
        link_id=link_id,
        verdict=verdict,
        detail=detail,
        reason=reason,
        seen=who.seen_at(dep),
        evidence=who.evidence,
        method=kind,
    )
    visit, created = _write(arrival)
    if created and decided:
        _audit_duplicate_choice(operator, visit, link_id)
    if created:  # a child under 6 or someone 75 or over is called first, from any entry point
        from kcb06.visits.changes import set_priority

        set_priority(operator, visit.ticket, visit.patient)
    result = _result(visit, created=created, warnings=warnings, verdict=detail)
    if who.differences:  # what the record still holds otherwise than the scan or the clerk said
        result.differences = identity.differences(visit.patient, who.person)
    return result


def _write(first: Arrival) -> tuple[Visit, bool]:
    """The write (kcb06.visits.checkin), by the writer chosen once for this check-in, retried
    on a race: a concurrent check-in created this person (ID number constraint) or the same
    visit (today's DailyCheckIn row), or merged the record away; the next attempt looks again
    and writes under the row lock. (Or the MA_LK or a reserved id was taken: the database was
    restored under us.)"""
    writer = checkin.writer()
    arrival = first
    for attempt in range(3):
        try:
            number = next_visit_number(
                arrival.dep.facility_id, arrival.day, writer.reserve_visit_numbers
            )
            ma_lk = make_ma_lk(arrival.dep.facility.code, arrival.day, number)
            return writer.write(arrival, ma_lk)
        except IntegrityError:
            forget_visit_numbers()
            rawrows.forget_reserved_pks()
            if attempt == 2:
                raise
            patient = arrival.patient
            if not arrival.person.claimed_id_number:
                patient = mpi.find_known(arrival.person)
            arrival = replace(arrival, patient=patient, seen=None)
        except (OperationalError, InterfaceError) as exc:
            raise _database_unavailable(exc) from None
    raise AssertionError("unreachable")


def _audit_duplicate_choice(operator, visit: Visit, link_id: int | None) -> None:
    """Who decided that this person is (or is not) one of the likely duplicates shown. Its own
    entry, written right after the check-in's (which commits with the ticket)."""
    record(
        operator,
        Action.UPDATE if link_id is not None else Action.CREATE,
        object_type="patient",
        object_id=visit.patient_id,
        patient_id=visit.patient_id,
        purpose="duplicate_linked" if link_id is not None else "duplicate_new_record",
        detail={"visit": visit.pk, "ma_lk": visit.ma_lk},
    )


def _database_unavailable(exc) -> DomainError:
    log.warning("check-in write failed: database unavailable (%s)", type(exc).__name__)
    try:
        connection.close()
    except DatabaseError:
        pass
    return DomainError(
        "database_unavailable",
        "Mất kết nối cơ sở dữ liệu: chưa ghi nhận lượt tiếp đón này (không có dữ liệu "
        "nào được lưu dở). Hãy quét lại sau ít giây; nếu vẫn lỗi, báo quản trị.",
        "Database unavailable: this check-in was not saved (nothing half-written). "
        "Scan again in a few seconds.",
        status=503,
    )


def _result(visit: Visit, *, created: bool, warnings: list, verdict: dict | None = None):
    return CheckInResult(
        patient=visit.patient,
        visit=visit,
        ticket=visit.ticket,
        verdict=verdict or visit.eligibility_detail or {"outcome": visit.eligibility_outcome},
        created=created,
        warnings=warnings,
    )


def ticket_by_token(principal, token: str) -> Ticket:
    ticket = (
        Ticket.objects.select_related("department", "visit", "visit__patient", "visit__facility")
        .filter(token=token, visit__facility_id=principal.facility_id)
        .first()
    )
    if ticket is None:
        raise DomainError("ticket_not_found", "Không tìm thấy phiếu.", "Ticket not found.", 404)
    return ticket


def visit_for(principal, visit_id: int) -> Visit:
    principal.require_role(*mpi.READ_ROLES)
    visit = (
        Visit.objects.select_related("patient", "department", "facility")
        .filter(pk=visit_id, facility_id__in=principal.patient_data_facility_ids())
        .first()
    )
    if visit is None:
        raise DomainError("visit_not_found", "Không tìm thấy đợt khám.", "Visit not found.", 404)
    record_about(principal, Action.READ, "visit", visit, "visit_lookup")
    return visit


__all__ = [
    "CheckInResult",
    "Forbidden",
    "NeedsDesk",
    "NeedsDetails",
    "Preview",
    "check_in",
    "on_verdict_resolved",
    "preview",
]
