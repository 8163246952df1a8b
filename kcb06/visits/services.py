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

from kcb06 import rawrows
from kcb06.audit.services import Action, record
from kcb06.errors import DomainError, Forbidden
from kcb06.facilities.models import Role
from kcb06.patients import identity
from kcb06.patients import services as mpi
from kcb06.patients.duplicates import Candidate
from kcb06.patients.models import Patient
from kcb06.visits import checkin, scan
from kcb06.visits.checkin.steps import Arrival, existing_visit
from kcb06.visits.departments import department_for, ensure_open, local_day
from kcb06.visits.models import Ticket, Visit
from kcb06.visits.numbers import forget_visit_numbers, make_ma_lk, next_visit_number
from kcb06.visits.scan import NeedsDetails
from kcb06.visits.serialize import ticket_dict, visit_dict
from kcb06.visits.standing import Standing, by_id_number_with_standing, standing
from kcb06.visits.today import todays_tickets
from kcb06.visits.verdicts import on_verdict_resolved, verify

log = logging.getLogger(__name__)

CHECK_IN_ROLES = (Role.RECEPTION, Role.FACILITY_ADMIN)
# The kiosk's own account checks in only through the kiosk pages (kcb06.visits.kiosk adds the
# date-of-birth gate for typed numbers), never through the API: its views pass these roles.
KIOSK_CHECK_IN_ROLES = (*CHECK_IN_ROLES, Role.KIOSK)


class NeedsDesk(DomainError):
    """At an unattended kiosk, what the card says differs from the record: staff must look."""

    status = 409


def _needs_desk() -> NeedsDesk:
    return NeedsDesk(
        "kiosk_needs_desk",
        "Thông tin trên thẻ khác với hồ sơ của bạn tại cơ sở. Mời bạn đến quầy tiếp đón để "
        "nhân viên đối chiếu.",
        "The card differs from your record here: please go to the reception desk.",
    )


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
        raise _needs_desk()
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
    record(
        operator,
        Action.READ,
        object_type="patient",
        object_id=patient.pk,
        patient_id=patient.pk,
        purpose="check_in_preview",
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
    who = _who(operator, dep, day, kind, scan.with_newer_card(person, confirm), confirm, unattended)
    if who.visit_id is not None:  # today's ticket here already: the same visit again
        return _result(existing_visit(who.visit_id), created=False, warnings=warnings)
    link_id = _duplicates_decided(operator, who, confirm)
    # The clerk's answer to "likely duplicate" (link or create new), audited after the write.
    decided = who.patient is None and (link_id is not None or bool(confirm.get("create_new")))
    # A cached verdict's read is audited in the visit's own entry (see checkin.steps).
    detail, verdict = verify(operator, who.presented, who.patient, who.known_card, False)
    who.person = _with_verdict_card(who.person, verdict)
    visit, created = _write(operator, dep, day, who, link_id, verdict, detail, reason, kind)
    if created and decided:
        _audit_duplicate_choice(operator, visit, link_id)
    if created:  # a child under 6 or someone 75 or over is called first, from any entry point
        from kcb06.visits.changes import set_priority

        set_priority(operator, visit.ticket, visit.patient)
    result = _result(visit, created=created, warnings=warnings, verdict=detail)
    if who.differences:  # what the record still holds otherwise than the scan or the clerk said
        result.differences = identity.differences(visit.patient, who.person)
    return result


@dataclass
class _Who:
    """Who a check-in is for, as read before the portal is asked."""

    patient: Patient | None
    person: mpi.PersonData  # as the record will take it
    presented: mpi.PersonData  # as presented (asked of the portal)
    today: Standing | None  # the patient's standing as read
    scope: list  # the facilities whose patient data the operator sees
    evidence: str  # what the scan may bring into the record ("" for nothing)
    known_card: str | None = None
    differences: list = field(default_factory=list)
    visit_id: int | None = None  # today's visit here already


def _who(operator, dep, day, kind, person, confirm, unattended) -> _Who:
    scope = operator.patient_data_facility_ids()
    found = (
        by_id_number_with_standing(person.id_number, scope, dep.pk, day)
        if person.id_number
        else True
    )
    if isinstance(found, tuple):  # a chip-card scan: the holder and its standing at once
        patient, today = found
    else:
        patient = mpi.find_known(person, id_number_unheld=found is False)
        today = standing(patient.pk, scope, dep.pk, day) if patient is not None else None
    # What the scan may bring into the record: only at a staffed desk, and only into a record
    # this facility knew before (whose values its desk could show beside the scan).
    who = _Who(patient, person, person, today, scope, "" if unattended else kind)
    if patient is None:
        who.person = who.presented = scan.with_details(person, None, confirm)
    elif today.visit_id is not None:
        who.visit_id = today.visit_id
    else:
        _resolve_returning(operator, dep, day, who, confirm)
        if unattended and who.differences:
            raise _needs_desk()
    return who


def _resolve_returning(operator, dep, day, who: _Who, confirm) -> None:
    holder, today, person = who.patient, who.today, who.person
    who.presented = scan.with_details(person, holder if today.known else None, confirm)
    who.patient, who.person = scan.resolve(operator, person, holder, today.known, confirm)
    if who.patient is holder:
        if today.known:
            who.known_card = today.card_number
            who.differences = identity.differences(holder, who.person)
        else:
            who.evidence = ""
    elif who.patient is not None:  # this facility's own record of the claimed number
        who.today = standing(who.patient.pk, who.scope, dep.pk, day)
        if who.today.visit_id is not None:
            who.visit_id = who.today.visit_id
            return
        who.differences = identity.differences(who.patient, who.person)


def _duplicates_decided(operator, who: _Who, confirm) -> int | None:
    """A new person's likely duplicates at this facility: the record the clerk chose to link
    to, or None (create new); raises possible_duplicates while the clerk has not chosen."""
    if who.patient is not None:
        return None
    if confirm.get("link_patient_id"):
        link_id = int(confirm["link_patient_id"])
        if link_id not in {c.patient.pk for c in scan.scoped_candidates(operator, who.person)}:
            raise DomainError(
                "link_not_candidate",
                "Hồ sơ được chọn để nối không còn nằm trong danh sách nghi trùng.",
                "The record chosen to link is not a likely duplicate of this person.",
            )
        return link_id
    if confirm.get("create_new"):
        return None
    candidates = scan.scoped_candidates(operator, who.person)
    if candidates and who.person.id_number:
        # The hard key decides, not the clerk: a scan racing this one (a scanner that fires
        # twice) may have just created this very person.
        who.patient, who.today = mpi.find_known(who.person), None
    if candidates and who.patient is None:
        err = DomainError(
            "possible_duplicates",
            "Có hồ sơ có thể là cùng người này. Hãy chọn nối vào hồ sơ cũ hoặc tạo mới.",
            "Likely duplicate records exist: confirm with link_patient_id or create_new=true.",
            status=409,
        )
        err.candidates = [c.as_dict() for c in candidates]
        raise err
    return None


def _with_verdict_card(person: mpi.PersonData, verdict) -> mpi.PersonData:
    """A valid verdict's card and BHXH number join the record's identifiers (not on a record
    that keeps an ID number as claimed only)."""
    if verdict.outcome != "valid" or verdict.card is None or person.claimed_id_number:
        return person
    return replace(
        person,
        card_number=person.card_number or (verdict.card.card_number or ""),
        bhxh_number=person.bhxh_number or (verdict.card.bhxh_number or ""),
    )


def _write(operator, dep, day, who: _Who, link_id, verdict, detail, reason, kind):
    """The write (kcb06.visits.checkin), by the writer chosen once for this check-in, retried
    on a race: a concurrent check-in created this person (ID number constraint) or the same
    visit (today's DailyCheckIn row), or merged the record away; the next attempt looks again
    and writes under the row lock. (Or the MA_LK or a reserved id was taken: the database was
    restored under us.)"""
    writer = checkin.writer()
    # The standing read can stand in for a read under the row lock only when it asked about
    # this facility alone (whether the patient is known here decides the facility link).
    alone = set(who.scope) == {dep.facility_id}
    seen = who.today if who.patient is not None and alone else None
    patient = who.patient
    for attempt in range(3):
        try:
            ma_lk = make_ma_lk(dep.facility.code, day, next_visit_number(dep.facility_id, day))
            arrival = Arrival(
                operator,
                dep,
                day,
                who.person,
                patient,
                link_id,
                verdict,
                detail,
                reason,
                ma_lk,
                seen=seen if attempt == 0 else None,
                evidence=who.evidence,
                method=kind,
            )
            return writer.write(arrival)
        except IntegrityError:
            forget_visit_numbers()
            rawrows.forget_reserved_pks()
            if not who.person.claimed_id_number:
                patient = mpi.find_known(who.person)
            if attempt == 2:
                raise
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
    record(
        principal,
        Action.READ,
        object_type="visit",
        object_id=visit.pk,
        patient_id=visit.patient_id,
        purpose="visit_lookup",
    )
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
