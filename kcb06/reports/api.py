"""JSON API of reports: thin handlers over services (counts per facility, never a patient)."""

from typing import Annotated, Literal

from ninja import Router
from pydantic import StringConstraints

from kcb06.apischema import responses
from kcb06.reports import services

# The schema names the three periods, so another is refused by validation (422, naming the
# field); the pages fall back to the week instead.
Period = Literal["today", "week", "month"]


FacilityCode = Annotated[str, StringConstraints(min_length=1, max_length=10)]

router = Router(tags=["reports"])


@router.get(
    "/reports/targets",
    response=responses({200: dict}, 400),
    summary="Chỉ tiêu Đề án 06 theo cơ sở / Project 06 targets per facility",
)
def targets(request, period: Period = "week"):
    """The Project 06 targets for today, this week (from Monday) or this month (from the 1st):
    per facility in the caller's scope and rolled up, each share beside its target. Health
    department: every facility under it; facility administrator: their own. Counts only."""
    return services.figures(request.principal, period)


@router.get(
    "/reports/facilities/{code}",
    response=responses({200: dict}, 400, 404),
    summary="Số liệu một cơ sở theo ngày / One facility's figures per day",
)
def facility(request, code: FacilityCode, period: Period = "month"):
    """One facility's figures per day of the period (drill-down; counts only)."""
    return services.facility_days(request.principal, code, period)
