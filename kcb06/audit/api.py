"""JSON API of the audit trail: verify the caller's own facility chain (auditors, admins)."""

from ninja import Router

from kcb06.apischema import responses
from kcb06.audit.services import verify
from kcb06.facilities.models import Role

router = Router(tags=["audit"])


@router.get(
    "/audit/verify",
    response=responses({200: dict}),
    summary="Kiểm tra chuỗi băm nhật ký / Verify the audit hash chain",
)
def verify_chain(request):
    """Recompute the hash chain of the caller's facility; `ok` false means tampering."""
    principal = request.principal
    principal.require_role(Role.AUDITOR, Role.FACILITY_ADMIN)
    return verify(facility_ids={principal.facility_id}).as_dict()
