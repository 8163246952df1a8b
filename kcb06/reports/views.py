"""Pages of reports: the Project 06 targets dashboard and the drill-down to one facility."""

from django.shortcuts import render

from kcb06.errors import DomainError
from kcb06.facilities.access import role_required
from kcb06.reports import charts, services
from kcb06.reports.targets import CHIP_FACILITIES, HEALTH_BOOK


def _period_key(request, default: str) -> str:
    key = request.GET.get("period", default)
    return key if key in services.PERIODS else default


@role_required(*services.VIEW_ROLES)
def dashboard(request):
    key = _period_key(request, "week")
    data = services.figures(request.principal, key)
    return render(
        request,
        "reports/dashboard.html",
        {
            "data": data,
            "periods": services.PERIODS,
            "chip_chart": charts.bars(data["facilities"], "chip_share", CHIP_FACILITIES.percent),
            "book_chart": charts.bars(data["facilities"], "health_book_share", HEALTH_BOOK.percent),
        },
    )


@role_required(*services.VIEW_ROLES)
def facility(request, code: str):
    key = _period_key(request, "month")
    try:
        data = services.facility_days(request.principal, code, key)
    except DomainError as exc:
        return render(
            request,
            "web/error.html",
            {"title": "Không tìm thấy", "message": exc.message_vi, "code": exc.code},
            status=exc.status,
        )
    return render(request, "reports/facility.html", {"data": data, "periods": services.PERIODS})
