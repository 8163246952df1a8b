"""JSON API of healthbook: thin handlers over services.

Patients are named by kcb06's internal id (never an ID or card number) in paths."""

import json
from datetime import date

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from ninja import Router, Schema

from kcb06.healthbook import consent as consent_service
from kcb06.healthbook import fhir, icd10, services
from kcb06.healthbook import rows as book_rows

router = Router(tags=["healthbook"])
FHIR_JSON = "application/fhir+json"


class PrescriptionIn(Schema):
    drug_name: str = ""
    drug_code: str = ""
    strength: str = ""
    route: str = ""
    dose: str = ""
    duration_days: int | None = None
    quantity: str | None = None
    unit: str = ""
    unit_price: str | None = None


class ResultIn(Schema):
    indicator_name: str = ""
    indicator_code: str = ""
    service_code: str = ""
    value: str = ""
    unit: str = ""
    description: str = ""
    conclusion: str = ""


class ServiceIn(Schema):
    service_code: str = ""
    service_name: str = ""
    group_code: int = 1
    quantity: str | None = None
    unit_price: str | None = None


class ClosureIn(Schema):
    main_icd10: str
    secondary_icd10: list[str] = []
    final_diagnosis_text: str = ""
    admission_diagnosis: str = ""
    treatment_summary: str = ""
    outcome: str
    discharge_type: str
    follow_up_date: date | None = None
    sick_leave_days: int | None = None
    sick_leave_from: date | None = None
    weight_kg: str | None = None
    note: str = ""
    prescriptions: list[PrescriptionIn] = []
    results: list[ResultIn] = []
    services: list[ServiceIn] = []
    progress_notes: list[str] = []
    version: int | None = None


class EntryIn(Schema):
    kind: str
    title: str = ""
    code: str = ""
    severity: str = ""
    reaction: str = ""
    detail: str = ""
    event_date: date | None = None
    status: str = "active"
    confidential: bool = False


class ConsentIn(Schema):
    scope: str = "read"
    expires_on: date | None = None
    note: str = ""
    covers_confidential: bool = False


@router.get(
    "/patients/{patient_id}/healthbook",
    summary="Sổ sức khỏe dạng FHIR R4 Bundle (application/fhir+json)",
    response={200: dict},
)
def get_healthbook(request, patient_id: int):
    """The whole book; readable during a visit at the caller's facility or with consent."""
    with fhir.collector_paused():
        rows = book_rows.read_book_rows(
            request.principal, patient_id, purpose="xuất sổ sức khỏe (FHIR)"
        )
        # The bundle is a tree (shared parts, no cycles): no need to track every container.
        body = json.dumps(
            fhir.bundle(rows), ensure_ascii=False, cls=DjangoJSONEncoder, check_circular=False
        )
        del rows
    return HttpResponse(body, content_type=FHIR_JSON)


@router.post("/patients/{patient_id}/healthbook/entries", response={201: dict})
def post_entry(request, patient_id: int, body: EntryIn):
    entry = services.add_entry(request.principal, patient_id, body.dict())
    return 201, {"id": entry.pk, "lineage": str(entry.lineage), "version": entry.version}


@router.post("/patients/{patient_id}/healthbook/consents", response={201: dict})
def post_consent(request, patient_id: int, body: ConsentIn):
    consent = consent_service.grant_consent(request.principal, patient_id, body.dict())
    return 201, {
        "id": consent.pk,
        "scope": consent.scope,
        "expires_at": consent.expires_at,
        "covers_confidential": consent.covers_confidential,
    }


@router.post("/healthbook/consents/{consent_id}/revoke", response=dict)
def revoke_consent(request, consent_id: int):
    consent = consent_service.revoke_consent(request.principal, consent_id)
    return {"id": consent.pk, "revoked_at": consent.revoked_at}


@router.post("/visits/{visit_id}/closure", response={200: dict})
def post_closure(request, visit_id: int, body: ClosureIn):
    """Close (or, with `version`, correct) a visit: diagnoses, drugs, results, outcome."""
    data = body.dict()
    closure = services.close_visit(request.principal, visit_id, data)
    return {
        "visit_id": visit_id,
        "version": closure.version,
        "main_icd10": closure.main_icd10,
        "closed_at": closure.closed_at,
    }


@router.get("/icd10", response=list[dict], summary="Tìm mã ICD-10 theo mã hoặc tên (có/không dấu)")
def search_icd10(request, q: str = ""):
    return icd10.search(q[:100], limit=20)
