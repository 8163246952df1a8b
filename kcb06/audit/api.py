"""JSON API of the audit trail: verify the caller's own facility chains (auditors, admins)."""

from ninja import Router

from kcb06.apischema import responses
from kcb06.audit.services import verify
from kcb06.facilities.models import Role

router = Router(tags=["audit"])

_SERVER_ONLY = ("file", "checkpoint")  # paths on the server: for the operator's CLI only


@router.get(
    "/audit/verify",
    response=responses({200: dict}),
    summary="Kiểm tra chuỗi băm nhật ký / Verify the audit hash chain",
)
def verify_chain(request):
    """Recompute the MAC chains of the caller's facility and hold them against the signed
    checkpoints; `ok` false means tampering (`problems` say what and where)."""
    principal = request.principal
    principal.require_role(Role.AUDITOR, Role.FACILITY_ADMIN)
    report = verify(facility_ids={principal.facility_id}).as_dict()
    for item in report["problems"] + report["warnings"]:
        for key in _SERVER_ONLY:
            item.pop(key, None)
    return report
