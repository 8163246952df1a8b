"""JSON API of interchange: thin handlers over services."""

from ninja import Router

from kcb06.apischema import PathId, responses
from kcb06.audit.services import read_personal
from kcb06.interchange import outbox, services

router = Router(tags=["interchange"])
PURPOSE = "liên thông dữ liệu BHYT"


@router.get(
    "/interchange/overdue",
    response=responses({200: dict}),
    summary="Hồ sơ XML quá hạn chưa được cổng tiếp nhận / XML files overdue at the portal",
)
def overdue(request):
    """Visits whose XML data the portal has not accepted within KCB06_ACCEPT_DEADLINE_HOURS
    (level "overdue") or KCB06_ACCEPT_WARN_HOURS ("warning") of the visit's end, by facility,
    with the reason in Vietnamese. Codes and MA_LK only, no patient names."""
    return services.overdue(request.principal)


@router.get(
    "/interchange/visits/{visit_id}",
    response=responses({200: dict}, 404),
    summary="Trạng thái các tệp XML của một đợt khám / A visit's XML files and their state",
)
def visit_files(request, visit_id: PathId):
    """The visit's interchange files with state (waiting, sent, accepted, rejected with code
    and meaning, failed, invalid with field errors)."""
    principal = request.principal
    return {
        "files": read_personal(
            principal,
            lambda: services.visit_state(principal, visit_id),
            what="interchange_visit_files",
            patient_id=None,
            purpose=PURPOSE,
            object_id=visit_id,
        )
    }


@router.post(
    "/interchange/files/{item_id}/resend",
    response=responses({200: dict}, 400, 404, 409),
    summary="Gửi lại một tệp XML sau khi sửa / Re-send an XML file after correction",
)
def resend(request, item_id: PathId):
    """Re-send a rejected/failed/invalid file after correction (rebuilt from current data)."""
    principal = request.principal
    item = services.item_for(principal, item_id)
    return services.item_dict(outbox.resend(item, principal.user))
