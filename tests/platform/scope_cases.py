"""Facility-scope cases of the platform's own endpoints (format: tests/platform/test_scope.py)."""

from tests.platform.scope import OTHER, Case, Exempt

SECRET_PURPOSE = "kiểm tra phạm vi — hồ sơ kín 27903"


def extend_world(w):
    """An audit entry about the world's patient at 27903: the audit page must keep it there."""
    from kcb06.audit.services import Action, record
    from kcb06.facilities.services import principal_for_user

    owner = principal_for_user(w.user(OTHER, "reception"))
    record(
        owner, Action.READ, object_type="patient", patient_id=w.patient.pk, purpose=SECRET_PURPOSE
    )
    w.secrets.append(SECRET_PURPOSE)


CASES = [
    Case(
        "audit:log",
        lambda w: f"/audit/?patient={w.patient.pk}",
        role="auditor",
        via=("session",),
        expect=frozenset({200}),
        note="the audit log lists only the auditor's facility's entries",
    ),
    Case(
        "audit:log",
        lambda w: f"/audit/?patient={w.patient.pk}",
        role="facility_admin",
        via=("session",),
        expect=frozenset({200}),
        label="admin",
    ),
]

EXEMPT = [
    Exempt("GET /api/v1/health", "liveness probe, answers {status: ok} only"),
    Exempt("GET /api/v1/me", "the caller's own username, role and facility"),
    Exempt(
        "GET /api/v1/facilities/{code}",
        "public facts of a facility (code, name, address), scoped; tested in test_bad_input",
    ),
    Exempt("home", "the caller's own name, facility and navigation"),
    Exempt("login", "login form"),
    Exempt("logout", "ends the caller's own session"),
    Exempt("favicon.ico", "redirect to the static icon, no data"),
]
EXEMPT.append(
    Exempt("GET /api/v1/audit/verify", "hash-chain counts of the caller's own facility only")
)
