"""Facility-scope cases of the patient index API."""

from tests.platform.scope import Case

CASES = [
    Case(
        "POST /api/v1/patients/lookup",
        lambda w: "/api/v1/patients/lookup",
        method="POST",
        data=lambda w: {"identifier": w.id_number},
        expect=frozenset({200}),
    ),
    Case(
        "POST /api/v1/patients/search",
        lambda w: "/api/v1/patients/search",
        method="POST",
        data=lambda w: {"name": "Luu Thi Bi Mat", "birth_year": 1995},
        expect=frozenset({200}),
    ),
    Case("GET /api/v1/patients/{patient_id}", lambda w: f"/api/v1/patients/{w.patient.pk}"),
]
EXEMPT: list = []
