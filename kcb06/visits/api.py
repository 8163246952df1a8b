"""JSON API of check-in, visits, tickets and departments: thin handlers over services."""

from datetime import date
from typing import Annotated, Literal

from django.http import JsonResponse
from ninja import Path, Router, Schema, Status
from pydantic import Field, StringConstraints

from kcb06.apischema import BodyId, CandidateErrorOut, NameText, PathId, responses
from kcb06.identity.scan import MAX_SCAN_LENGTH
from kcb06.visits import departments, queue, serialize, services

router = Router(tags=["visits"])


class CheckInIn(Schema):
    scan: Annotated[str, StringConstraints(min_length=1, max_length=MAX_SCAN_LENGTH)] = Field(
        description="Nội dung quét/nhập: QR CCCD, QR VNeID, số định danh, mã thẻ BHYT, mã BHXH"
    )
    department: Annotated[str, StringConstraints(min_length=1, max_length=20)] = Field(
        description="Mã khoa (MA_KHOA), e.g. K01"
    )
    # For a typed ID/BHYT/BHXH number of someone unknown (else 409 needs_details):
    full_name: NameText | None = None
    date_of_birth: date | None = None
    sex: Literal["male", "female"] | None = None
    # Decision on likely duplicates (else 409 possible_duplicates with candidates):
    link_patient_id: BodyId | None = None
    create_new: bool = False
    reason: Annotated[str, StringConstraints(max_length=1024)] = ""


@router.post(
    "/check-ins",
    response={**responses({200: dict, 201: dict}, 400, 404, 413), 409: CandidateErrorOut},
    summary="Tiếp đón một người bệnh từ một lần quét / Check a patient in from one scan",
)
def post_check_in(request, body: CheckInIn):
    """201 with patient, visit (MA_LK), eligibility verdict and ticket; 200 with the same visit
    and ticket when the same person is checked in again for the same department the same day.
    Errors: 4xx {"error": {code, message_vi, message_en}} — e.g. not_an_id, department_closed,
    needs_details, possible_duplicates (with `candidates`), database_unavailable (503)."""
    confirm = {
        "full_name": body.full_name,
        "date_of_birth": body.date_of_birth,
        "sex": body.sex,
        "link_patient_id": body.link_patient_id,
        "create_new": body.create_new,
    }
    try:
        result = services.check_in(
            body.scan, body.department, request.principal, confirm=confirm, reason=body.reason
        )
    except services.DomainError as exc:
        candidates = getattr(exc, "candidates", None)
        if candidates is None:
            raise
        # The candidates ride beside the error; answered directly so that this router needs
        # nothing from the API object that mounts it (kcb06.api imports this module).
        return JsonResponse({"error": exc.as_dict(), "candidates": candidates}, status=exc.status)
    return Status(201 if result.created else 200, result.as_dict())


@router.get(
    "/departments",
    response=responses({200: list[dict]}),
    summary="Khoa/phòng của cơ sở và hôm nay có nhận / Departments and whether open today",
)
def get_departments(request):
    return departments.departments_today(request.principal)


@router.get(
    "/visits/{visit_id}",
    response=responses({200: dict}, 404),
    summary="Một đợt khám (theo id) / One visit by id",
)
def get_visit(request, visit_id: PathId):
    visit = services.visit_for(request.principal, visit_id)
    from kcb06.patients.services import patient_dict

    out = serialize.visit_dict(visit)
    out["patient"] = patient_dict(visit.patient)
    ticket = getattr(visit, "ticket", None)
    out["ticket"] = serialize.ticket_dict(ticket) if ticket else None
    return out


@router.get(
    "/tickets/{token}",
    response=responses({200: dict}, 404),
    summary="Một phiếu số thứ tự (theo mã phiếu) / One queue ticket by its token",
)
def get_ticket(
    request, token: Annotated[str, Path(min_length=1, max_length=32, description="Mã phiếu")]
):
    ticket = services.ticket_by_token(request.principal, token)
    out = serialize.ticket_dict(ticket)
    out["visit_id"] = ticket.visit_id
    out["ma_lk"] = ticket.visit.ma_lk
    return out


@router.get(
    "/queue/board",
    response=responses({200: dict}),
    summary="Số đang gọi theo phòng (màn hình chờ) / Numbers being called, by room",
)
def get_board(request):
    return queue.board_state(request.principal.facility_id)
