"""FHIR export (validated with fhir.resources R4B models), API close, consent and scope."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from kcb06.audit.models import AuditEntry
from kcb06.errors import DomainError
from kcb06.facilities.services import create_api_key, principal_for_user
from kcb06.healthbook import consent as consent_service
from kcb06.healthbook import services
from kcb06.healthbook.icd10 import FieldError
from kcb06.healthbook.models import Consent, VisitClosure
from tests.healthbook import factories as f


def validate_bundle(data: dict) -> dict[str, list[dict]]:
    """Validate the Bundle and every resource in it with its own R4(B) model."""
    get_fhir_model_class("Bundle").model_validate(data)
    by_type: dict[str, list[dict]] = {}
    for entry in data["entry"]:
        res = entry["resource"]
        get_fhir_model_class(res["resourceType"]).model_validate(res)
        by_type.setdefault(res["resourceType"], []).append(res)
    return by_type


@pytest.fixture
def clinic_api(org):
    """An API key acting as the clinician bacsi (the demo key acts as reception, which never
    reads health books)."""
    key = create_api_key(org["facilities"]["27901"], "HIS phòng khám", org["users"]["bacsi"])
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def book(org):
    bacsi = f.principal(org)
    p = f.patient()
    past = f.visit(p, days_ago=30)
    services.close_visit(bacsi, past, {**f.CLOSE, "main_icd10": "E11.9", "secondary_icd10": []})
    v = f.visit(p)
    for data in (
        {"kind": "allergy", "title": "Penicillin", "severity": "severe", "reaction": "Sốc phản vệ"},
        {"kind": "vaccination", "title": "Viêm gan B mũi 3", "event_date": "2020-01-05"},
        {"kind": "surgery", "title": "Mổ ruột thừa", "event_date": "2015-06-01"},
        {"kind": "medication", "title": "Amlodipin 5mg mỗi sáng"},
        {"kind": "chronic", "title": "Tăng huyết áp", "code": "I10"},
        {"kind": "risk", "title": "Hút thuốc lá", "detail": "10 điếu/ngày"},
        {"kind": "blood_group", "title": "O+"},
    ):
        services.add_entry(bacsi, p.pk, data)
    follow = timezone.localdate() + timedelta(days=10)
    services.close_visit(
        bacsi,
        v,
        {**f.CLOSE, "main_icd10": "J06.9", "secondary_icd10": ["I10"], "follow_up_date": follow},
    )
    return p, v, follow


def test_fhir_export_is_valid_r4_and_shows_the_book(clinic_api, api_client, book):
    p, v, follow = book
    denied = api_client.get(f"/api/v1/patients/{p.pk}/healthbook")
    assert denied.status_code == 403 and p.full_name not in denied.content.decode()
    resp = clinic_api.get(f"/api/v1/patients/{p.pk}/healthbook")
    assert resp.status_code == 200, resp.content
    assert resp["Content-Type"].startswith("application/fhir+json")
    data = json.loads(resp.content)
    by_type = validate_bundle(data)
    for kind in (
        "Patient",
        "Condition",
        "AllergyIntolerance",
        "Immunization",
        "Encounter",
        "MedicationStatement",
        "Observation",
        "Procedure",
    ):
        assert kind in by_type, kind
    allergy = by_type["AllergyIntolerance"][0]
    assert (
        allergy["code"]["text"] == "Penicillin" and allergy["reaction"][0]["severity"] == "severe"
    )
    codes = {c["code"]["coding"][0]["code"] for c in by_type["Condition"] if "coding" in c["code"]}
    assert {"J06.9", "I10", "E11.9"} <= codes
    enc = next(e for e in by_type["Encounter"] if e["id"] == f"v{v.pk}")
    assert {"url": "urn:kcb06:follow-up-date", "valueDate": follow.isoformat()} in enc["extension"]
    assert len(by_type["Encounter"]) == 2
    # No ID number in the export; the read is audited with its purpose.
    assert "027" not in json.dumps(by_type["Patient"])
    assert AuditEntry.objects.filter(
        patient_id=p.pk, action="read", purpose__contains="FHIR"
    ).exists()


def test_api_close_visit_and_bad_input(clinic_api, api_client, org):
    p = f.patient()
    v = f.visit(p)
    url = f"/api/v1/visits/{v.pk}/closure"
    body = {**f.CLOSE, "main_icd10": "U99.9"}
    resp = clinic_api.post(url, body, content_type="application/json")
    assert resp.status_code == 400
    err = resp.json()["error"]
    assert err["code"] == "invalid_main_icd10" and "không có trong danh mục" in err["message_vi"]
    assert err["message_en"]
    rx = [{"drug_name": "Amoxicillin", "dose": ""}]
    resp = clinic_api.post(url, {**f.CLOSE, "prescriptions": rx}, content_type="application/json")
    assert resp.json()["error"]["code"] == "invalid_prescriptions_0_dose"
    assert not VisitClosure.objects.exists()
    ok = {**f.CLOSE, "secondary_icd10": ["I10", "K29.7"]}
    # Reception (the demo key) may not close a visit.
    assert api_client.post(url, ok, content_type="application/json").status_code == 403
    resp = clinic_api.post(url, ok, content_type="application/json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["main_icd10"] == "J06.9"


def test_icd10_api_search(api_client):
    rows = api_client.get("/api/v1/icd10", {"q": "J06"}).json()
    assert any(r["code"] == "J06.9" for r in rows)


def test_access_needs_open_visit_or_live_consent(org, book):
    p, v, _ = book
    outsider = principal_for_user(f.clinician_at(org, "27903"))
    with pytest.raises(DomainError) as err:
        services.read_book(outsider, p.pk)
    assert err.value.status == 403
    # Consent recorded at 27903 (the patient is known there) opens the book ...
    from kcb06.patients.models import PatientFacility

    PatientFacility.objects.create(patient=p, facility=org["facilities"]["27903"])
    expired_day = (timezone.localdate() - timedelta(days=1)).isoformat()
    with pytest.raises(FieldError) as err:
        consent_service.grant_consent(outsider, p.pk, {"expires_on": expired_day})
    assert err.value.field == "expires_on" and "hết hạn" in err.value.message_vi
    assert not Consent.objects.exists()
    consent = consent_service.grant_consent(
        outsider, p.pk, {"expires_on": (timezone.localdate() + timedelta(days=30)).isoformat()}
    )
    assert services.read_book(outsider, p.pk).basis == "consent"
    # ... until it expires ...
    Consent.objects.filter(pk=consent.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert services.access_basis(outsider, p.pk) is None
    with pytest.raises(DomainError) as err:
        services.read_book(outsider, p.pk)
    assert err.value.code == "healthbook_consent_expired" and "đã hết hạn" in err.value.message_vi
    # ... or is revoked.
    Consent.objects.filter(pk=consent.pk).update(expires_at=timezone.now() + timedelta(days=1))
    consent_service.revoke_consent(outsider, consent.pk)
    assert services.access_basis(outsider, p.pk) is None
    with pytest.raises(DomainError) as err:
        services.read_book(outsider, p.pk)
    assert err.value.code == "healthbook_consent_revoked"
    # A health department never reads a book, a receptionist neither.
    for username in ("soyte", "tiepdon"):
        assert services.access_basis(f.principal(org, username), p.pk) is None


def test_health_dept_and_other_facility_get_403_on_export(org, book, client):
    p, *_ = book
    for user in (org["users"]["soyte"], f.clinician_at(org, "27903")):
        client.force_login(user)
        resp = client.get(f"/api/v1/patients/{p.pk}/healthbook")
        assert resp.status_code == 403
        assert p.full_name not in resp.content.decode()
