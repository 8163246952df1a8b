"""The end of a check-in's write: its queued rows, audit entry, queue ticket and the COMMIT,
sent as one.

Two locks are held from their statement to the commit: the department's daily counter (that is
what keeps ticket numbers gap-free) and the head of an audit chain. Sent one by one, each lock
stays held across a round trip and then until this Python thread gets the GIL back, which under
load takes milliseconds while every other check-in at that department queues behind it. On
PostgreSQL the two statements and the COMMIT go in one pipeline (psycopg), so the server commits
right after the ticket and releases both locks without waiting for us. The check-in's rows
(patient, identifiers, visit, XML0 outbox row; kcb06.rawrows.queued_inserts) go first in the
same pipeline: one round trip for the whole write instead of one per row.

Only when the check-in's transaction is the outermost one: inside a caller's transaction (a
test's, or a batch) the statements run as usual and the caller commits.
"""

from django.db import connection

from kcb06.audit.models import AuditEntry
from kcb06.audit.services import appended, pg_append, record_entry
from kcb06.visits.models import Ticket, Visit
from kcb06.visits.numbers import issue_ticket, ticket_issued, ticket_statement


def audit_ticket_and_commit(
    entry: AuditEntry, visit: Visit, dep, day, queued: list | None = None
) -> Ticket:
    """Send the `queued` inserts, append `entry`, issue the visit's ticket and commit; call it
    last in the check-in's `transaction.atomic()` block. Without a queue (SQLite, or inside a
    caller's transaction) the statements go one by one and the caller's block commits."""
    if queued is None:
        record_entry(entry)
        return issue_ticket(visit, dep, day)
    audit_sql, audit_params = pg_append(entry)
    ticket, ticket_sql, ticket_params = ticket_statement(visit, dep, day)
    pg = connection.connection
    with connection.wrap_database_errors:
        rows_cursor, audit_cursor, ticket_cursor = (connection.cursor() for _ in range(3))
        try:
            with pg.pipeline():
                for sql, params in queued:
                    rows_cursor.execute(sql, params)
                audit_cursor.execute(audit_sql, audit_params)
                ticket_cursor.execute(ticket_sql, ticket_params)
                # The atomic block's own commit then finds nothing left to commit.
                pg.commit()
            appended(entry, audit_cursor.fetchone())
            return ticket_issued(ticket, ticket_cursor.fetchone())
        finally:
            for cursor in (rows_cursor, audit_cursor, ticket_cursor):
                cursor.close()
