"""The steps both writers take, in the check-in's transaction: the record (new, or locked and
changed), the visit row, and its announcement (visit_checked_in, the audit entry).

The writers differ only in how the rows reach the database (`orm_writer`: one statement per
row; `pg_writer`: queued and sent whole with the ticket and the COMMIT), not in what is
written: that is decided here and in `plan`.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError
from django.utils import timezone

from kcb06.audit.models import AuditEntry
from kcb06.audit.services import Action, entry_for
from kcb06.patients import services as mpi
from kcb06.patients.models import Patient
from kcb06.visits.checkin.plan import Case, Plan, plan, under_lock
from kcb06.visits.models import Ticket, Visit
from kcb06.visits.signals import visit_checked_in
from kcb06.visits.standing import Standing, lock_with_standing
from kcb06.visits.verdicts import apply_verdict


@dataclass(frozen=True, kw_only=True)
class Arrival:
    """Everything one attempt of the write needs, read and decided before it."""

    operator: object  # kcb06.facilities.services.Principal
    dep: object  # the Department, its facility loaded
    day: date
    person: mpi.PersonData
    patient: Patient | None  # the record as read; None: a new person or `link_id`
    link_id: int | None  # the likely duplicate the clerk chose to link to
    verdict: object  # kcb06.eligibility Verdict
    detail: dict  # the verdict as shown to the clerk
    reason: str
    # The record's standing as read at the check-in's start (first attempt only): lets the
    # write skip the row lock when the scan changes nothing.
    seen: Standing | None = None
    evidence: str = ""  # what was scanned, when the scan may change the record
    method: str = ""  # what was presented (Visit.check_in_method)

    @property
    def record_id(self) -> int | None:
        return self.patient.pk if self.patient is not None else self.link_id

    def plan(self) -> Plan:
        return plan(self.patient, self.record_id, self.person, self.seen, self.evidence)


def new_record(a: Arrival, pk: int | None = None) -> Patient:
    """NEW: the record, its identifiers and its facility link (IntegrityError on a race with
    another check-in creating the same ID number: the caller retries)."""
    patient = mpi.create_with_identifiers(a.person, pk)
    mpi.link_facility(patient, a.dep.facility_id, created=True)
    return patient


def change_record(a: Arrival, record_id: int) -> tuple[Patient, Plan]:
    """RETURNING_CHANGED: lock the record, read its standing under the lock (a racing check-in
    has committed by then), take what the scan brings; the plan as it stands now (RACE when
    that racing check-in made today's visit: the record still takes the card)."""
    patient, held = lock_with_standing(record_id, [a.dep.facility_id], a.dep.pk, a.day)
    if patient.merged_into_id is not None:  # merged away since this check-in read it
        raise IntegrityError("patient record merged during check-in")
    mpi.refresh_from_scan(patient, a.person, a.evidence, a.operator)
    changed = mpi.record_identifiers(patient, a.person, held=held.identifiers)
    mpi.link_facility(patient, a.dep.facility_id, known=held.known)
    return patient, under_lock(record_id, held, changed)


def new_visit(a: Arrival, patient: Patient, ma_lk: str, make=Visit, pk: int | None = None) -> Visit:
    """The visit row, not yet saved; `make`: Visit, or a constructor taking the same fields."""
    visit = make(
        pk=pk,
        ma_lk=ma_lk,
        facility=a.dep.facility,
        patient=patient,
        department=a.dep,
        arrived_at=timezone.now(),
        visit_date=a.day,
        visit_type="01",
        check_in_method=a.method,
        reason=(a.reason or "")[:1024],
        created_by=a.operator.user,
    )
    apply_verdict(visit, a.verdict, a.detail)
    return visit


def announce(a: Arrival, visit: Visit, plan: Plan) -> AuditEntry:
    """Tell the listeners (interchange writes XML0's outbox row in this transaction) and
    build the visit's audit entry, which the writer appends with the ticket."""
    # A visit created this instant has no closure: say so, so building XML0 asks no query.
    Visit.closure.related.set_cached_value(visit, None)
    visit_checked_in.send(
        sender=Visit, visit=visit, principal=a.operator, fresh=True, identifiers=plan.identifiers
    )
    detail = {"ma_lk": visit.ma_lk, "department": a.dep.code}
    if a.verdict.from_cache:
        # The BHYT verdict read from today's cache for this check-in (not audited apart).
        detail["eligibility_check"] = a.verdict.check_id
        detail["eligibility"] = {"outcome": a.verdict.outcome, "portal_code": a.verdict.portal_code}
    return entry_for(
        a.operator,
        Action.CREATE,
        object_type="visit",
        object_id=visit.pk,
        patient_id=visit.patient_id,
        purpose="check_in",
        detail=detail,
    )


def existing_visit(visit_id: int) -> Visit:
    """RACE: today's visit as the check-in answers it."""
    return (
        Visit.objects.filter(pk=visit_id)
        .select_related("ticket__department", "department", "facility", "patient")
        .get()
    )


class Write:
    """One attempt of the check-in write. What is written, case by case, is decided here once
    for both writers, so they cannot drift apart; a writer's subclass says only how the rows
    reach the database (its transaction, the unchanged record's guard, the visit's insert, and
    the finish: today's DailyCheckIn row, the audit append and the ticket)."""

    patient_pk: int | None = None  # a NEW record's primary key, when taken ahead

    def __init__(self, a: Arrival, ma_lk: str) -> None:
        self.a = a
        self.ma_lk = ma_lk  # this attempt's (a retry takes a new number)

    def run(self) -> tuple[Visit, bool]:
        """The visit and whether this attempt created it (False: today's visit was there)."""
        a, plan = self.a, self.a.plan()
        if plan.case is Case.RACE:
            return existing_visit(plan.visit_id), False
        with self.transaction(plan):
            if plan.case is Case.NEW:
                patient = new_record(a, self.patient_pk)
            elif plan.case is Case.RETURNING_UNCHANGED:
                patient = self.unchanged(plan.patient_id)
            else:
                patient, plan = change_record(a, plan.patient_id)
                if plan.case is Case.RACE:
                    return existing_visit(plan.visit_id), False
            visit = self.insert_visit(patient)
            visit.ticket = self.finish(visit, announce(a, visit, plan), plan)
        return visit, True

    def transaction(self, plan: Plan) -> AbstractContextManager:
        raise NotImplementedError

    def unchanged(self, patient_id: int) -> Patient:
        """RETURNING_UNCHANGED: the record as read, guarded against a merge meanwhile."""
        raise NotImplementedError

    def insert_visit(self, patient: Patient) -> Visit:
        raise NotImplementedError

    def finish(self, visit: Visit, entry: AuditEntry, plan: Plan) -> Ticket:
        raise NotImplementedError
