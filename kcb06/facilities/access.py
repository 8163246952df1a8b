"""View decorators for role checks, and the page a refusal is shown on: a Vietnamese page
(web/error.html), never a stack trace."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from kcb06.errors import DomainError

NOT_DONE = "Không thực hiện được"


def error_page(request, exc: DomainError, title: str = NOT_DONE):
    """The page for a refusal a service raised, with the refusal's status (400 at least)."""
    return render(
        request,
        "web/error.html",
        {"title": title, "message": exc.message_vi, "code": exc.code},
        status=exc.status if exc.status >= 400 else 400,
    )


def refusals_answered(answer):
    """A decorator: the view's service refusals (DomainError) are answered by
    `answer(request, exc)` instead of a 500."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except DomainError as exc:
                return answer(request, exc)

        return wrapper

    return decorator


refusals_shown = refusals_answered(error_page)  # on the error page (web/error.html)


def role_required(*roles: str):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            principal = getattr(request, "principal", None)
            if principal is None or principal.profile is None or principal.role not in roles:
                return render(
                    request,
                    "web/error.html",
                    {
                        "title": "Không có quyền truy cập",
                        "message": "Vai trò của bạn không được phép mở trang này. "
                        "Hãy liên hệ quản trị cơ sở nếu bạn cần quyền này.",
                        "code": "forbidden_role",
                    },
                    status=403,
                )
            return view(request, *args, **kwargs)

        wrapper.required_roles = roles
        return wrapper

    return decorator
