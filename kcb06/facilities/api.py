"""JSON API of facilities: who am I, and the public facts of a facility within my scope."""

from ninja import Router

from kcb06.facilities.services import facility_info_for

router = Router(tags=["facilities"])


@router.get("/me")
def me(request):
    """The caller's facility and role (useful to check an API key)."""
    p = request.principal
    return {
        "username": p.user.get_username(),
        "role": p.role,
        "facility": {"code": p.facility.code, "name": p.facility.name} if p.facility else None,
        "via": p.via,
    }


@router.get("/facilities/{code}")
def facility(request, code: str):
    """Public facts of a facility (MA_CSKCB) the caller may see: its own, or those under a
    health department. 404 `facility_unknown` when no facility has that code."""
    return facility_info_for(request.principal, code)
