"""The printed queue ticket, as a page and as a PDF."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_sameorigin

from kcb06.errors import DomainError
from kcb06.facilities.access import role_required
from kcb06.visits import services
from kcb06.visits.kiosk import KIOSK_ROLES
from kcb06.visits.tickets import qr_svg, ticket_pdf
from kcb06.visits.views.common import DESK, not_found


# The desk and the kiosk print the ticket through a hidden frame of their own page: same-origin
# framing only (the rest of the site keeps X-Frame-Options DENY).
@xframe_options_sameorigin
@role_required(*KIOSK_ROLES)
def ticket_html(request, token: str):
    try:
        ticket = services.ticket_by_token(request.principal, token)
    except DomainError as exc:
        return not_found(request, exc)
    return render(
        request,
        "visits/ticket.html",
        {"t": ticket, "qr": qr_svg(ticket.token), "autoprint": request.GET.get("print") == "1"},
    )


@role_required(*DESK)
def ticket_pdf_view(request, token: str):
    try:
        ticket = services.ticket_by_token(request.principal, token)
    except DomainError as exc:
        return not_found(request, exc)
    pdf = ticket_pdf(request, ticket)
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="phieu-{ticket.number}.pdf"'
    return resp
