"""Code systems, shared resource parts and small helpers of the FHIR export."""

import gc
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone

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
CLINICAL_STATUS = {
    code: {"coding": [{"system": CLINICAL, "code": code}]}
    for code in ("active", "resolved", "inactive")
}
ALLERGY_STATUS = {
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
ENCOUNTER_CLASS = {
    code: {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": code}
    for code in ("AMB", "IMP")
}
CONFIRMED = {"coding": [{"system": VER, "code": "confirmed"}]}
ENCOUNTER_DIAGNOSIS = [
    {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                "code": "encounter-diagnosis",
            }
        ]
    }
]
BLOOD_GROUP_CODE = {
    "coding": [{"system": "http://loinc.org", "code": "882-1", "display": "ABO and Rh group"}],
    "text": "Nhóm máu",
}


def iso(value, tz=None) -> str | None:
    """A date as it is, a datetime in local time (`tz`, else the current time zone)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(tz or timezone.get_current_timezone()).isoformat()
    return value.isoformat()


def stamp(value, tz) -> str | None:
    """A timestamp column (aware datetime) in local time."""
    return None if value is None else value.astimezone(tz).isoformat()


def entry(resource: dict) -> dict:
    """The Bundle entry of a resource."""
    return {"fullUrl": f"{BASE}:{resource['resourceType']}/{resource['id']}", "resource": resource}


def ref(kind: str, rid) -> dict:
    return {"reference": f"{kind}/{rid}"}


def clinical(status: str) -> dict:
    return CLINICAL_STATUS[status if status in ("active", "resolved") else "inactive"]
