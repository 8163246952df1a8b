"""Ticket rendering: QR of the opaque ticket token (never personal data) and the 80 mm PDF."""

import io

import segno
from django.template.loader import render_to_string


def qr_svg(token: str) -> str:
    """Inline SVG of a QR holding only "KCB06-T:<token>": shows the ticket, reveals nothing."""
    buf = io.BytesIO()
    segno.make(f"KCB06-T:{token}", error="m").save(
        buf, kind="svg", scale=4, border=2, xmldecl=False
    )
    return buf.getvalue().decode()


def ticket_pdf(request, ticket) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "visits/ticket.html", {"t": ticket, "qr": qr_svg(ticket.token), "pdf": True}, request
    )
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
