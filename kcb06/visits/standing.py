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

from django.db import connection

from kcb06.patients.models import IdentifierKind, Patient
from kcb06.plumbing import rawrows
from kcb06.visits.models import VisitStatus


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
        cursor.execute(
            f"SELECT {rawrows.select_list((Patient, 'p'))} "  # noqa: S608 - generated
            "FROM patients_patient p WHERE p.id = %s FOR UPDATE",
            [patient_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Patient.DoesNotExist(patient_id)
    return rawrows.build(Patient, row), standing(patient_id, facility_ids, department_id, day)


def _standing_query(patient_id: int, facility_ids, department_id: int, day: date):
    ids = [int(i) for i in facility_ids] or [0]
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        "SELECT kind, value FROM patients_patientidentifier "  # noqa: S608 - placeholders only
        "WHERE patient_id = %s AND is_active = %s "
        f"UNION ALL SELECT '{_KNOWN}', CAST(COUNT(*) AS TEXT) FROM patients_patientfacility "
        f"WHERE patient_id = %s AND facility_id IN ({marks}) "
        f"UNION ALL SELECT '{_VISIT}', CAST(MIN(v.id) AS TEXT) FROM visits_visit v "
        "JOIN visits_ticket t ON t.visit_id = v.id "
        "WHERE v.patient_id = %s AND v.department_id = %s AND v.visit_date = %s "
        "AND v.status <> %s"
    )
    params = [
        patient_id,
        True,
        patient_id,
        *ids,
        patient_id,
        department_id,
        connection.ops.adapt_datefield_value(day),
        VisitStatus.CANCELLED,
    ]
    return sql, params


def _standing(rows) -> Standing:
    marks_seen = {kind: value for kind, value in rows if kind in (_KNOWN, _VISIT)}
    visit = marks_seen.get(_VISIT)
    return Standing(
        identifiers=frozenset((k, v) for k, v in rows if k not in (_KNOWN, _VISIT)),
        known=int(marks_seen.get(_KNOWN) or 0) > 0,
        visit_id=int(visit) if visit is not None else None,
    )


def by_id_number_with_standing(
    id_number: str, facility_ids, department_id: int, day: date
) -> tuple[Patient, Standing] | bool:
    """The holder of an active ID number and its standing, in one statement: the chip-card
    scan of a returning patient, the commonest check-in of all. False when nobody holds the
    number; True when the holder was merged into another record (the caller then resolves
    the usual way)."""
    ids = [int(i) for i in facility_ids] or [0]
    marks = ", ".join(["%s"] * len(ids))
    agg = "string_agg" if connection.vendor == "postgresql" else "group_concat"
    sql = (
        f"SELECT {rawrows.select_list((Patient, 'p'))}, "  # noqa: S608 - placeholders only
        "(SELECT COUNT(*) FROM patients_patientfacility f "
        f"WHERE f.patient_id = p.id AND f.facility_id IN ({marks})), "
        "(SELECT MIN(v.id) FROM visits_visit v JOIN visits_ticket t ON t.visit_id = v.id "
        "WHERE v.patient_id = p.id AND v.department_id = %s AND v.visit_date = %s "
        "AND v.status <> %s), "
        f"(SELECT {agg}(a.kind || ':' || a.value, ',') FROM patients_patientidentifier a "
        "WHERE a.patient_id = p.id AND a.is_active = %s) "
        "FROM patients_patientidentifier i JOIN patients_patient p ON p.id = i.patient_id "
        "WHERE i.kind = %s AND i.value = %s AND i.is_active = %s "
        "ORDER BY i.added_at DESC LIMIT 1"
    )
    params = [
        *ids,
        department_id,
        connection.ops.adapt_datefield_value(day),
        VisitStatus.CANCELLED,
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
