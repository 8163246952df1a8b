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
    # identity history and correction pages (kcb06.patients.views)
    Case(
        "patients:identity_changes",
        lambda w: "/patients/identity/",
        role="facility_admin",
        via=("session",),
        expect=frozenset({200}),
    ),
    Case(
        "patients:identity",
        lambda w: f"/patients/{w.patient.pk}/identity/",
        role="facility_admin",
        via=("session",),
    ),
    Case(
        "patients:identity",
        lambda w: f"/patients/{w.patient.pk}/identity/",
        role="reception",
        via=("session",),
        label="correction form",
    ),
    Case(
        "patients:identity_correct",
        lambda w: f"/patients/{w.patient.pk}/identity/correct/",
        method="POST",
        data=lambda w: {"address": "Địa chỉ do cơ sở khác nhập", "reason": "thử phạm vi"},
        via=("session",),
        expect=frozenset({403, 404}),
        control="ok",
    ),
    Case(
        "patients:identity_revert",
        lambda w: f"/patients/identity/{w.extra['identity_change'].pk}/revert/",
        method="POST",
        data=lambda w: {"reason": "thử phạm vi hoàn tác"},
        role="facility_admin",
        via=("session",),
        control="ok",
    ),
]


def extend_world(w):
    """One identity change of the world's patient, made at its own facility."""
    from kcb06.patients.models import IdentityChange

    w.extra["identity_change"] = IdentityChange.objects.create(
        patient=w.patient,
        changes={"address": {"old": "Thôn Kín cũ", "new": w.patient.address}},
        evidence="clerk_correction",
        reason="Thôn Kín: sửa theo giấy tờ",
        facility=w.facility("27903"),
    )


EXEMPT: list = []
