"""The end of a check-in's write: its queued rows, audit entry, queue ticket and the COMMIT,
sent as one.

Two locks are held from their statement to the commit: the department's daily counter (that is
what keeps ticket numbers gap-free) and the head of an audit chain. Sent one by one, each lock
stays held across a round trip and then until this Python thread gets the GIL back, which under
load takes milliseconds while every other check-in at that department queues behind it. On
PostgreSQL the write and the COMMIT go in one pipeline (psycopg), so the server commits
right after the ticket and releases both locks without waiting for us. The check-in's rows
(patient, identifiers, facility link, visit, XML0 outbox row; kcb06.plumbing.rawrows.queued_inserts),
the audit append and the ticket are one statement of common table expressions: one round trip
and one statement for the whole write, instead of one of each per row (each statement had its
own cost in Python and in PostgreSQL: docs/measurements.md#check-in-write-as-one-statement).

Only when the check-in's transaction is the outermost one: inside a caller's transaction (a
test's, or a batch) the statements run as usual and the caller commits.
"""

from django.db import connection

from kcb06.audit.models import AuditEntry
from kcb06.audit.services import appended, pg_append_ctes, record_entry
from kcb06.plumbing import rawrows
from kcb06.visits.models import DailyCheckIn, Ticket, Visit
from kcb06.visits.numbers import issue_ticket, ticket_ctes, ticket_issued


def audit_ticket_and_commit(
    entry: AuditEntry, visit: Visit, dep, day, queued: list | None = None, *, unlocked=False
) -> Ticket:
    """Send the `queued` inserts, today's DailyCheckIn row, append `entry`, issue the visit's
    ticket and commit; call it last in the check-in's `transaction.atomic()` block. Without a
    queue (SQLite, or inside a caller's transaction) the statements go one by one and the
    caller's block commits. `unlocked`: the patient's row was not locked; the statement then
    takes a share lock on it and fails (IntegrityError, nothing written) if the record was
    merged away meanwhile, as it fails when a racing check-in took today's row first."""
    if queued is None:
        rawrows.insert(
            rawrows.new(DailyCheckIn, patient_id=visit.patient_id, department=dep, day=day)
        )
        record_entry(entry)
        return issue_ticket(visit, dep, day)
    # One statement: each queued row, the audit append and the ticket as common table
    # expressions (PostgreSQL runs them all; deferred foreign keys are checked at COMMIT).
    ctes = [(f"row{i}", sql, params) for i, (sql, params) in enumerate(queued)]
    ctes += _arbiter_ctes(visit, dep, day, unlocked)
    ctes += pg_append_ctes(entry, "audit_head", "audit_entry")
    ticket, ticket_parts = ticket_ctes(visit, dep, day, "ticket_counter", "ticket_row")
    ctes += ticket_parts
    sql = (
        "WITH "  # noqa: S608 - statements generated from the models, values as parameters
        + ", ".join(f"{name} AS ({body})" for name, body, _ in ctes)
        + " SELECT audit_entry.seq, audit_entry.prev_hash, audit_entry.hash, ticket_row.id, "
        "ticket_row.number FROM audit_entry, ticket_row"
    )
    params = [value for _, _, values in ctes for value in values]
    pg = connection.connection
    with connection.wrap_database_errors, connection.cursor() as cursor:
        with pg.pipeline():
            cursor.execute(sql, params)
            # The atomic block's own commit then finds nothing left to commit.
            pg.commit()
        row = cursor.fetchone()
    appended(entry, row[:3])
    return ticket_issued(ticket, row[3:])


def _arbiter_ctes(visit: Visit, dep, day, unlocked: bool) -> list:
    """Today's DailyCheckIn row as common table expressions. Unlocked, its patient comes from a
    share lock on the patient's row that holds only while the record is not merged away: one
    merged meanwhile (the merge holds the row lock, and the lock's re-check sees its commit)
    leaves the column NULL, which fails the whole statement."""
    ctes, patient, params = [], "%s", [visit.patient_id, dep.pk, day]
    if unlocked:
        guard = "SELECT id FROM patients_patient WHERE id = %s AND merged_into_id IS NULL FOR SHARE"
        ctes.append(("arbiter_guard", guard, [params.pop(0)]))
        patient = "(SELECT id FROM arbiter_guard)"
    insert = (
        "INSERT INTO visits_dailycheckin (patient_id, department_id, day) "  # noqa: S608
        f"VALUES ({patient}, %s, %s)"
    )
    return [*ctes, ("arbiter", insert, params)]
