"""JSON API of reports: thin handlers over services (counts per facility, never a patient)."""

from ninja import Router

from kcb06.reports import services

router = Router(tags=["reports"])


@router.get("/reports/targets")
def targets(request, period: str = "week"):
    """The Project 06 targets for today, this week (from Monday) or this month (from the 1st):
    per facility in the caller's scope and rolled up, each share beside its target. Health
    department: every facility under it; facility administrator: their own. Counts only."""
    return services.figures(request.principal, period)


@router.get("/reports/facilities/{code}")
def facility(request, code: str, period: str = "month"):
    """One facility's figures per day of the period (drill-down; counts only)."""
    return services.facility_days(request.principal, code, period)
