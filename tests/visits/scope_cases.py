"""Facility-scope cases of reception: check-in, visits, tickets, desk/kiosk/board/clinic pages."""

from tests.platform.scope import Case, Exempt


def extend_world(w):
    import secrets

    from kcb06.visits.models import Ticket

    w.extra["ticket"] = Ticket.objects.create(
        visit=w.visit,
        department=w.visit.department,
        day=w.visit.visit_date,
        number=7,
        token=secrets.token_urlsafe(12),
    )


def _dep_other(w):
    return w.visit.department_id


CASES = [
    Case("GET /api/v1/visits/{visit_id}", lambda w: f"/api/v1/visits/{w.visit.pk}"),
    Case(
        "GET /api/v1/tickets/{token}",
        lambda w: f"/api/v1/tickets/{w.extra['ticket'].token}",
        note="answers MA_LK, which is one of the world's secrets",
    ),
    # A typed ID number of a patient known only elsewhere: the clerk must type name and DOB;
    # the number alone never reveals the record (409 needs_details).
    Case(
        "POST /api/v1/check-ins",
        lambda w: "/api/v1/check-ins",
        method="POST",
        data=lambda w: {"scan": w.id_number, "department": "K01"},
        expect=frozenset({409}),
        control="sees",
    ),
    Case(
        "visits:reception_scan",
        lambda w: "/reception/scan/",
        method="POST",
        data=lambda w: {"scan": w.id_number},
        via=("session",),
        expect=frozenset({200}),
    ),
    Case(
        "visits:reception_check_in",
        lambda w: "/reception/check-in/",
        method="POST",
        data=lambda w: {"scan": w.id_number, "department": "K01"},
        via=("session",),
        expect=frozenset({200}),
        control="ok",
    ),
    Case(
        "visits:kiosk_step",
        lambda w: "/kiosk/step/",
        method="POST",
        data=lambda w: {"step": "scan", "scan": w.id_number},
        via=("session",),
        expect=frozenset({200}),
        control="ok",
        note="a typed number at the kiosk asks for the date of birth first and echoes nothing",
    ),
    Case(
        "visits:ticket",
        lambda w: f"/tickets/{w.extra['ticket'].token}/",
        via=("session",),
        control="ok",
        note="the ticket shows initials and number, never the name",
    ),
    Case(
        "visits:ticket_pdf",
        lambda w: f"/tickets/{w.extra['ticket'].token}/pdf/",
        via=("session",),
        control="ok",
    ),
    Case(
        "visits:clinic_action",
        lambda w: "/clinic/next/",
        method="POST",
        data=lambda w: {"department": _dep_other(w)},
        role="clinician",
        via=("session",),
        expect=frozenset({200}),
        control="ok",
        note="another facility's department is refused with a message",
    ),
]

EXEMPT = [
    Exempt("GET /api/v1/departments", "the caller's own departments, no patient data"),
    Exempt("GET /api/v1/queue/board", "numbers and rooms of the caller's facility only"),
    Exempt("visits:reception", "empty desk page; data comes through reception_scan"),
    Exempt("visits:kiosk", "first kiosk screen, no patient data"),
    Exempt("visits:board", "numbers and rooms of the user's facility only"),
    Exempt("visits:board_state", "numbers and rooms of the user's facility only"),
    Exempt("visits:clinic", "queue counts of the user's own facility, no names"),
]
