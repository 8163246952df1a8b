"""Numbers of the check-in: MA_LK (unique per facility and day) and queue tickets (gap-free
per department and day), both from daily counter rows (DailyCounter).

MA_LK's number is taken in a short transaction of its own, before the check-in's write; the
ticket's number is the write's last statement, because its counter row stays locked until
commit and every other check-in at that department waits for it.
"""

import secrets
from datetime import date

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from kcb06 import rawrows
from kcb06.visits.models import DailyCounter, Ticket, Visit


def bump_counter(scope: str, day: date) -> int:
    """Next number of a daily counter, race-free: the upsert takes the row lock until commit."""
    table = DailyCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (scope, day, last) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (scope, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [scope, day],
        )
        return cursor.fetchone()[0]


def next_visit_number(facility_id: int, day: date) -> int:
    """MA_LK's daily number, in a short transaction of its own: MA_LK must be unique, not
    gap-free, so its counter row is not held locked for the whole check-in (ticket numbers
    are). On PostgreSQL the transaction commits without an fsync wait: a visit that uses the
    number commits durably later, which flushes the WAL past this record too; if the server
    dies before then, the number was never used by anything that survived. It is one round
    trip there (four statements in one simple-protocol message; the values are an int and a
    date, written in by us)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        with transaction.atomic():
            return bump_counter(f"visit:{int(facility_id)}", day)
    table = DailyCounter._meta.db_table
    sql = (
        "BEGIN; SET LOCAL synchronous_commit TO OFF; "  # noqa: S608 - an int and a date
        f"INSERT INTO {table} (scope, day, last) "
        f"VALUES ('visit:{int(facility_id)}', DATE '{day.isoformat()}', 1) "
        f"ON CONFLICT (scope, day) DO UPDATE SET last = {table}.last + 1 RETURNING last; "
        "COMMIT"
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


def make_ma_lk(facility_code: str, day: date, n: int) -> str:
    """MA_LK = MA_CSKCB (5) + local date YYYYMMDD + 6-digit daily sequence, e.g.
    '2790120261123000042': unique per facility and day, stable, 19 ≤ 100 characters."""
    return f"{facility_code}{day:%Y%m%d}{n:06d}"


def issue_ticket(visit: Visit, dep, day: date) -> Ticket:
    """The queue number and its ticket row, as the check-in's last statement. The department's
    counter row stays locked until commit (that is what keeps numbers gap-free), so every other
    check-in at this department waits from here to the commit: on PostgreSQL the number and the
    row are one statement, leaving only the commit inside the wait."""
    ticket = Ticket(visit=visit, department=dep, day=day, number=0, token=secrets.token_urlsafe(12))
    if connection.vendor != "postgresql":  # SQLite serialises all writers anyway
        ticket.number = bump_counter(f"ticket:{dep.pk}", day)
        rawrows.insert(ticket)
        return ticket
    ticket.issued_at = timezone.now()
    counters = DailyCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH n AS (INSERT INTO {counters} (scope, day, last) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (scope, day) DO UPDATE SET last = {counters}.last + 1 RETURNING last) "
            "INSERT INTO visits_ticket (visit_id, department_id, day, number, token, status, "
            "issued_at, called_at, call_count) "
            "SELECT %s, %s, %s, n.last, %s, %s, %s, NULL, 0 FROM n RETURNING id, number",
            [
                f"ticket:{dep.pk}",
                day,
                visit.pk,
                dep.pk,
                day,
                ticket.token,
                ticket.status,
                ticket.issued_at,
            ],
        )
        ticket.pk, ticket.number = cursor.fetchone()
    ticket._state.adding = False
    ticket._state.db = connection.alias
    return ticket
