"""A patient's standing at a check-in, read in one statement.

A check-in of a known patient needs three facts: the patient's active identifiers (is the
scanned card new? which BHYT card to check?), whether the patient is known at the facility
(facility scoping, the facility link), and whether the patient already holds a ticket at this
department today (a repeated scan). They were three queries, asked twice (before the portal
call and again under the patient's row lock); each round trip cost more CPU, in Python and in
PostgreSQL, than the index lookup behind it. One UNION ALL answers all three.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache

from django.db import connection

from kcb06.patients import queries
from kcb06.patients.models import IdentifierKind, Patient
from kcb06.plumbing import rawrows
from kcb06.visits.today import todays_ticket_params, todays_ticket_sql


@dataclass(frozen=True)
class Standing:
    identifiers: frozenset[tuple[str, str]]  # active (kind, value) pairs
    known: bool  # linked to one of the facilities asked about
    visit_id: int | None  # today's visit with a ticket at the department, if any

    def value(self, kind: str) -> str:
        return next((v for k, v in sorted(self.identifiers) if k == kind), "")

    @property
    def card_number(self) -> str:
        return self.value(IdentifierKind.BHYT_CARD)


# Marker kinds cannot clash with identifier kinds (IdentifierKind values are lower-case words).
_KNOWN, _VISIT = "#known", "#visit"


def standing(patient_id: int, facility_ids, department_id: int, day: date) -> Standing:
    sql, params = _standing_query(patient_id, facility_ids, department_id, day)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _standing(cursor.fetchall())


def lock_with_standing(
    patient_id: int, facility_ids, department_id: int, day: date
) -> tuple[Patient, Standing]:
    """The patient's row lock (until commit), then its standing as committed by whoever held
    the lock before: in READ COMMITTED the second statement takes its snapshot once the first
    has the lock, so it sees a racing check-in's visit."""
    if not connection.features.has_select_for_update:  # SQLite: the writer lock serialises
        from kcb06.patients.services import lock

        return lock(patient_id), standing(patient_id, facility_ids, department_id, day)
    with connection.cursor() as cursor:
        cursor.execute(queries.lock_sql(rawrows.select_list((Patient, "p"))), [patient_id])
        row = cursor.fetchone()
    if row is None:
        raise Patient.DoesNotExist(patient_id)
    return rawrows.build(Patient, row), standing(patient_id, facility_ids, department_id, day)


def _standing_query(patient_id: int, facility_ids, department_id: int, day: date):
    ids = [int(i) for i in facility_ids] or [0]
    sql = _standing_sql(len(ids))
    params = [
        patient_id,
        True,
        patient_id,
        *ids,
        patient_id,
        *todays_ticket_params(department_id, day),
    ]
    return sql, params


@cache  # composed once per number of facilities: the text depends on nothing else
def _standing_sql(facilities: int) -> str:
    return (
        f"{queries.active_identifiers_sql('%s')} "
        f"UNION ALL SELECT '{_KNOWN}', CAST(({queries.facility_links_sql('%s', facilities)}) "
        f"AS TEXT) UNION ALL SELECT '{_VISIT}', CAST(({todays_ticket_sql('%s')}) AS TEXT)"
    )


def _standing(rows) -> Standing:
    marks_seen = {kind: value for kind, value in rows if kind in (_KNOWN, _VISIT)}
    visit = marks_seen.get(_VISIT)
    return Standing(
        identifiers=frozenset((k, v) for k, v in rows if k not in (_KNOWN, _VISIT)),
        known=int(marks_seen.get(_KNOWN) or 0) > 0,
        visit_id=int(visit) if visit is not None else None,
    )


@cache  # composed once per number of facilities and database: the text depends on nothing else
def _holder_with_standing_sql(facilities: int, agg: str) -> str:
    this = f"p.{Patient._meta.pk.column}"
    return queries.holder_of_sql(
        rawrows.select_list((Patient, "p")),
        f"({queries.facility_links_sql(this, facilities)})",
        f"({todays_ticket_sql(this)})",
        f"({queries.active_identifiers_text_sql(this, agg)})",
    )


def by_id_number_with_standing(
    id_number: str, facility_ids, department_id: int, day: date
) -> tuple[Patient, Standing] | bool:
    """The holder of an active ID number and its standing, in one statement: the chip-card
    scan of a returning patient, the commonest check-in of all. False when nobody holds the
    number; True when the holder was merged into another record (the caller then resolves
    the usual way)."""
    ids = [int(i) for i in facility_ids] or [0]
    agg = "string_agg" if connection.vendor == "postgresql" else "group_concat"
    sql = _holder_with_standing_sql(len(ids), agg)
    params = [
        *ids,
        *todays_ticket_params(department_id, day),
        True,
        IdentifierKind.ID_NUMBER.value,
        id_number,
        True,
    ]
    found = rawrows.fetch_one(sql, params, Patient)
    if found is None:
        return False
    if found[0].merged_into_id:
        return True
    patient, known, visit_id, held = found
    pairs = frozenset(tuple(item.split(":", 1)) for item in (held or "").split(",") if ":" in item)
    return patient, Standing(pairs, int(known or 0) > 0, int(visit_id) if visit_id else None)
