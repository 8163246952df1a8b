"""Numbers of the check-in: MA_LK (unique per facility and day) and queue tickets (gap-free
per department and day), both from daily counter rows (DailyCounter).

MA_LK's number comes from a block this process reserved in a short transaction of its own;
the ticket's number is the write's last statement, because its counter row stays locked until
commit and every other check-in at that department waits for it.
"""

import secrets
import threading
from datetime import date

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from kcb06.plumbing import rawrows
from kcb06.visits.models import DailyCounter, Ticket, Visit

# Adds %s (the third parameter) to a daily counter, creating it at that value, and answers the
# new last number. The upsert takes the row lock until commit: race-free on both databases.
_BUMP = (
    f"INSERT INTO {DailyCounter._meta.db_table} (scope, day, last) VALUES (%s, %s, %s) "  # noqa: S608
    f"ON CONFLICT (scope, day) DO UPDATE SET last = {DailyCounter._meta.db_table}.last "
    "+ EXCLUDED.last RETURNING last"
)


def bump_counter(scope: str, day: date, by: int = 1) -> int:
    """The counter's next number (or the last of the next `by`), in the caller's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(_BUMP, [scope, day, by])
        return cursor.fetchone()[0]


# MA_LK numbers are reserved in blocks: a process takes the next VISIT_NUMBER_BLOCK numbers of a
# facility's day in one short transaction and hands them out itself. MA_LK must be unique, not
# gap-free nor in arrival order, and a check-in then spends no round trip on it. A process that
# stops leaves the rest of its block unused; two processes' numbers interleave.
VISIT_NUMBER_BLOCK = 20
_blocks: dict[tuple, list[int]] = {}
_blocks_lock = threading.Lock()


def next_visit_number(facility_id: int, day: date) -> int:
    """MA_LK's daily number. Inside a caller's transaction it is taken one at a time, so that a
    rollback also gives it back; otherwise from this process's block (see above)."""
    if connection.in_atomic_block:
        return bump_counter(f"visit:{int(facility_id)}", day)
    key = (connection.settings_dict["NAME"], int(facility_id), day)
    with _blocks_lock:
        block = _blocks.get(key)
        if block and block[0] <= block[1]:
            block[0] += 1
            return block[0] - 1
    last = _reserve(int(facility_id), day, VISIT_NUMBER_BLOCK)
    with _blocks_lock:
        _blocks[key] = [last - VISIT_NUMBER_BLOCK + 2, last]
        for stale in [k for k in _blocks if k[2] != day]:
            del _blocks[stale]
    return last - VISIT_NUMBER_BLOCK + 1


def forget_visit_numbers() -> None:
    """Drop the reserved blocks (a MA_LK turned out taken: the database was restored)."""
    with _blocks_lock:
        _blocks.clear()


def _reserve(facility_id: int, day: date, count: int) -> int:
    """Add `count` to the facility's day counter and answer the new last number, in a short
    transaction of its own. On PostgreSQL it commits without an fsync wait: a visit that uses
    a number commits durably later, which flushes the WAL past this record too; if the server
    dies before then, no number of the block was used by anything that survived. It is one
    round trip there (four statements in one simple-protocol message; the values are ints and
    a date, written in by us)."""
    table = DailyCounter._meta.db_table
    if connection.vendor != "postgresql":
        with transaction.atomic():
            return bump_counter(f"visit:{facility_id}", day, count)
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


def make_ma_lk(facility_code: str, day: date, n: int) -> str:
    """MA_LK = MA_CSKCB (5) + local date YYYYMMDD + 6-digit daily sequence, e.g.
    '2790120261123000042': unique per facility and day, stable, 19 ≤ 100 characters."""
    return f"{facility_code}{day:%Y%m%d}{n:06d}"


def issue_ticket(visit: Visit, dep, day: date) -> Ticket:
    """The queue number and its ticket row, as the check-in's last statement. The department's
    counter row stays locked until commit (that is what keeps numbers gap-free), so every other
    check-in at this department waits from here to the commit: on PostgreSQL the number and the
    row are one statement (`ticket_ctes`), which the check-in sends together with its
    COMMIT."""
    if connection.vendor != "postgresql":  # SQLite serialises all writers anyway
        ticket = _new_ticket(visit, dep, day)
        ticket.number = bump_counter(f"ticket:{dep.pk}", day)
        rawrows.insert(ticket)
        return ticket
    ticket, sql, params = ticket_statement(visit, dep, day)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return ticket_issued(ticket, cursor.fetchone())


def _new_ticket(visit: Visit, dep, day: date) -> Ticket:
    return rawrows.new(
        Ticket, visit=visit, department=dep, day=day, number=0, token=secrets.token_urlsafe(12)
    )


def ticket_ctes(visit: Visit, dep, day: date, counter: str, row: str) -> tuple[Ticket, list]:
    """PostgreSQL: the unsaved ticket, and the two common table expressions (name, sql,
    params) that number and store it: `counter` bumps the department's counter, `row` inserts
    the ticket and returns (id, number), for `ticket_issued`."""
    ticket = _new_ticket(visit, dep, day)
    ticket.issued_at = timezone.now()
    insert = (
        "INSERT INTO visits_ticket (visit_id, department_id, day, number, token, status, "  # noqa: S608
        f"issued_at, called_at, call_count) SELECT %s, %s, %s, {counter}.last, %s, %s, %s, "
        f"NULL, 0 FROM {counter} RETURNING id, number"
    )
    values = [visit.pk, dep.pk, day, ticket.token, ticket.status, ticket.issued_at]
    return ticket, [(counter, _BUMP, [f"ticket:{dep.pk}", day, 1]), (row, insert, values)]


def ticket_statement(visit: Visit, dep, day: date) -> tuple[Ticket, str, list]:
    """PostgreSQL: the unsaved ticket and the one statement that numbers and stores it; its
    row goes to `ticket_issued`."""
    ticket, ((counter, bump, bump_params), (_, insert, values)) = ticket_ctes(
        visit, dep, day, "n", "t"
    )
    return ticket, f"WITH {counter} AS ({bump}) {insert}", bump_params + values


def ticket_issued(ticket: Ticket, row) -> Ticket:
    ticket.pk, ticket.number = row
    ticket._state.adding = False
    ticket._state.db = connection.alias
    return ticket
