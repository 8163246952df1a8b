"""Numbers of the check-in: MA_LK (unique per facility and day) and queue tickets (gap-free
per department and day), both from daily counter rows (DailyCounter).

MA_LK's number comes from a block this process reserved in a short transaction of its own;
the ticket's number is the write's last statement, because its counter row stays locked until
commit and every other check-in at that department waits for it.
"""

import secrets
import threading
from datetime import date
from functools import cache

from django.db import connection, transaction
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


def next_visit_number(facility_id: int, day: date, reserve=None) -> int:
    """MA_LK's daily number. Inside a caller's transaction it is taken one at a time, so that a
    rollback also gives it back; otherwise from this process's block (see above), reserved by
    `reserve` (the writer's; default `reserve_block`)."""
    if connection.in_atomic_block:
        return bump_counter(f"visit:{int(facility_id)}", day)
    key = (connection.settings_dict["NAME"], int(facility_id), day)
    with _blocks_lock:
        block = _blocks.get(key)
        if block and block[0] <= block[1]:
            block[0] += 1
            return block[0] - 1
    last = (reserve or reserve_block)(int(facility_id), day, VISIT_NUMBER_BLOCK)
    with _blocks_lock:
        _blocks[key] = [last - VISIT_NUMBER_BLOCK + 2, last]
        for stale in [k for k in _blocks if k[2] != day]:
            del _blocks[stale]
    return last - VISIT_NUMBER_BLOCK + 1


def forget_visit_numbers() -> None:
    """Drop the reserved blocks (a MA_LK turned out taken: the database was restored)."""
    with _blocks_lock:
        _blocks.clear()


def reserve_block(facility_id: int, day: date, count: int) -> int:
    """Add `count` to the facility's day counter and answer the new last number, in a short
    transaction of its own (the portable way; PostgreSQL's writer has a faster one)."""
    with transaction.atomic():
        return bump_counter(f"visit:{facility_id}", day, count)


def make_ma_lk(facility_code: str, day: date, n: int) -> str:
    """MA_LK = MA_CSKCB (5) + local date YYYYMMDD + 6-digit daily sequence, e.g.
    '2790120261123000042': unique per facility and day, stable, 19 ≤ 100 characters."""
    return f"{facility_code}{day:%Y%m%d}{n:06d}"


def issue_ticket(visit: Visit, dep, day: date) -> Ticket:
    """The queue number and its ticket row, in the caller's transaction (the portable writer's
    last statements). The department's counter row stays locked until commit (that is what
    keeps numbers gap-free), so every other check-in at this department waits from here to
    the commit; PostgreSQL's writer sends them with its COMMIT instead (`ticket_ctes`)."""
    ticket = _new_ticket(visit, dep, day)
    ticket.number = bump_counter(f"ticket:{dep.pk}", day)
    ticket.save(force_insert=True)
    return ticket


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
    values = [visit.pk, dep.pk, day, ticket.token, ticket.status, ticket.issued_at]
    return ticket, [
        (counter, _BUMP, [f"ticket:{dep.pk}", day, 1]),
        (row, _ticket_insert_sql(counter), values),
    ]


@cache  # the text depends only on the model and the CTE's name
def _ticket_insert_sql(counter: str) -> str:
    t = Ticket._meta
    names = ("visit", "department", "day", "number", "token", "status", "issued_at")
    names += ("called_at", "call_count")
    columns = ", ".join(t.get_field(n).column for n in names)
    return (
        f"INSERT INTO {t.db_table} ({columns}) "  # noqa: S608 - names from the model
        f"SELECT %s, %s, %s, {counter}.last, %s, %s, %s, NULL, 0 FROM {counter} "
        f"RETURNING {t.pk.column}, {t.get_field('number').column}"
    )


def ticket_issued(ticket: Ticket, row) -> Ticket:
    ticket.pk, ticket.number = row
    ticket._state.adding = False
    ticket._state.db = connection.alias
    return ticket
