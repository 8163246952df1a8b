"""JSON API of facilities: who am I, and the public facts of a facility within my scope."""

from typing import Annotated

from ninja import Path, Router

from kcb06.apischema import responses
from kcb06.facilities.services import facility_info_for

router = Router(tags=["facilities"])


@router.get(
    "/me",
    response=responses({200: dict}),
    summary="Tôi là ai (cơ sở, vai trò) / Who am I (facility, role)",
)
def me(request):
    """The caller's facility and role (useful to check an API key)."""
    p = request.principal
    return {
        "username": p.user.get_username(),
        "role": p.role,
        "facility": {"code": p.facility.code, "name": p.facility.name} if p.facility else None,
        "via": p.via,
    }


@router.get(
    "/facilities/{code}",
    response=responses({200: dict}, 400, 404),
    summary="Thông tin một cơ sở KCB (MA_CSKCB) / One health facility by code",
)
def facility(
    request, code: Annotated[str, Path(min_length=1, max_length=32, description="MA_CSKCB")]
):
    """Public facts of a facility (MA_CSKCB) the caller may see: its own, or those under a
    health department. 404 `facility_unknown` when no facility has that code."""
    return facility_info_for(request.principal, code)
