"""The check-in write as a plan: what the write must do, decided from what was read.

Pure: no database, no Django settings. The writers (`orm_writer`, `pg_writer`) carry a plan
out; keeping the decision apart from the statements is what lets the portable writer be the
reference the PostgreSQL writer is tested against, case by case.

Four cases:
- NEW: nobody holds the person's numbers: a new record, its identifiers, its facility link.
- RETURNING_UNCHANGED: a record known at this facility that the scan changes nothing in (the
  commonest check-in): no row lock; today's DailyCheckIn row settles a race with a second scan.
- RETURNING_CHANGED: any other returning record (a new card, a new facility, what a chip-card
  QR is evidence for, a record the clerk chose to link): the record is locked and changed.
- RACE: today's visit at this department already exists (a second scan, or one racing this
  one that committed first): the write returns that visit and issues nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kcb06.patients.services import changes_nothing, numbers


class Case(StrEnum):
    NEW = "new"
    RETURNING_UNCHANGED = "returning_unchanged"
    RETURNING_CHANGED = "returning_changed"
    RACE = "race"


@dataclass(frozen=True)
class Plan:
    case: Case
    # The record written to; None for NEW (the writer creates it).
    patient_id: int | None = None
    # RACE: today's visit at the department, returned as it is.
    visit_id: int | None = None
    # The record's active (kind, value) identifiers once written, when known without a read
    # (for the XML0 the visit_checked_in receiver builds); None: the receiver reads them.
    identifiers: frozenset[tuple[str, str]] | None = None


def plan(patient, record_id: int | None, person, standing, evidence: str = "") -> Plan:
    """The plan from what was read. `patient`: the record as read (None for a new person or
    a record the clerk chose to link by id); `record_id`: the record's id (the linked one's
    when `patient` is None), None for a new person; `standing`: the record's Standing
    (kcb06.visits.standing) as read for this write, or None when it must be read under the
    row lock; `evidence`: what was scanned, when the scan may change the record."""
    if record_id is None:
        return Plan(Case.NEW, identifiers=frozenset(numbers(person)))
    if standing is None:
        return Plan(Case.RETURNING_CHANGED, record_id)
    if standing.visit_id is not None:
        return Plan(Case.RACE, record_id, visit_id=standing.visit_id)
    held, known = standing.identifiers, standing.known
    if patient is not None and changes_nothing(patient, person, held, known, evidence):
        return Plan(Case.RETURNING_UNCHANGED, record_id, identifiers=held)
    return Plan(Case.RETURNING_CHANGED, record_id)


def under_lock(record_id: int, standing, identifiers_changed: bool) -> Plan:
    """The plan once the record is locked and changed: `standing` as read under the lock (a
    racing check-in has committed by then)."""
    if standing.visit_id is not None:
        return Plan(Case.RACE, record_id, visit_id=standing.visit_id)
    held = None if identifiers_changed else standing.identifiers
    return Plan(Case.RETURNING_CHANGED, record_id, identifiers=held)
