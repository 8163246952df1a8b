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
    w.extra["report"] = _report_of(w.facility(OTHER))


def _report_of(owner):
    """A progress report kept for 27903 (its files in a temporary directory, named by absolute
    path so that the default reports directory is not written)."""
    import tempfile
    from pathlib import Path

    from django.test import override_settings
    from django.utils import timezone

    from kcb06.reports import periodic

    folder = Path(tempfile.mkdtemp(prefix="kcb06-scope-reports-"))
    with override_settings(KCB06_REPORTS_DIR=folder):
        today = timezone.localdate()
        report = periodic.generate(owner, "custom", today, today)
    report.pdf_path = str(folder / report.pdf_path)
    report.xlsx_path = str(folder / report.xlsx_path)
    report.save(update_fields=["pdf_path", "xlsx_path"])
    return report


def _page(name: str, path, expect=frozenset({200}), control="ok", note: str = "") -> Case:
    """A reports page as the facility administrator (reports are read by that role and the
    health department; the department is checked by every case and by the sweep)."""
    return Case(
        name,
        path,
        role="facility_admin",
        via=("session",),
        expect=expect,
        control=control,
        note=note,
    )


def _api(endpoint: str, path, expect=frozenset({403, 404}), **more) -> Case:
    return Case(endpoint, path, role="facility_admin", expect=expect, control="ok", **more)


DETAIL = frozenset({403, 404})
CASES = [
    _page(
        "reports:dashboard",
        lambda w: "/reports/?period=today",
        note="own facility's counts only; the health department sees every facility's counts",
    ),
    _page("reports:facility", lambda w: f"/reports/facility/{OTHER}/?period=month", DETAIL),
    _page(
        "reports:department",
        lambda w: f"/reports/facility/{OTHER}/khoa/{w.visit.department_id}/?period=month",
        DETAIL,
        note="a department's counts: 27903's are not 27901's to open",
    ),
    _page(
        "reports:rows",
        lambda w: f"/reports/facility/{OTHER}/rows/visits/?period=today",
        DETAIL,
        control="sees",
        note="the visits behind 27903's figure name their MA_LK: its own administrator only; "
        "the health department is refused by role",
    ),
    _api("GET /api/v1/reports/targets", lambda w: "/api/v1/reports/targets?period=today", {200}),
    _api(
        "GET /api/v1/reports/facilities/{code}",
        lambda w: f"/api/v1/reports/facilities/{OTHER}?period=today",
    ),
    _api(
        "GET /api/v1/reports/facilities/{code}/departments/{department_id}",
        lambda w: f"/api/v1/reports/facilities/{OTHER}/departments/{w.visit.department_id}",
    ),
    _page(
        "reports:briefing",
        lambda w: "/reports/briefing/",
        note="today's counts of the caller's own facility only",
    ),
    _page(
        "reports:readiness",
        lambda w: "/reports/readiness/",
        note="the caller's own facility's readiness items only; no patient data at all",
    ),
    _page(
        "reports:reminder_letter",
        lambda w: "/reports/readiness/letter/",
        frozenset({404}),
        control=None,
        note="the health department's letter (facility names and missing items only); "
        "every facility role is refused",
    ),
    _api(
        "POST /api/v1/reports/facility-days",
        lambda w: "/api/v1/reports/facility-days",
        method="POST",
        data=lambda w: {"rows": [{"facility": OTHER, "day": "2026-11-30", "visits": 1}]},
        via=("api_key",),
        note="a facility's kcb06 sends its own counts only; another facility's rows: 403",
    ),
    _page(
        "reports:progress",
        lambda w: "/reports/progress/",
        note="lists the reports of the caller's own unit and below; counts only",
    ),
    _page(
        "reports:progress_file",
        lambda w: f"/reports/progress/{w.extra['report'].pk}/pdf/",
        DETAIL,
        note="27903's kept report: 404 to another facility's administrator",
    ),
]
EXEMPT: list = []
