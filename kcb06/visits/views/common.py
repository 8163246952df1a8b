"""What the pages of kcb06.visits share: the roles that may use them and how a domain error
is rendered."""

from __future__ import annotations

from django.shortcuts import render

from kcb06.errors import DomainError
from kcb06.facilities.access import error_page
from kcb06.facilities.models import Role

DESK = (Role.RECEPTION, Role.FACILITY_ADMIN)
QUEUE = (Role.CLINICIAN, Role.RECEPTION, Role.FACILITY_ADMIN)


def error(request, template: str, exc: DomainError, extra: dict | None = None, status=200):
    # htmx swaps only 2xx bodies by default: the error is content for the clerk, so answer 200.
    ctx = {"error": exc, "candidates": getattr(exc, "candidates", None)}
    ctx.update(extra or {})
    return render(request, template, ctx, status=status)


def not_found(request, exc: DomainError):
    return error_page(request, exc, "Không tìm thấy")
