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

CASES += [
    Case("visits:today", lambda w: "/reception/today/", via=("session",), expect=frozenset({200})),
    Case(
        "visits:today_find",
        lambda w: "/reception/today/find/",
        method="POST",
        data=lambda w: {"q": "Bí Mật"},
        via=("session",),
        expect=frozenset({200}),
    ),
    # An empty reason and the visit's own department: the owner's answer changes nothing.
    Case(
        "visits:today_cancel",
        lambda w: f"/reception/today/{w.visit.pk}/cancel/",
        method="POST",
        data=lambda w: {"reason": ""},
        via=("session",),
    ),
    Case(
        "visits:today_department",
        lambda w: f"/reception/today/{w.visit.pk}/department/",
        method="POST",
        data=lambda w: {"department": w.visit.department.code},
        via=("session",),
    ),
    Case(
        "visits:patient_search_results",
        lambda w: "/reception/patients/find/",
        method="POST",
        data=lambda w: {"q": "luu thi bi mat 1995"},
        via=("session",),
        expect=frozenset({200}),
    ),
    Case(
        "visits:merge",
        lambda w: "/reception/merge/",
        role="facility_admin",
        via=("session",),
        expect=frozenset({200}),
        control=None,
        note="lists groups of two or more records; the world's patient has no namesake",
    ),
    Case(
        "visits:merge_do",
        lambda w: "/reception/merge/do/",
        method="POST",
        data=lambda w: {"source": w.patient.pk, "target": w.patient.pk + 1, "reason": "x"},
        role="facility_admin",
        via=("session",),
        expect=frozenset({200}),
        control=None,
        note="the outsider's merge is refused with a message; the owner's would change the world",
    ),
    Case(
        "visits:merge_undo",
        lambda w: "/reception/merge/999999/undo/",
        method="POST",
        role="facility_admin",
        via=("session",),
        expect=frozenset({200}),
        control=None,
        note="no such merge at the user's facility: a message, no record",
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
    Exempt("visits:patient_search", "empty search page; results come through its POST"),
]
