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

from kcb06.audit.models import AuditEntry
from kcb06.audit.services import record_entry
from kcb06.patients.models import Patient
from kcb06.visits.checkin.plan import Plan
from kcb06.visits.checkin.steps import Arrival, Write, new_visit
from kcb06.visits.models import DailyCheckIn, Ticket, Visit
from kcb06.visits.numbers import issue_ticket
from kcb06.visits.numbers import reserve_block as reserve_visit_numbers


def write(a: Arrival, ma_lk: str) -> tuple[Visit, bool]:
    return _OrmWrite(a, ma_lk).run()


__all__ = ["reserve_visit_numbers", "write"]


class _OrmWrite(Write):
    def transaction(self, plan: Plan) -> transaction.Atomic:
        return transaction.atomic()

    def unchanged(self, patient_id: int) -> Patient:
        live = Patient.objects.select_for_update().filter(pk=patient_id, merged_into__isnull=True)
        if not live.values_list("pk", flat=True):
            raise IntegrityError("patient record merged during check-in")
        return self.a.patient

    def insert_visit(self, patient: Patient) -> Visit:
        visit = new_visit(self.a, patient, self.ma_lk)
        visit.save(force_insert=True)
        return visit

    def finish(self, visit: Visit, entry: AuditEntry, plan: Plan) -> Ticket:
        # Today's arbiter row: a racing check-in of the same patient here fails on its unique
        # constraint (IntegrityError: the check-in retries and finds this visit).
        DailyCheckIn.objects.create(
            patient_id=visit.patient_id, department=self.a.dep, day=self.a.day
        )
        record_entry(entry)
        return issue_ticket(visit, self.a.dep, self.a.day)
