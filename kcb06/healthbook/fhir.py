"""The health book as a FHIR R4 Bundle (type "collection") so other software can read it.

Built from `rows.read_book_rows`: plain tuples, no model instance per row, in a fixed number
of queries whatever the length of the history (the export of a book of 200 visits and 1,000
entries holds ~2,800 resources, so the cost per row is what matters). Resource ids
are internal ids prefixed by type, never ID or card numbers. Patient.identifier carries the
internal id and, so that another system can tell whose book it is, the personal ID number,
the BHYT card number and the BHXH number when known, each under a stable system URI
(IDENTIFIER_SYSTEMS, listed in docs/healthbook.md); the export itself stays behind the
clinician's access, the consent and the audit log. Codes: ICD-10 (http://hl7.org/fhir/sid/icd-10), the Vietnamese
code lists by their kcb06 URIs.
"""

import gc
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone

from kcb06.healthbook.models import EntryKind

ICD10 = "http://hl7.org/fhir/sid/icd-10"
BASE = "urn:kcb06"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VER = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
SEVERITY = {"severe": "severe", "moderate": "moderate", "mild": "mild"}
SEX = {"male": "male", "female": "female", "undetermined": "unknown"}
# Patient identifier kind -> (system URI, what it is). Stable: other systems match on them.
IDENTIFIER_SYSTEMS = {
    "id_number": (f"{BASE}:vn:personal-id", "Số định danh cá nhân (CCCD)"),
    "old_id_number": (f"{BASE}:vn:cmnd", "Số CMND 9 số"),
    "bhyt_card": (f"{BASE}:vn:bhyt-card", "Mã thẻ BHYT"),
    "bhxh_number": (f"{BASE}:vn:bhxh-number", "Mã số BHXH"),
}


@contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector while an export is built.

    A book of 200 visits and 1,000 entries is thousands of row tuples and tens of thousands of
    dicts and lists, none of them in a reference cycle (reference counting frees them all);
    allocating them triggers dozens of collections per export and now and then a full one that
    find nothing to free (docs/measurements.md#fhir-export-and-the-garbage-collector).
    Re-enabled on exit only if it was enabled on entry."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Parts that are the same in many resources are built once and shared between them (the
# bundle is serialised, never modified after it is built).
_CLINICAL_STATUS = {
    code: {"coding": [{"system": CLINICAL, "code": code}]}
    for code in ("active", "resolved", "inactive")
}
_ALLERGY_STATUS = {
    code: {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                "code": code,
            }
        ]
    }
    for code in ("active", "resolved")
}
_ENCOUNTER_CLASS = {
    code: {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": code}
    for code in ("AMB", "IMP")
}
_CONFIRMED = {"coding": [{"system": VER, "code": "confirmed"}]}
_ENCOUNTER_DIAGNOSIS = [
    {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                "code": "encounter-diagnosis",
            }
        ]
    }
]


def _iso(value, tz=None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(tz or timezone.get_current_timezone()).isoformat()
    return value.isoformat()


def _entry(resource: dict) -> dict:
    return {"fullUrl": f"{BASE}:{resource['resourceType']}/{resource['id']}", "resource": resource}


def _ref(kind: str, rid) -> dict:
    return {"reference": f"{kind}/{rid}"}


def _clinical(status: str) -> dict:
    return _CLINICAL_STATUS[status if status in ("active", "resolved") else "inactive"]


def bundle(rows) -> dict:
    """Plain dicts from plain rows (rows.BookRows): thousands of resources stay cheap."""
    tz = timezone.get_current_timezone()
    sections = {
        k: [{"coding": [{"system": f"{BASE}:book-section", "code": k}], "text": str(label)}]
        for k, label in EntryKind.choices
    }

    def iso(value):
        return _iso(value, tz)

    def stamp(value):  # a timestamp column (aware datetime) in local time
        return None if value is None else value.astimezone(tz).isoformat()

    p = rows.patient
    pid = f"p{p.pk}"
    subject = _ref("Patient", pid)
    entries = []
    append = entries.append
    patient = {
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
                for kind, value in rows.identifiers
                if kind in IDENTIFIER_SYSTEMS
            ),
        ],
        "name": [{"text": p.full_name}],
        "gender": SEX.get(p.sex, "unknown"),
        "address": [{"text": p.address}] if p.address else [],
    }
    if p.date_of_birth and p.dob_precision == "day":
        patient["birthDate"] = p.date_of_birth.isoformat()
    else:
        patient["birthDate"] = str(p.birth_year)
    if not patient["address"]:
        del patient["address"]
    append(_entry(patient))

    for (
        pk,
        kind,
        title,
        code,
        severity,
        reaction,
        detail,
        event_date,
        status,
        recorded_at,
    ) in rows.entries:
        rid = f"e{pk}"
        recorded = stamp(recorded_at)
        if kind == EntryKind.ALLERGY:
            res = {
                "resourceType": "AllergyIntolerance",
                "id": rid,
                "patient": subject,
                "code": {"text": title},
                "recordedDate": recorded,
                "clinicalStatus": _ALLERGY_STATUS["active" if status == "active" else "resolved"],
            }
            if severity or reaction:
                manifestation = {"manifestation": [{"text": reaction or title}]}
                if severity:
                    manifestation["severity"] = SEVERITY[severity]
                res["reaction"] = [manifestation]
            if severity == "severe":
                res["criticality"] = "high"
            if event_date:
                res["onsetDateTime"] = iso(event_date)
        elif kind == EntryKind.VACCINATION:
            res = {
                "resourceType": "Immunization",
                "id": rid,
                "status": "completed" if status != "entered_in_error" else "entered-in-error",
                "vaccineCode": {"text": title},
                "patient": subject,
                "occurrenceDateTime": iso(event_date or recorded_at.date()),
                "recorded": recorded,
            }
        elif kind == EntryKind.MEDICATION:
            res = {
                "resourceType": "MedicationStatement",
                "id": rid,
                "status": "active" if status == "active" else "stopped",
                "medicationCodeableConcept": {"text": title},
                "subject": subject,
                "dateAsserted": recorded,
            }
        elif kind == EntryKind.SURGERY:
            res = {
                "resourceType": "Procedure",
                "id": rid,
                "status": "completed",
                "code": {"text": title},
                "subject": subject,
            }
            if event_date:
                res["performedDateTime"] = iso(event_date)
        elif kind == EntryKind.BLOOD_GROUP:
            res = {
                "resourceType": "Observation",
                "id": rid,
                "status": "final",
                "code": {
                    "coding": [
                        {
                            "system": "http://loinc.org",
                            "code": "882-1",
                            "display": "ABO and Rh group",
                        }
                    ],
                    "text": "Nhóm máu",
                },
                "subject": subject,
                "valueString": title,
                "issued": recorded,
            }
        else:
            # chronic conditions, risk factors, disabilities, family history, pregnancies
            # are Conditions with a category naming the book section.
            coded = {"text": title}
            if code:
                coded["coding"] = [{"system": ICD10, "code": code}]
            res = {
                "resourceType": "Condition",
                "id": rid,
                "clinicalStatus": _clinical(status),
                "category": sections[kind],
                "code": coded,
                "subject": subject,
                "recordedDate": recorded,
            }
            if event_date:
                res["onsetDateTime"] = iso(event_date)
        if detail and res["resourceType"] != "Observation":
            res["note"] = [{"text": detail}]
        append(_entry(res))

    diagnoses, prescriptions, results = rows.diagnoses, rows.prescriptions, rows.results
    vi_names = rows.vi_names
    no_rows = ()
    for (
        vid,
        status,
        visit_type,
        arrived_at,
        closed_at,
        ma_lk,
        reason,
        facility_name,
        facility_code,
        department_name,
        closure_id,
        follow_up_date,
        treatment_summary,
    ) in rows.visits:
        eid = f"v{vid}"
        encounter_ref = _ref("Encounter", eid)
        enc = {
            "resourceType": "Encounter",
            "id": eid,
            "status": "finished"
            if status == "closed"
            else ("cancelled" if status == "cancelled" else "in-progress"),
            "class": _ENCOUNTER_CLASS["AMB" if visit_type in ("01", "02", "07") else "IMP"],
            "subject": subject,
            "period": {"start": stamp(arrived_at)},
            "serviceProvider": {"display": f"{facility_name} ({facility_code})"},
            "identifier": [{"system": f"{BASE}:ma-lk", "value": ma_lk}],
        }
        if reason:
            enc["reasonCode"] = [{"text": reason}]
        if closed_at:
            enc["period"]["end"] = stamp(closed_at)
        if department_name is not None:
            enc["serviceType"] = {"text": department_name}
        diag_refs = []
        diagnosed_at = stamp(closed_at or arrived_at)
        for did, icd10, name, position in diagnoses.get(vid, no_rows):
            cid = f"d{did}"
            diag_refs.append({"condition": _ref("Condition", cid), "rank": position + 1})
            append(
                _entry(
                    {
                        "resourceType": "Condition",
                        "id": cid,
                        "clinicalStatus": _CLINICAL_STATUS["active"],
                        "verificationStatus": _CONFIRMED,
                        "category": _ENCOUNTER_DIAGNOSIS,
                        "code": {
                            "coding": [
                                {
                                    "system": ICD10,
                                    "code": icd10,
                                    "display": name or vi_names.get(icd10, ""),
                                }
                            ],
                            "text": name or icd10,
                        },
                        "subject": subject,
                        "encounter": encounter_ref,
                        "recordedDate": diagnosed_at,
                    }
                )
            )
        if diag_refs:
            enc["diagnosis"] = diag_refs
        if closure_id is not None:
            if follow_up_date:
                enc.setdefault("extension", []).append(
                    {"url": f"{BASE}:follow-up-date", "valueDate": follow_up_date.isoformat()}
                )
            if treatment_summary:
                enc.setdefault("extension", []).append(
                    {"url": f"{BASE}:treatment-summary", "valueString": treatment_summary}
                )
        append(_entry(enc))
        drug_status = "completed" if status == "closed" else "active"
        for (
            rx_id,
            drug_name,
            strength,
            drug_code,
            dose,
            duration_days,
            ordered_at,
        ) in prescriptions.get(vid, no_rows):
            ms = {
                "resourceType": "MedicationStatement",
                "id": f"rx{rx_id}",
                "status": drug_status,
                "medicationCodeableConcept": {"text": f"{drug_name} {strength}".strip()},
                "subject": subject,
                "context": encounter_ref,
                "dateAsserted": stamp(ordered_at),
                "dosage": [{"text": dose + (f", {duration_days} ngày" if duration_days else "")}],
            }
            if drug_code:
                ms["medicationCodeableConcept"]["coding"] = [
                    {"system": f"{BASE}:ma-thuoc", "code": drug_code}
                ]
            append(_entry(ms))
        for (
            r_id,
            indicator_name,
            indicator_code,
            value,
            unit,
            conclusion,
            result_at,
        ) in results.get(vid, no_rows):
            obs = {
                "resourceType": "Observation",
                "id": f"r{r_id}",
                "status": "final",
                "code": {"text": indicator_name},
                "subject": subject,
                "encounter": encounter_ref,
                "effectiveDateTime": stamp(result_at),
            }
            if indicator_code:
                obs["code"]["coding"] = [{"system": f"{BASE}:ma-chi-so", "code": indicator_code}]
            if value:
                obs["valueString"] = f"{value} {unit}".strip()
            if conclusion:
                obs["interpretation"] = [{"text": conclusion}]
            append(_entry(obs))

    return {
        "resourceType": "Bundle",
        "id": f"healthbook-p{p.pk}",  # FHIR ids allow [A-Za-z0-9-.] only
        "type": "collection",
        "timestamp": iso(timezone.now()),
        "entry": entries,
    }
