"""Logins, logouts and failed logins go into the audit trail too."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from kcb06.audit.services import Action, record
from kcb06.facilities.services import principal_for_user


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    record(principal_for_user(user, ip=_ip(request)), Action.LOGIN, object_type="session")


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(principal_for_user(user, ip=_ip(request)), Action.LOGOUT, object_type="session")


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    record(
        None,
        Action.LOGIN_FAILED,
        object_type="session",
        detail={"username": str(credentials.get("username", ""))[:150], "ip": _ip(request) or ""},
    )
