"""Facility-scope cases of reports (format: tests/platform/test_scope.py).

The figures are counts per facility: the owner's answer holds no name (control "ok"), the
health department sees 27903's counts but never the world's patient, visit or MA_LK, and a
facility administrator of 27901 cannot open 27903's figures at all."""

from tests.platform.scope import OTHER, Case


def extend_world(w):
    """Count the world's visit into the rollups, so that the figures really include it."""
    from django.utils import timezone

    from kcb06.reports.rollups import rebuild

    rebuild(timezone.localdate(), timezone.localdate())


CASES = [
    Case(
        "reports:dashboard",
        lambda w: "/reports/?period=today",
        role="facility_admin",
        via=("session",),
        expect=frozenset({200}),
        control="ok",
        note="own facility's counts only; the health department sees every facility's counts",
    ),
    Case(
        "reports:facility",
        lambda w: f"/reports/facility/{OTHER}/?period=month",
        role="facility_admin",
        via=("session",),
        control="ok",
    ),
    Case(
        "GET /api/v1/reports/targets",
        lambda w: "/api/v1/reports/targets?period=today",
        role="facility_admin",
        expect=frozenset({200}),
        control="ok",
    ),
    Case(
        "GET /api/v1/reports/facilities/{code}",
        lambda w: f"/api/v1/reports/facilities/{OTHER}?period=today",
        role="facility_admin",
        control="ok",
    ),
]
EXEMPT: list = []
