"""JSON API of healthbook: thin handlers over services.

Patients are named by kcb06's internal id (never an ID or card number) in paths."""

import json
from datetime import date
from typing import Annotated, Literal

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field, StringConstraints

from kcb06.apischema import PathId, responses
from kcb06.healthbook import consent as consent_service
from kcb06.healthbook import fhir, icd10, services
from kcb06.healthbook import rows as book_rows
from kcb06.healthbook.models import DischargeType, Outcome
from kcb06.limits import CLOSURE_MAX_ROWS, MAX_ID, TEXT_MAX_CHARS

router = Router(tags=["healthbook"])
FHIR_JSON = "application/fhir+json"


def Text(most: int):  # noqa: N802 - reads as a type in the schemas below
    return Annotated[str, StringConstraints(max_length=most)]


Amount = Annotated[str, StringConstraints(max_length=32)] | None
Rows = CLOSURE_MAX_ROWS


class PrescriptionIn(Schema):
    # A row of the facility's drug catalogue (any period of the item): codes, tender data and
    # price then come from its row valid on the visit's date. Without it or drug_code, the
    # drug is free text: a note, never a claim line (docs/catalogue.md).
    catalogue_id: int | None = Field(None, ge=1, le=MAX_ID)
    drug_name: Text(1024) = ""
    drug_code: Text(255) = ""
    strength: Text(1024) = ""
    route: Text(4) = ""
    dose: Text(1024) = ""
    duration_days: int | None = Field(None, ge=1, le=365)
    quantity: Amount = None
    unit: Text(50) = ""
    unit_price: Amount = None


class ResultIn(Schema):
    indicator_name: Text(255) = ""
    indicator_code: Text(50) = ""
    service_code: Text(50) = ""
    value: Text(50) = ""
    unit: Text(50) = ""
    description: Text(TEXT_MAX_CHARS) = ""
    conclusion: Text(TEXT_MAX_CHARS) = ""


class ServiceIn(Schema):
    catalogue_id: int | None = Field(None, ge=1, le=MAX_ID)  # a service catalogue row
    service_code: Text(50) = ""
    service_name: Text(1024) = ""
    group_code: int = Field(1, ge=1, le=99)
    quantity: Amount = None
    unit_price: Amount = None


class ClosureIn(Schema):
    main_icd10: Annotated[str, StringConstraints(min_length=1, max_length=16)]
    secondary_icd10: list[Text(16)] = Field(default_factory=list, max_length=Rows)
    final_diagnosis_text: Text(TEXT_MAX_CHARS) = ""
    admission_diagnosis: Text(TEXT_MAX_CHARS) = ""
    treatment_summary: Text(TEXT_MAX_CHARS) = ""
    outcome: Literal[tuple(Outcome.values)] = Field(description="KET_QUA_DTRI")
    discharge_type: Literal[tuple(DischargeType.values)] = Field(description="MA_LOAI_RV")
    referral_to: Text(5) = Field("", description="MA_NOI_DEN / MA_CSKCB_DEN (transfer)")
    referral_condition: Text(TEXT_MAX_CHARS) = Field("", description="TINH_TRANG_CT (transfer)")
    referral_transport: Text(255) = Field("", description="PHUONGTIEN_VC (transfer)")
    follow_up_date: date | None = None
    sick_leave_days: int | None = Field(None, ge=1, le=180)
    sick_leave_from: date | None = None
    sick_leave_employer: Text(1024) = Field("", description="DON_VI (XML11)")
    weight_kg: Amount = None
    note: Text(TEXT_MAX_CHARS) = ""
    prescriptions: list[PrescriptionIn] = Field(default_factory=list, max_length=Rows)
    results: list[ResultIn] = Field(default_factory=list, max_length=Rows)
    services: list[ServiceIn] = Field(default_factory=list, max_length=Rows)
    progress_notes: list[Text(TEXT_MAX_CHARS)] = Field(default_factory=list, max_length=Rows)
    version: int | None = Field(
        None, ge=1, le=2**31 - 1, description="Phiên bản đang sửa / version being corrected"
    )


class EntryIn(Schema):
    kind: Annotated[str, StringConstraints(min_length=1, max_length=16)]
    title: Text(255) = ""
    code: Text(20) = ""
    severity: Text(10) = ""
    reaction: Text(255) = ""
    detail: Text(TEXT_MAX_CHARS) = ""
    event_date: date | None = None
    status: Text(16) = "active"
    confidential: bool = False


class ConsentIn(Schema):
    scope: Text(12) = "read"
    expires_on: date | None = None
    note: Text(255) = ""
    covers_confidential: bool = False


@router.get(
    "/patients/{patient_id}/healthbook",
    summary="Sổ sức khỏe dạng FHIR R4 Bundle / Health book as a FHIR R4 Bundle",
    response=responses({200: dict}, 404),
    openapi_extra={
        "responses": {
            200: {
                "description": "FHIR R4 Bundle (type document)",
                "content": {FHIR_JSON: {"schema": {"type": "object"}}},
            }
        }
    },
)
def get_healthbook(request, patient_id: PathId):
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


@router.post(
    "/patients/{patient_id}/healthbook/entries",
    response=responses({201: dict}, 400, 404, 413),
    summary="Thêm một mục vào sổ sức khỏe / Add an entry to the health book",
)
def post_entry(request, patient_id: PathId, body: EntryIn):
    entry = services.add_entry(request.principal, patient_id, body.dict())
    return 201, {"id": entry.pk, "lineage": str(entry.lineage), "version": entry.version}


@router.post(
    "/patients/{patient_id}/healthbook/consents",
    response=responses({201: dict}, 400, 404, 413),
    summary="Ghi nhận đồng ý chia sẻ sổ / Record the patient's consent to share the book",
)
def post_consent(request, patient_id: PathId, body: ConsentIn):
    consent = consent_service.grant_consent(request.principal, patient_id, body.dict())
    return 201, {
        "id": consent.pk,
        "scope": consent.scope,
        "expires_at": consent.expires_at,
        "covers_confidential": consent.covers_confidential,
    }


@router.post(
    "/healthbook/consents/{consent_id}/revoke",
    response=responses({200: dict}, 400, 404, 409),
    summary="Thu hồi một đồng ý / Revoke a consent",
)
def revoke_consent(request, consent_id: PathId):
    consent = consent_service.revoke_consent(request.principal, consent_id)
    return {"id": consent.pk, "revoked_at": consent.revoked_at}


@router.post(
    "/visits/{visit_id}/closure",
    response=responses({200: dict}, 400, 404, 409, 413),
    summary="Kết thúc (hoặc sửa) một đợt khám / Close (or correct) a visit",
)
def post_closure(request, visit_id: PathId, body: ClosureIn):
    """Close (or, with `version`, correct) a visit: diagnoses, drugs, results, outcome."""
    data = body.dict()
    closure = services.close_visit(request.principal, visit_id, data)
    return {
        "visit_id": visit_id,
        "version": closure.version,
        "main_icd10": closure.main_icd10,
        "closed_at": closure.closed_at,
        # Why the claim cannot be sent yet though the visit is closed (no drug catalogue).
        "warnings": closure.claim_notices,
    }


@router.get(
    "/icd10",
    response=responses({200: list[dict]}),
    summary="Tìm mã ICD-10 theo mã hoặc tên (có/không dấu) / Search ICD-10 by code or name",
)
def search_icd10(request, q: Annotated[str, Query(max_length=100)] = ""):
    return icd10.search(q, limit=20)
