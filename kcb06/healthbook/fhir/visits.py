"""A visit as FHIR resources, one function per resource type: the Encounter, a Condition per
diagnosis, a MedicationStatement per prescribed drug, an Observation per test result.

Rows as `rows.read_book_rows` reads them: a visit is (id, status, visit_type, arrived_at,
closed_at, ma_lk, reason, facility_name, facility_code, department_name, closure_id,
follow_up_date, treatment_summary).
"""

from kcb06.healthbook.fhir.common import (
    BASE,
    CLINICAL_STATUS,
    CONFIRMED,
    ENCOUNTER_CLASS,
    ENCOUNTER_DIAGNOSIS,
    ICD10,
    entry,
    ref,
    stamp,
)

NO_ROWS = ()


def encounter(visit, subject, tz) -> dict:
    """The Encounter, without its diagnoses (added by `visit_resources`)."""
    (vid, status, visit_type, arrived_at, closed_at, ma_lk, reason, facility_name, facility_code,
     department_name, _closure_id, _follow_up, _summary) = visit  # fmt: skip
    enc = {
        "resourceType": "Encounter",
        "id": f"v{vid}",
        "status": "finished"
        if status == "closed"
        else ("cancelled" if status == "cancelled" else "in-progress"),
        "class": ENCOUNTER_CLASS["AMB" if visit_type in ("01", "02", "07") else "IMP"],
        "subject": subject,
        "period": {"start": stamp(arrived_at, tz)},
        "serviceProvider": {"display": f"{facility_name} ({facility_code})"},
        "identifier": [{"system": f"{BASE}:ma-lk", "value": ma_lk}],
    }
    if reason:
        enc["reasonCode"] = [{"text": reason}]
    if closed_at:
        enc["period"]["end"] = stamp(closed_at, tz)
    if department_name is not None:
        enc["serviceType"] = {"text": department_name}
    return enc


def closure_extensions(enc: dict, visit) -> None:
    """The follow-up date and treatment summary of a closed visit, as extensions."""
    closure_id, follow_up_date, treatment_summary = visit[10:13]
    if closure_id is None:
        return
    if follow_up_date:
        enc.setdefault("extension", []).append(
            {"url": f"{BASE}:follow-up-date", "valueDate": follow_up_date.isoformat()}
        )
    if treatment_summary:
        enc.setdefault("extension", []).append(
            {"url": f"{BASE}:treatment-summary", "valueString": treatment_summary}
        )


def diagnosis(row, subject, encounter_ref, diagnosed_at, vi_names) -> dict:
    did, icd10, name, _position = row
    return {
        "resourceType": "Condition",
        "id": f"d{did}",
        "clinicalStatus": CLINICAL_STATUS["active"],
        "verificationStatus": CONFIRMED,
        "category": ENCOUNTER_DIAGNOSIS,
        "code": {
            "coding": [
                {"system": ICD10, "code": icd10, "display": name or vi_names.get(icd10, "")}
            ],
            "text": name or icd10,
        },
        "subject": subject,
        "encounter": encounter_ref,
        "recordedDate": diagnosed_at,
    }


def prescription(row, subject, encounter_ref, drug_status, tz) -> dict:
    rx_id, drug_name, strength, drug_code, dose, duration_days, ordered_at = row
    ms = {
        "resourceType": "MedicationStatement",
        "id": f"rx{rx_id}",
        "status": drug_status,
        "medicationCodeableConcept": {"text": f"{drug_name} {strength}".strip()},
        "subject": subject,
        "context": encounter_ref,
        "dateAsserted": stamp(ordered_at, tz),
        "dosage": [{"text": dose + (f", {duration_days} ngày" if duration_days else "")}],
    }
    if drug_code:
        ms["medicationCodeableConcept"]["coding"] = [
            {"system": f"{BASE}:ma-thuoc", "code": drug_code}
        ]
    return ms


def result(row, subject, encounter_ref, tz) -> dict:
    r_id, indicator_name, indicator_code, value, unit, conclusion, result_at = row
    obs = {
        "resourceType": "Observation",
        "id": f"r{r_id}",
        "status": "final",
        "code": {"text": indicator_name},
        "subject": subject,
        "encounter": encounter_ref,
        "effectiveDateTime": stamp(result_at, tz),
    }
    if indicator_code:
        obs["code"]["coding"] = [{"system": f"{BASE}:ma-chi-so", "code": indicator_code}]
    if value:
        obs["valueString"] = f"{value} {unit}".strip()
    if conclusion:
        obs["interpretation"] = [{"text": conclusion}]
    return obs


def visit_resources(visit, rows, subject, tz, append) -> None:
    """Append the visit's resources in the export's order: its diagnoses, the Encounter, its
    prescriptions, its results."""
    vid, status, arrived_at, closed_at = visit[0], visit[1], visit[3], visit[4]
    enc = encounter(visit, subject, tz)
    encounter_ref = ref("Encounter", enc["id"])
    diagnosed_at = stamp(closed_at or arrived_at, tz)
    diag_refs = []
    for row in rows.diagnoses.get(vid, NO_ROWS):
        res = diagnosis(row, subject, encounter_ref, diagnosed_at, rows.vi_names)
        diag_refs.append({"condition": ref("Condition", res["id"]), "rank": row[3] + 1})
        append(entry(res))
    if diag_refs:
        enc["diagnosis"] = diag_refs
    closure_extensions(enc, visit)
    append(entry(enc))
    drug_status = "completed" if status == "closed" else "active"
    for row in rows.prescriptions.get(vid, NO_ROWS):
        append(entry(prescription(row, subject, encounter_ref, drug_status, tz)))
    for row in rows.results.get(vid, NO_ROWS):
        append(entry(result(row, subject, encounter_ref, tz)))
