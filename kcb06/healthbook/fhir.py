"""The health book as a FHIR R4 Bundle (type "collection") so other software can read it.

Built from the same BookView the clinician's page uses (fixed number of queries). Resource ids
are internal ids prefixed by type, never ID or card numbers; identifiers are included only as
the facility-local patient id. Codes: ICD-10 (http://hl7.org/fhir/sid/icd-10), the Vietnamese
code lists by their kcb06 URIs.
"""

from datetime import datetime

from django.utils import timezone

from kcb06.healthbook.models import EntryKind

ICD10 = "http://hl7.org/fhir/sid/icd-10"
BASE = "urn:kcb06"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VER = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
SEVERITY = {"severe": "severe", "moderate": "moderate", "mild": "mild"}
SEX = {"male": "male", "female": "female", "undetermined": "unknown"}


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
    code = {"active": "active", "resolved": "resolved"}.get(status, "inactive")
    return {"coding": [{"system": CLINICAL, "code": code}]}


def bundle(view) -> dict:
    """Plain dicts only (no per-resource model objects): thousands of resources stay cheap."""
    tz = timezone.get_current_timezone()
    labels = {k: str(v) for k, v in EntryKind.choices}

    def iso(value):
        return _iso(value, tz)

    p = view.patient
    pid = f"p{p.pk}"
    subject = _ref("Patient", pid)
    entries = []
    patient = {
        "resourceType": "Patient",
        "id": pid,
        "identifier": [{"system": f"{BASE}:patient-id", "value": str(p.pk)}],
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
    entries.append(_entry(patient))

    for kind, rows in view.entries.items():
        for e in rows:
            rid = f"e{e.pk}"
            recorded = iso(e.recorded_at)
            note = [{"text": e.detail}] if e.detail else None
            if kind == EntryKind.ALLERGY:
                res = {
                    "resourceType": "AllergyIntolerance",
                    "id": rid,
                    "patient": subject,
                    "code": {"text": e.title},
                    "recordedDate": recorded,
                    "clinicalStatus": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                                "code": "active" if e.status == "active" else "resolved",
                            }
                        ]
                    },
                }
                if e.severity or e.reaction:
                    reaction = {"manifestation": [{"text": e.reaction or e.title}]}
                    if e.severity:
                        reaction["severity"] = SEVERITY[e.severity]
                    res["reaction"] = [reaction]
                if e.severity == "severe":
                    res["criticality"] = "high"
                if e.event_date:
                    res["onsetDateTime"] = iso(e.event_date)
            elif kind == EntryKind.VACCINATION:
                res = {
                    "resourceType": "Immunization",
                    "id": rid,
                    "status": "completed" if e.status != "entered_in_error" else "entered-in-error",
                    "vaccineCode": {"text": e.title},
                    "patient": subject,
                    "occurrenceDateTime": iso(e.event_date or e.recorded_at.date()),
                    "recorded": recorded,
                }
            elif kind == EntryKind.MEDICATION:
                res = {
                    "resourceType": "MedicationStatement",
                    "id": rid,
                    "status": "active" if e.status == "active" else "stopped",
                    "medicationCodeableConcept": {"text": e.title},
                    "subject": subject,
                    "dateAsserted": recorded,
                }
            elif kind == EntryKind.SURGERY:
                res = {
                    "resourceType": "Procedure",
                    "id": rid,
                    "status": "completed",
                    "code": {"text": e.title},
                    "subject": subject,
                }
                if e.event_date:
                    res["performedDateTime"] = iso(e.event_date)
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
                    "valueString": e.title,
                    "issued": recorded,
                }
            else:
                # chronic conditions, risk factors, disabilities, family history, pregnancies
                # are Conditions with a category naming the book section.
                code = {"text": e.title}
                if e.code:
                    code["coding"] = [{"system": ICD10, "code": e.code}]
                res = {
                    "resourceType": "Condition",
                    "id": rid,
                    "clinicalStatus": _clinical(e.status),
                    "category": [
                        {
                            "coding": [{"system": f"{BASE}:book-section", "code": kind}],
                            "text": labels[kind],
                        }
                    ],
                    "code": code,
                    "subject": subject,
                    "recordedDate": recorded,
                }
                if e.event_date:
                    res["onsetDateTime"] = iso(e.event_date)
            if note and res["resourceType"] != "Observation":
                res["note"] = note
            entries.append(_entry(res))

    for v in view.visits:
        eid = f"v{v.pk}"
        enc = {
            "resourceType": "Encounter",
            "id": eid,
            "status": "finished"
            if v.status == "closed"
            else ("cancelled" if v.status == "cancelled" else "in-progress"),
            "class": {
                "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                "code": "AMB" if v.visit_type in ("01", "02", "07") else "IMP",
            },
            "subject": subject,
            "period": {"start": iso(v.arrived_at)},
            "serviceProvider": {"display": f"{v.facility.name} ({v.facility.code})"},
            "identifier": [{"system": f"{BASE}:ma-lk", "value": v.ma_lk}],
            "reasonCode": [{"text": v.reason}] if v.reason else None,
        }
        if not enc["reasonCode"]:
            del enc["reasonCode"]
        if v.closed_at:
            enc["period"]["end"] = iso(v.closed_at)
        if v.department_id:
            enc["serviceType"] = {"text": v.department.name}
        diag_refs = []
        for d in v.diagnoses.all():
            cid = f"d{d.pk}"
            diag_refs.append({"condition": _ref("Condition", cid), "rank": d.position + 1})
            entries.append(
                _entry(
                    {
                        "resourceType": "Condition",
                        "id": cid,
                        "clinicalStatus": _clinical("active"),
                        "verificationStatus": {"coding": [{"system": VER, "code": "confirmed"}]},
                        "category": [
                            {
                                "coding": [
                                    {
                                        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                                        "code": "encounter-diagnosis",
                                    }
                                ]
                            }
                        ],
                        "code": {
                            "coding": [
                                {
                                    "system": ICD10,
                                    "code": d.icd10,
                                    "display": d.name or view.vi_names.get(d.icd10, ""),
                                }
                            ],
                            "text": d.name or d.icd10,
                        },
                        "subject": subject,
                        "encounter": _ref("Encounter", eid),
                        "recordedDate": iso(v.closed_at or v.arrived_at),
                    }
                )
            )
        if diag_refs:
            enc["diagnosis"] = diag_refs
        closure = getattr(v, "closure", None) if hasattr(v, "closure") else None
        if closure is not None:
            if closure.follow_up_date:
                enc.setdefault("extension", []).append(
                    {
                        "url": f"{BASE}:follow-up-date",
                        "valueDate": closure.follow_up_date.isoformat(),
                    }
                )
            if closure.treatment_summary:
                enc.setdefault("extension", []).append(
                    {"url": f"{BASE}:treatment-summary", "valueString": closure.treatment_summary}
                )
        entries.append(_entry(enc))
        for rx in v.prescriptions.all():
            ms = {
                "resourceType": "MedicationStatement",
                "id": f"rx{rx.pk}",
                "status": "completed" if v.status == "closed" else "active",
                "medicationCodeableConcept": {"text": f"{rx.drug_name} {rx.strength}".strip()},
                "subject": subject,
                "context": _ref("Encounter", eid),
                "dateAsserted": iso(rx.ordered_at),
                "dosage": [
                    {"text": rx.dose + (f", {rx.duration_days} ngày" if rx.duration_days else "")}
                ],
            }
            if rx.drug_code:
                ms["medicationCodeableConcept"]["coding"] = [
                    {"system": f"{BASE}:ma-thuoc", "code": rx.drug_code}
                ]
            entries.append(_entry(ms))
        for r in v.results.all():
            obs = {
                "resourceType": "Observation",
                "id": f"r{r.pk}",
                "status": "final",
                "code": {"text": r.indicator_name},
                "subject": subject,
                "encounter": _ref("Encounter", eid),
                "effectiveDateTime": iso(r.result_at),
            }
            if r.indicator_code:
                obs["code"]["coding"] = [{"system": f"{BASE}:ma-chi-so", "code": r.indicator_code}]
            if r.value:
                obs["valueString"] = f"{r.value} {r.unit}".strip()
            if r.conclusion:
                obs["interpretation"] = [{"text": r.conclusion}]
            entries.append(_entry(obs))

    return {
        "resourceType": "Bundle",
        "id": f"healthbook-p{view.patient.pk}",  # FHIR ids allow [A-Za-z0-9-.] only
        "type": "collection",
        "timestamp": iso(timezone.now()),
        "entry": entries,
    }
