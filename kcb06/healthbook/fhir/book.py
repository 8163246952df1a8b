"""The patient and the book's own entries as FHIR resources, one function per resource type.

Each entry row is (pk, kind, title, code, severity, reaction, detail, event_date, status,
recorded_at) as `rows.read_book_rows` reads it.
"""

from kcb06.healthbook.fhir.common import (
    ALLERGY_STATUS,
    BASE,
    BLOOD_GROUP_CODE,
    ICD10,
    IDENTIFIER_SYSTEMS,
    SEVERITY,
    SEX,
    clinical,
    iso,
    stamp,
)
from kcb06.healthbook.models import EntryKind


def patient(p, identifiers, pid: str) -> dict:
    """Patient: the internal id and the personal ID, BHYT card and BHXH numbers when known."""
    res = {
        "resourceType": "Patient",
        "id": pid,
        "identifier": [
            {"system": f"{BASE}:patient-id", "value": str(p.pk)},
            *(
                {
                    "type": {"text": IDENTIFIER_SYSTEMS[kind][1]},
                    "system": IDENTIFIER_SYSTEMS[kind][0],
                    "value": value,
                }
                for kind, value in identifiers
                if kind in IDENTIFIER_SYSTEMS
            ),
        ],
        "name": [{"text": p.full_name}],
        "gender": SEX.get(p.sex, "unknown"),
    }
    if p.address:
        res["address"] = [{"text": p.address}]
    if p.date_of_birth and p.dob_precision == "day":
        res["birthDate"] = p.date_of_birth.isoformat()
    else:
        res["birthDate"] = str(p.birth_year)
    return res


def allergy(row, subject, tz) -> dict:
    _pk, _kind, title, _code, severity, reaction, _detail, event_date, status, recorded_at = row
    res = {
        "resourceType": "AllergyIntolerance",
        "id": f"e{row[0]}",
        "patient": subject,
        "code": {"text": title},
        "recordedDate": stamp(recorded_at, tz),
        "clinicalStatus": ALLERGY_STATUS["active" if status == "active" else "resolved"],
    }
    if severity or reaction:
        manifestation = {"manifestation": [{"text": reaction or title}]}
        if severity:
            manifestation["severity"] = SEVERITY[severity]
        res["reaction"] = [manifestation]
    if severity == "severe":
        res["criticality"] = "high"
    if event_date:
        res["onsetDateTime"] = iso(event_date, tz)
    return res


def immunization(row, subject, tz) -> dict:
    _pk, _kind, title, _code, _sev, _reaction, _detail, event_date, status, recorded_at = row
    return {
        "resourceType": "Immunization",
        "id": f"e{row[0]}",
        "status": "completed" if status != "entered_in_error" else "entered-in-error",
        "vaccineCode": {"text": title},
        "patient": subject,
        "occurrenceDateTime": iso(event_date or recorded_at.date(), tz),
        "recorded": stamp(recorded_at, tz),
    }


def medication_statement(row, subject, tz) -> dict:
    _pk, _kind, title, _code, _sev, _reaction, _detail, _date, status, recorded_at = row
    return {
        "resourceType": "MedicationStatement",
        "id": f"e{row[0]}",
        "status": "active" if status == "active" else "stopped",
        "medicationCodeableConcept": {"text": title},
        "subject": subject,
        "dateAsserted": stamp(recorded_at, tz),
    }


def procedure(row, subject, tz) -> dict:
    _pk, _kind, title, _code, _sev, _reaction, _detail, event_date, _status, _at = row
    res = {
        "resourceType": "Procedure",
        "id": f"e{row[0]}",
        "status": "completed",
        "code": {"text": title},
        "subject": subject,
    }
    if event_date:
        res["performedDateTime"] = iso(event_date, tz)
    return res


def blood_group(row, subject, tz) -> dict:
    _pk, _kind, title, _code, _sev, _reaction, _detail, _date, _status, recorded_at = row
    return {
        "resourceType": "Observation",
        "id": f"e{row[0]}",
        "status": "final",
        "code": BLOOD_GROUP_CODE,
        "subject": subject,
        "valueString": title,
        "issued": stamp(recorded_at, tz),
    }


def condition(row, subject, tz, sections) -> dict:
    """Chronic conditions, risk factors, disabilities, family history, pregnancies: Conditions
    with a category naming the book section."""
    _pk, kind, title, code, _sev, _reaction, _detail, event_date, status, recorded_at = row
    coded = {"text": title}
    if code:
        coded["coding"] = [{"system": ICD10, "code": code}]
    res = {
        "resourceType": "Condition",
        "id": f"e{row[0]}",
        "clinicalStatus": clinical(status),
        "category": sections[kind],
        "code": coded,
        "subject": subject,
        "recordedDate": stamp(recorded_at, tz),
    }
    if event_date:
        res["onsetDateTime"] = iso(event_date, tz)
    return res


BY_KIND = {
    EntryKind.ALLERGY: allergy,
    EntryKind.VACCINATION: immunization,
    EntryKind.MEDICATION: medication_statement,
    EntryKind.SURGERY: procedure,
    EntryKind.BLOOD_GROUP: blood_group,
}


def sections() -> dict:
    """The category of each book section, for the Conditions."""
    return {
        k: [{"coding": [{"system": f"{BASE}:book-section", "code": k}], "text": str(label)}]
        for k, label in EntryKind.choices
    }


def book_entry(row, subject, tz, sections) -> dict:
    """The resource of one book entry, by its kind; its free-text detail as a note."""
    build = BY_KIND.get(row[1])
    res = build(row, subject, tz) if build else condition(row, subject, tz, sections)
    detail = row[6]
    if detail and res["resourceType"] != "Observation":
        res["note"] = [{"text": detail}]
    return res
