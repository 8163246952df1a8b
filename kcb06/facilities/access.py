"""View decorators for role checks; they render a Vietnamese 403 page, never a stack trace."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render


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
