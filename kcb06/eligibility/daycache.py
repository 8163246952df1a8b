"""Today's valid verdicts, also held in each process's memory.

A patient's second check-in of the day is the commonest eligibility question of all; with
the verdict in memory it costs no database lookup, only its audit row. The database stays the
truth: entries are added only after the transaction that stored (or found) the check commits,
so a rolled-back check-in never leaves a verdict behind; they expire with the cache window
and the day; and a process holds at most MAX_ENTRIES of them (oldest dropped first).
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime

MAX_ENTRIES = 20_000


@dataclass(frozen=True)
class CachedCheck:
    """What a same-day cache hit needs of the stored check."""

    pk: int
    portal_code: str
    response: dict
    checked_at: datetime


Key = tuple[int, str, date, str, date]  # facility, looked-up card/ID, day, folded name, DOB

_entries: "OrderedDict[Key, CachedCheck]" = OrderedDict()
_lock = threading.Lock()


def get(key: Key, since: datetime) -> CachedCheck | None:
    with _lock:
        hit = _entries.get(key)
        if hit is None:
            return None
        if hit.checked_at < since:
            del _entries[key]
            return None
        _entries.move_to_end(key)
        return hit


def put(key: Key, check: CachedCheck) -> None:
    with _lock:
        current = _entries.get(key)
        if current is None or current.checked_at <= check.checked_at:
            _entries[key] = check
            _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)


def clear() -> None:
    """Forget everything (tests, and a database restored under a running process)."""
    with _lock:
        _entries.clear()
