"""Likely duplicates: records that may be the same person as someone without a known hard key.

Shown to the clerk with why they matched; linking or creating is always the clerk's choice.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from rapidfuzz import fuzz

from kcb06.patients.models import IdentifierKind, Patient, PatientFacility, PatientIdentifier
from kcb06.patients.names import fold_name, name_key
from kcb06.patients.services import PersonData


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
    pool = Patient.objects.filter(birth_year=year, merged_into__isnull=True)
    if person.id_number:
        other_ids = PatientIdentifier.objects.filter(
            patient=OuterRef("pk"), kind=IdentifierKind.ID_NUMBER, is_active=True
        ).exclude(value=person.id_number)
        pool = pool.filter(~Exists(other_ids))
    if facility_ids is not None:
        pool = pool.filter(
            Exists(
                PatientFacility.objects.filter(patient=OuterRef("pk"), facility_id__in=facility_ids)
            )
        )
    rows = list(pool.filter(name_key=key)[:50])
    if not rows:
        # Tolerate one typo or a missing middle name: same birth year, similar folded name.
        folded = fold_name(person.full_name)
        first_word = folded.split()[-1] if folded else ""
        if first_word:
            pool = pool.filter(name_key__contains=first_word)
        similar = [
            pk
            for pk, other in pool.values_list("pk", "name_key")[:200]
            if fuzz.token_sort_ratio(key, other) >= 88
        ]
        rows = list(Patient.objects.filter(pk__in=similar)) if similar else []
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
