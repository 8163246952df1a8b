"""The PostgreSQL writer: the whole check-in write in one statement, sent with its COMMIT.

Why: two locks are held from their statement to the commit — the department's daily ticket
counter (that is what keeps ticket numbers gap-free) and the head of the facility's audit
chain. Sent one by one, each lock stays held across a round trip and then until this Python
thread gets the GIL back, which under load takes milliseconds while every other check-in at
that department queues behind it. Here the check-in's rows (patient, identifiers, facility
link, visit, XML0 outbox row; kcb06.plumbing.rawrows.queued_inserts), today's DailyCheckIn row, the
audit append and the ticket are one statement of common table expressions, and when the
check-in's transaction is the outermost one the COMMIT goes in the same psycopg pipeline: the
server commits right after the ticket and releases both locks without waiting for us. Inside
a caller's transaction (a test's, a batch's) the same statement runs and the caller commits.

Primary keys are taken ahead from this process's reserve (rawrows.reserve_pks), so the rows
can name each other before any of them reaches the server. What is written is the portable
writer's (`orm_writer`), case by case (`plan`); the tests run both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from functools import cache

from django.db import DatabaseError, connection, transaction

from kcb06.audit.models import AuditEntry
from kcb06.audit.services import appended, pg_append_ctes
from kcb06.patients.models import Patient
from kcb06.patients.queries import unmerged_share_lock_sql
from kcb06.plumbing import rawrows
from kcb06.visits.checkin.plan import Case, Plan
from kcb06.visits.checkin.steps import Arrival, Write, new_visit
from kcb06.visits.models import DailyCheckIn, DailyCounter, Ticket, Visit
from kcb06.visits.numbers import ticket_ctes, ticket_issued


def write(a: Arrival, ma_lk: str) -> tuple[Visit, bool]:
    return _PgWrite(a, ma_lk).run()


class _PgWrite(Write):
    visit_pk: int
    queued: list

    @contextmanager
    def transaction(self, plan: Plan) -> Iterator[None]:
        if plan.case is Case.NEW:
            self.patient_pk, self.visit_pk = rawrows.reserve_pks(Patient, Visit)
        else:
            (self.visit_pk,) = rawrows.reserve_pks(Visit)
        with transaction.atomic(), rawrows.queued_inserts() as self.queued:
            yield

    def unchanged(self, patient_id: int) -> Patient:
        return self.a.patient  # no lock: the statement's guard (see _arbiter_ctes)

    def insert_visit(self, patient: Patient) -> Visit:
        visit = new_visit(self.a, patient, self.ma_lk, make=_new_visit, pk=self.visit_pk)
        rawrows.insert(visit)
        return visit

    def finish(self, visit: Visit, entry: AuditEntry, plan: Plan) -> Ticket:
        unlocked = plan.case is Case.RETURNING_UNCHANGED
        return _send(self.queued, entry, visit, self.a, unlocked=unlocked)


def _new_visit(**values) -> Visit:
    return rawrows.new(Visit, **values)


def _send(queued: list, entry: AuditEntry, visit: Visit, a: Arrival, *, unlocked: bool) -> Ticket:
    """The queued rows, today's DailyCheckIn row, the audit append and the ticket as one
    statement (deferred foreign keys are checked at COMMIT), with the COMMIT when outermost."""
    ctes = [(f"row{i}", sql, params) for i, (sql, params) in enumerate(queued)]
    ctes += _arbiter_ctes(visit, a, unlocked)
    ctes += pg_append_ctes(entry, "audit_head", "audit_entry")
    ticket, ticket_parts = ticket_ctes(visit, a.dep, a.day, "ticket_counter", "ticket_row")
    ctes += ticket_parts
    sql = (
        "WITH "  # noqa: S608 - statements generated from the models, values as parameters
        + ", ".join(f"{name} AS ({body})" for name, body, _ in ctes)
        + " SELECT audit_entry.seq, audit_entry.prev_hash, audit_entry.hash, ticket_row.id, "
        "ticket_row.number FROM audit_entry, ticket_row"
    )
    params = [value for _, _, values in ctes for value in values]
    outermost = len(connection.atomic_blocks) == 1
    with connection.wrap_database_errors, connection.cursor() as cursor:
        if outermost:
            pg = connection.connection
            with pg.pipeline():
                cursor.execute(sql, params)
                pg.commit()  # the atomic block's own commit then finds nothing left to commit
        else:
            cursor.execute(sql, params)
        row = cursor.fetchone()
    appended(entry, row[:3])
    return ticket_issued(ticket, row[3:])


def _arbiter_ctes(visit: Visit, a: Arrival, unlocked: bool) -> list:
    """Today's DailyCheckIn row. Unlocked, its patient comes from a share lock on the
    patient's row that holds only while the record is not merged away: one merged meanwhile
    (the merge holds the row lock, and the lock's re-check sees its commit) leaves the column
    NULL, which fails the whole statement (IntegrityError: the check-in retries)."""
    ctes, patient, params = [], "%s", [visit.patient_id, a.dep.pk, a.day]
    if unlocked:
        ctes.append(("arbiter_guard", unmerged_share_lock_sql(), [params.pop(0)]))
        patient = "(SELECT id FROM arbiter_guard)"
    return [*ctes, ("arbiter", _arbiter_insert_sql(patient), params)]


@cache  # the text depends only on the model and the patient's SQL
def _arbiter_insert_sql(patient: str) -> str:
    meta = DailyCheckIn._meta
    columns = ", ".join(meta.get_field(f).column for f in ("patient", "department", "day"))
    return f"INSERT INTO {meta.db_table} ({columns}) VALUES ({patient}, %s, %s)"  # noqa: S608


def reserve_visit_numbers(facility_id: int, day: date, count: int) -> int:
    """Add `count` to the facility's day counter and answer the new last number, in a short
    transaction of its own. On PostgreSQL it commits without an fsync wait: a visit that uses
    a number commits durably later, which flushes the WAL past this record too; if the server
    dies before then, no number of the block was used by anything that survived. It is one
    round trip there (four statements in one simple-protocol message; the values are ints and
    a date, written in by us). (kcb06.visits.numbers.next_visit_number calls it.)"""
    table = DailyCounter._meta.db_table
    sql = (
        "BEGIN; SET LOCAL synchronous_commit TO OFF; "  # noqa: S608 - ints and a date
        f"INSERT INTO {table} (scope, day, last) "
        f"VALUES ('visit:{int(facility_id)}', DATE '{day.isoformat()}', {int(count)}) "
        f"ON CONFLICT (scope, day) DO UPDATE SET last = {table}.last + {int(count)} "
        "RETURNING last; COMMIT"
    )
    with connection.cursor() as cursor:
        try:
            cursor.execute(sql)
            while cursor.description is None:
                cursor.nextset()
            return cursor.fetchone()[0]
        except DatabaseError:
            # The server may be left inside the failed BEGIN: start clean next time.
            connection.close()
            raise
