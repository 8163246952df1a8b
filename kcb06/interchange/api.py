"""JSON API of interchange: thin handlers over services."""

from ninja import Router

from kcb06.audit.services import read_personal
from kcb06.interchange import outbox, services

router = Router(tags=["interchange"])
PURPOSE = "liên thông dữ liệu BHYT"


@router.get("/interchange/overdue")
def overdue(request):
    """Visits whose XML data the portal has not accepted within KCB06_ACCEPT_DEADLINE_HOURS
    (level "overdue") or KCB06_ACCEPT_WARN_HOURS ("warning") of the visit's end, by facility,
    with the reason in Vietnamese. Codes and MA_LK only, no patient names."""
    return services.overdue(request.principal)


@router.get("/interchange/visits/{visit_id}")
def visit_files(request, visit_id: int):
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


@router.post("/interchange/files/{item_id}/resend")
def resend(request, item_id: int):
    """Re-send a rejected/failed/invalid file after correction (rebuilt from current data)."""
    principal = request.principal
    item = services.item_for(principal, item_id)
    return services.item_dict(outbox.resend(item, principal.user))
