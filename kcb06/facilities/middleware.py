from kcb06.facilities.services import principal_for_user


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


class StaffContextMiddleware:
    """Puts `request.principal` (user + facility + role) on every request for views to use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.principal = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request.principal = principal_for_user(user, via="session", ip=client_ip(request))
        return self.get_response(request)
