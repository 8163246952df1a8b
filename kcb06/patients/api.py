"""JSON API of patients: thin handlers over services. Identifier lookups go in POST bodies so
no ID number or card number ever lands in a URL or an access log."""

from typing import Annotated

from ninja import Router, Schema
from pydantic import Field, StringConstraints

from kcb06.apischema import PathId, responses
from kcb06.limits import SEARCH_MAX_CHARS, SEARCH_MAX_WORDS
from kcb06.patients import services

router = Router(tags=["patients"])

# At least one character that is neither a space nor NUL (NUL is removed from every text, so
# "\u0000" alone would arrive empty): the schema says what the server enforces.
SearchText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=SEARCH_MAX_CHARS, pattern=r"[^\s\x00]"),
]


class LookupIn(Schema):
    identifier: SearchText = Field(description="Số định danh, CMND, mã thẻ BHYT hoặc mã số BHXH")


class SearchIn(Schema):
    name: SearchText = Field(
        description=f"Họ tên, có hoặc không dấu; chỉ {SEARCH_MAX_WORDS} từ đầu được so khớp / "
        f"full name; only the first {SEARCH_MAX_WORDS} words are matched"
    )
    birth_year: int | None = Field(None, ge=1880, le=2100)


class PatientOut(Schema):
    id: int
    full_name: str
    date_of_birth: str | None
    birth_year: int | None
    sex: str
    address: str
    initials: str


class IdentifierOut(Schema):
    kind: str
    value: str
    is_active: bool


class PatientDetailOut(PatientOut):
    identifiers: list[IdentifierOut]


@router.post(
    "/patients/lookup",
    response=responses({200: list[PatientOut]}, 400, 413),
    summary="Tìm người bệnh theo một định danh / Look up patients by one identifier",
)
def lookup(request, body: LookupIn):
    """By personal ID number, old CMND, BHYT card or BHXH number (history included)."""
    rows = services.search(request.principal, body.identifier)
    return [services.patient_dict(p) for p in rows]


@router.post(
    "/patients/search",
    response=responses({200: list[PatientOut]}, 400, 413),
    summary="Tìm theo họ tên (+ năm sinh) / Search patients by name (+ birth year)",
)
def search(request, body: SearchIn):
    """Diacritics and word order optional: "nguyen van a" finds "Nguyễn Văn A"."""
    rows = services.search(request.principal, body.name, body.birth_year)
    return [services.patient_dict(p) for p in rows]


@router.get(
    "/patients/{patient_id}",
    response=responses({200: PatientDetailOut}, 404),
    summary="Một người bệnh (theo id) / One patient by id",
)
def get_patient(request, patient_id: PathId):
    patient = services.patient_for(request.principal, patient_id, purpose="api_lookup")
    return services.patient_dict(patient, with_identifiers=True)
