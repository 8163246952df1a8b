"""The portable writer: the check-in write through Django's ORM, one statement per row.

It is the reference: it runs on SQLite (the embedded default) and on PostgreSQL, and what it
writes for each case of the plan (`plan`) is what the PostgreSQL writer (`pg_writer`) must
write too — the check-in tests run both. It carries the plan out plainly: a returning record
the scan changes nothing in is not changed, but it is still share-checked under a row lock
(SELECT … FOR UPDATE; SQLite serialises writers anyway) so that a record merged away since it
was read fails the write (IntegrityError: the check-in retries and finds the survivor).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from kcb06.audit.services import record_entry
from kcb06.patients.models import Patient
from kcb06.visits.checkin.plan import Case
from kcb06.visits.checkin.steps import (
    Arrival,
    announce,
    change_record,
    existing_visit,
    new_record,
    new_visit,
)
from kcb06.visits.models import DailyCheckIn, Visit
from kcb06.visits.numbers import issue_ticket
from kcb06.visits.numbers import reserve_block as reserve_visit_numbers


def write(a: Arrival) -> tuple[Visit, bool]:
    plan = a.plan()
    if plan.case is Case.RACE:
        return existing_visit(plan.visit_id), False
    with transaction.atomic():
        if plan.case is Case.NEW:
            patient = new_record(a)
        elif plan.case is Case.RETURNING_UNCHANGED:
            _still_a_record(plan.patient_id)
            patient = a.patient
        else:
            patient, plan = change_record(a, plan.patient_id)
            if plan.case is Case.RACE:
                return existing_visit(plan.visit_id), False
        visit = new_visit(a, patient)
        visit.save(force_insert=True)
        entry = announce(a, visit, plan)
        # Today's arbiter row: a racing check-in of the same patient here fails on its unique
        # constraint (IntegrityError: the check-in retries and finds this visit).
        DailyCheckIn.objects.create(patient_id=patient.pk, department=a.dep, day=a.day)
        record_entry(entry)
        visit.ticket = issue_ticket(visit, a.dep, a.day)
    return visit, True


__all__ = ["reserve_visit_numbers", "write"]


def _still_a_record(patient_id: int) -> None:
    live = Patient.objects.select_for_update().filter(pk=patient_id, merged_into__isnull=True)
    if not live.values_list("pk", flat=True):
        raise IntegrityError("patient record merged during check-in")
