"""JSON API of facilities: who am I, which facility."""

from ninja import Router

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
