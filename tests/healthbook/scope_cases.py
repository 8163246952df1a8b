"""Facility-scope cases of the health book (collected by tests/platform/test_scope.py).

The world's patient has an open visit at 27903 only: a clinician of 27901 must not read or
write her book; the clinician of 27903 (the owner) must."""

from datetime import timedelta

from django.utils import timezone

from tests.platform.scope import Case, Exempt

SECRET_ALLERGY = "Dị ứng bí mật hạt điều"
C = "clinician"
PAGE = ("session",)
F403 = frozenset({403, 404})


def extend_world(w):
    from kcb06.healthbook import services
    from kcb06.healthbook.models import BookEntry, Consent

    book = services.book_of(w.patient)
    w.extra["hb_token"] = book.token
    entry = BookEntry.objects.create(
        patient=w.patient, kind="allergy", title=SECRET_ALLERGY, severity="severe"
    )
    w.extra["hb_entry"] = entry
    w.extra["hb_consent"] = Consent.objects.create(
        patient=w.patient,
        facility=w.visit.facility,
        granted_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=30),
    )
    w.secrets.append(SECRET_ALLERGY)


def _tok(w):
    return w.extra["hb_token"]


def _future():
    return (timezone.localdate() + timedelta(days=30)).isoformat()


CASES = [
    Case(
        "healthbook:worklist", lambda w: "/healthbook/", role=C, via=PAGE, expect=frozenset({200})
    ),
    Case("healthbook:book", lambda w: f"/healthbook/b/{_tok(w)}/", role=C, via=PAGE),
    Case(
        "healthbook:entry_add",
        lambda w: f"/healthbook/b/{_tok(w)}/entries/",
        method="POST",
        data=lambda w: {"kind": "allergy", "title": "Tôm", "severity": "mild"},
        role=C,
        via=PAGE,
        control="ok",
    ),
    Case(
        "healthbook:entry_correct",
        lambda w: f"/healthbook/b/{_tok(w)}/entries/{w.extra['hb_entry'].pk}/correct/",
        role=C,
        via=PAGE,
    ),
    Case(
        "healthbook:entry_history",
        lambda w: f"/healthbook/b/{_tok(w)}/entries/{w.extra['hb_entry'].pk}/history/",
        role=C,
        via=PAGE,
    ),
    Case(
        "healthbook:timeline_more",
        lambda w: f"/healthbook/b/{_tok(w)}/visits/?offset=0",
        role=C,
        via=PAGE,
        control="ok",
        note="rows of visits carry reasons/diagnoses, not the name",
    ),
    Case(
        "healthbook:section",
        lambda w: f"/healthbook/b/{_tok(w)}/sections/allergy/",
        role=C,
        via=PAGE,
    ),
    Case("healthbook:print", lambda w: f"/healthbook/b/{_tok(w)}/print/", role=C, via=PAGE),
    Case(
        "healthbook:pdf",
        lambda w: f"/healthbook/b/{_tok(w)}/pdf/",
        role=C,
        via=PAGE,
        control="ok",
        note="PDF body is compressed; the owner's 200 proves the case reaches the data",
    ),
    Case(
        "healthbook:consent_add",
        lambda w: f"/healthbook/b/{_tok(w)}/consents/",
        method="POST",
        data=lambda w: {"scope": "read", "expires_on": _future()},
        role=C,
        via=PAGE,
        control="ok",
    ),
    Case(
        "healthbook:consent_revoke",
        lambda w: f"/healthbook/b/{_tok(w)}/consents/{w.extra['hb_consent'].pk}/revoke/",
        method="POST",
        role=C,
        via=PAGE,
        control="ok",
    ),
    Case("healthbook:close", lambda w: f"/healthbook/visits/{w.visit.pk}/close/", role=C, via=PAGE),
    Case(
        "healthbook:visit_book",
        lambda w: f"/healthbook/visits/{w.visit.pk}/",
        role=C,
        via=PAGE,
        control="ok",
        note="redirects the owner to the book's page (the book itself is the healthbook:book case)",
    ),
    Case(
        "GET /api/v1/patients/{patient_id}/healthbook",
        lambda w: f"/api/v1/patients/{w.patient.pk}/healthbook",
        role=C,
    ),
    Case(
        "POST /api/v1/patients/{patient_id}/healthbook/entries",
        lambda w: f"/api/v1/patients/{w.patient.pk}/healthbook/entries",
        method="POST",
        data=lambda w: {"kind": "risk", "title": "Hút thuốc lá"},
        role=C,
        control="ok",
    ),
    Case(
        "POST /api/v1/patients/{patient_id}/healthbook/consents",
        lambda w: f"/api/v1/patients/{w.patient.pk}/healthbook/consents",
        method="POST",
        data=lambda w: {"scope": "read", "expires_on": _future()},
        role=C,
        control="ok",
    ),
    Case(
        "POST /api/v1/healthbook/consents/{consent_id}/revoke",
        lambda w: f"/api/v1/healthbook/consents/{w.extra['hb_consent'].pk}/revoke",
        method="POST",
        role=C,
        control="ok",
    ),
    Case(
        "POST /api/v1/visits/{visit_id}/closure",
        lambda w: f"/api/v1/visits/{w.visit.pk}/closure",
        method="POST",
        data=lambda w: {
            "main_icd10": "J06.9",
            "outcome": "2",
            "discharge_type": "1",
            "weight_kg": "60",
            "prescriptions": [
                {
                    "drug_name": "Paracetamol",
                    "dose": "1 viên",
                    "quantity": "10",
                    "unit_price": "500",
                }
            ],
        },
        role=C,
        control="ok",
    ),
]

EXEMPT = [
    Exempt("healthbook:icd10_search", "ICD-10 catalogue search, no patient data"),
    Exempt("GET /api/v1/icd10", "ICD-10 catalogue search, no patient data"),
]
