"""JSON API of patients: thin handlers over services. Identifier lookups go in POST bodies so
no ID number or card number ever lands in a URL or an access log."""

from ninja import Router, Schema

from kcb06.patients import services

router = Router(tags=["patients"])


class LookupIn(Schema):
    identifier: str


class SearchIn(Schema):
    name: str
    birth_year: int | None = None


@router.post("/patients/lookup", response=list[dict], summary="Tìm người bệnh theo một định danh")
def lookup(request, body: LookupIn):
    """By personal ID number, old CMND, BHYT card or BHXH number (history included)."""
    rows = services.search(request.principal, body.identifier)
    return [services.patient_dict(p) for p in rows]


@router.post("/patients/search", response=list[dict], summary="Tìm theo họ tên (+ năm sinh)")
def search(request, body: SearchIn):
    """Diacritics and word order optional: "nguyen van a" finds "Nguyễn Văn A"."""
    rows = services.search(request.principal, body.name, body.birth_year)
    return [services.patient_dict(p) for p in rows]


@router.get("/patients/{patient_id}", response=dict, summary="Một người bệnh (theo id)")
def get_patient(request, patient_id: int):
    patient = services.patient_for(request.principal, patient_id, purpose="api_lookup")
    return services.patient_dict(patient, with_identifiers=True)
