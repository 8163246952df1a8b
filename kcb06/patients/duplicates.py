"""Likely duplicates: records that may be the same person as someone without a known hard key.

Shown to the clerk with why they matched; linking or creating is always the clerk's choice.
"""

from dataclasses import dataclass

from django.db import connection
from rapidfuzz import fuzz

from kcb06.patients.models import IdentifierKind, Patient
from kcb06.patients.names import fold_name, name_key
from kcb06.patients.services import PersonData
from kcb06.plumbing import rawrows
from kcb06.plumbing.pgplans import planned_each_time


@dataclass
class Candidate:
    """A likely duplicate shown to the clerk with why it matched (score 0..100)."""

    patient: Patient
    score: int
    reasons: list[str]

    def as_dict(self) -> dict:
        p = self.patient
        return {
            "id": p.pk,
            "full_name": p.full_name,
            "date_of_birth": p.date_of_birth.isoformat() if p.date_of_birth else None,
            "birth_year": p.birth_year,
            "sex": p.sex,
            "address": p.address,
            "score": self.score,
            "reasons": self.reasons,
        }


@planned_each_time()
def likely_duplicates(
    person: PersonData, *, limit: int = 5, facility_ids: set[int] | None = None
) -> list[Candidate]:
    """Records that may be the same person: same folded name (any word order) and birth year,
    scored on exact DOB, sex and address similarity. Records holding a *different* personal ID
    number are excluded: two hard keys are two people. `facility_ids` keeps only records known
    at those facilities (a clerk sees candidates of their own facility only).

    Exclusion and scope are part of the SQL, and the typo-tolerant pass compares folded names
    before loading any record: a new chip card at a busy desk must not load hundreds of
    namesakes one by one."""
    year = person.year
    key = name_key(person.full_name)
    if not key or not year:
        return []
    # Hand-written: at every new patient's check-in the ORM spent more time building these
    # queries (Exists/OuterRef) than the database took to answer them
    # (docs/measurements.md#likely-duplicates-search). One statement
    # reads the pool's (id, name key) pairs, the same folded name first: exact matches if
    # there are any, else those within one typo or a missing middle name. Only the records
    # chosen are loaded (none, for nearly every new patient).
    where, params = _pool(year, person.id_number, facility_ids)
    folded = fold_name(person.full_name)
    given = folded.split()[-1] if folded else ""
    sql = f"SELECT p.id, p.name_key FROM patients_patient p WHERE {where}"  # noqa: S608
    if given.isalnum():  # the given name (last word) is in every name close enough
        sql += " AND p.name_key LIKE %s"
        params.append(f"%{given}%")
    sql += " ORDER BY CASE WHEN p.name_key = %s THEN 0 ELSE 1 END, p.id LIMIT 200"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, key])
        pool = cursor.fetchall()
    chosen = [pk for pk, other in pool if other == key][:50]
    if not chosen:
        chosen = [pk for pk, other in pool if fuzz.token_sort_ratio(key, other) >= 88]
    rows = []
    if chosen:
        marks = ", ".join(["%s"] * len(chosen))
        rows = rawrows.fetch_all(
            f"SELECT {rawrows.select_list((Patient, 'p'))} FROM patients_patient p "  # noqa: S608
            f"WHERE p.id IN ({marks})",
            chosen,
            Patient,
        )
    out = []
    for p in rows:
        score, reasons = 50, ["Trùng họ tên (bỏ dấu, không kể thứ tự) và năm sinh"]
        if person.date_of_birth and p.date_of_birth == person.date_of_birth:
            score += 25
            reasons.append("Trùng ngày sinh")
        if person.sex and p.sex == person.sex:
            score += 10
            reasons.append("Trùng giới tính")
        if person.address and p.address:
            similarity = fuzz.token_set_ratio(fold_name(person.address), fold_name(p.address))
            if similarity >= 80:
                score += 15
                reasons.append("Địa chỉ gần giống")
        out.append(Candidate(p, min(score, 100), reasons))
    out.sort(key=lambda c: (-c.score, c.patient.pk))
    return out[:limit]


def _pool(year: int, id_number: str, facility_ids) -> tuple[str, list]:
    """WHERE clause of the records a person may be: alive (not merged away), born that year,
    holding no *other* personal ID number, known at the clerk's facilities."""
    where = "p.birth_year = %s AND p.merged_into_id IS NULL"
    params: list = [year]
    if id_number:
        where += (
            " AND NOT EXISTS (SELECT 1 FROM patients_patientidentifier i "
            "WHERE i.patient_id = p.id AND i.kind = %s AND i.is_active = %s AND i.value <> %s)"
        )
        params += [IdentifierKind.ID_NUMBER.value, True, id_number]
    if facility_ids is not None:
        ids = [int(i) for i in facility_ids] or [0]
        marks = ", ".join(["%s"] * len(ids))
        where += (
            " AND EXISTS (SELECT 1 FROM patients_patientfacility f "  # noqa: S608 - placeholders
            f"WHERE f.patient_id = p.id AND f.facility_id IN ({marks}))"
        )
        params += ids
    return where, params
