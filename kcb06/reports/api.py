"""JSON API of reports: thin handlers over services (counts per facility, never a patient)."""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Router, Schema
from pydantic import Field, StringConstraints, create_model

from kcb06.apischema import PathId, responses
from kcb06.reports import federation, services
from kcb06.reports.models import AMOUNT_FIELDS, COUNT_FIELDS

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


@router.get(
    "/reports/facilities/{code}/departments/{department_id}",
    response=responses({200: dict}, 400, 404),
    summary="Số liệu một khoa theo ngày / One department's figures per day",
)
def department(request, code: FacilityCode, department_id: PathId, period: Period = "month"):
    """One department (khoa) of a facility in scope: its visits' figures per day of the period
    (drill-down; counts only)."""
    return services.department_days(request.principal, code, department_id, period)


Count = Annotated[int, Field(ge=0, le=10_000_000)]
Amount = Annotated[int, Field(ge=-(10**15), le=10**15)]

# One field per count of the rollup (models.COUNT_FIELDS), so that a count added there is
# sent and received without a second list to keep in step.
FacilityDayIn = create_model(
    "FacilityDayIn",
    __base__=Schema,
    facility=(FacilityCode, ...),
    day=(date, ...),
    computed_at=(datetime | None, None),
    **{name: (Amount if name in AMOUNT_FIELDS else Count, 0) for name in COUNT_FIELDS},
)


class FacilityDaysIn(Schema):
    rows: list[FacilityDayIn] = Field(..., max_length=federation.MAX_ROWS)


class WrittenOut(Schema):
    written: int


@router.post(
    "/reports/facility-days",
    response=responses({200: WrittenOut}, 400, 413),
    summary="Nhận số liệu ngày từ cơ sở / Receive a facility's daily figures",
)
def facility_days_in(request, payload: FacilityDaysIn):
    """A facility running its own kcb06 sends its daily figures (counts only) to the
    province's kcb06. Each row is written by (facility, day): the same day sent twice replaces
    it, never doubles it. The API key must act as the administrator of the facility whose rows
    it sends (403 otherwise)."""
    return federation.receive(request.principal, [r.dict() for r in payload.rows])
