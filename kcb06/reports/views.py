"""Pages of reports: the Project 06 targets dashboard and the drill-down to one facility."""

from django.http import FileResponse
from django.shortcuts import redirect, render

from kcb06.errors import DomainError, NotFound
from kcb06.facilities.access import role_required
from kcb06.facilities.models import Role
from kcb06.reports import briefing, charts, services, trace
from kcb06.reports.targets import CASHLESS, CHIP_FACILITIES, HEALTH_BOOK


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
            "trend_chart": charts.lines(
                data["trend"],
                {
                    "health_book_share": HEALTH_BOOK.percent,
                    "cashless_share": CASHLESS.percent,
                },
            ),
        },
    )


# Columns of the day and department tables: (figure, heading); each figure is one the
# facility's administrator can open as a list (kcb06.reports.trace).
VISIT_COLUMNS = [
    ("visits", "Lượt khám"),
    ("by_cccd_qr", "QR CCCD"),
    ("by_vneid_qr", "VNeID"),
    ("by_id_number", "Nhập số ĐD"),
    ("by_bhyt_card", "Thẻ BHYT"),
    ("by_no_document", "Không giấy tờ"),
    ("elig_valid", "Thẻ hợp lệ"),
    ("elig_invalid", "Thẻ không hợp lệ"),
    ("elig_no_card", "Không có thẻ"),
    ("elig_unverified", "Chưa kiểm tra được"),
    ("accepted", "Đã tiếp nhận"),
    ("accepted_on_time", "Trong 24 giờ"),
    ("late", "Quá hạn"),
    ("claims_invalid", "Hồ sơ XML lỗi"),
]
DAY_COLUMNS = [
    *VISIT_COLUMNS,
    ("payments", "Lần thanh toán"),
    ("payments_cash", "Tiền mặt"),
    ("payments_cashless", "Không tiền mặt"),
]


def _error_page(request, exc: DomainError):
    return _not_found(request, exc.message_vi, exc.code, status=exc.status)


def _drill_context(request, data: dict, key: str) -> dict:
    """What the facility and department pages share; `trace` (the numbers become links to
    their rows) only for the facility's own administrator."""
    own = (
        request.principal.role == Role.FACILITY_ADMIN
        and request.principal.facility_id is not None
        and request.principal.profile.facility.code == data["facility"]["code"]
    )
    return {
        "data": data,
        "periods": services.PERIODS,
        "period": key,
        "visit_columns": VISIT_COLUMNS,
        "day_columns": DAY_COLUMNS,
        "trace": {"code": data["facility"]["code"], "period": key} if own else None,
    }


@role_required(*services.VIEW_ROLES)
def facility(request, code: str):
    key = _period_key(request, "month")
    try:
        data = services.facility_days(request.principal, code, key)
    except DomainError as exc:
        return _error_page(request, exc)
    return render(request, "reports/facility.html", _drill_context(request, data, key))


@role_required(*services.VIEW_ROLES)
def department(request, code: str, department_id: int):
    """Drill-down to one department (khoa) of a facility: its visits' figures per day."""
    key = _period_key(request, "month")
    try:
        data = services.department_days(request.principal, code, department_id, key)
    except DomainError as exc:
        return _error_page(request, exc)
    return render(request, "reports/department.html", _drill_context(request, data, key))


@role_required(*trace.TRACE_ROLES)
def figure_rows(request, code: str, figure: str):
    """The visits or payments behind one figure of the caller's own facility (404 for any
    other facility; the health department is refused by role)."""
    from django.core.paginator import Paginator
    from django.http import QueryDict

    key = _period_key(request, "month")
    department_id = request.GET.get("department") or None
    try:
        if department_id is not None and not department_id.isdigit():
            raise NotFound("department_not_found", "Không tìm thấy khoa.", "No department.")
        what, rows = trace.figure_rows(
            request.principal,
            code,
            figure,
            key,
            day=request.GET.get("day") or None,
            department_id=int(department_id) if department_id else None,
        )
    except DomainError as exc:
        return _error_page(request, exc)
    query = QueryDict(mutable=True)
    query.update({k: v for k, v in request.GET.items() if k != "page"})
    page = Paginator(rows, trace.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "reports/rows.html", {"what": what, "page": page, "query": query.urlencode()}
    )


def _not_found(request, message="Không tìm thấy báo cáo.", code="report_not_found", status=404):
    return render(
        request,
        "web/error.html",
        {"title": "Không tìm thấy", "message": message, "code": code},
        status=status,
    )


@role_required(*services.VIEW_ROLES)
def progress(request):
    """The kept progress reports of the caller's unit and below; POST makes one on demand for
    any period (the caller's own unit)."""
    from datetime import date

    from kcb06.reports import periodic
    from kcb06.reports.models import ProgressReport

    principal = request.principal
    error = None
    if request.method == "POST":
        try:
            start = date.fromisoformat(request.POST.get("start", ""))
            end = date.fromisoformat(request.POST.get("end", ""))
        except ValueError:
            error = "Ngày không hợp lệ: chọn ngày bắt đầu và ngày kết thúc."
        else:
            try:
                periodic.generate(
                    principal.profile.facility,
                    periodic.ReportKind.CUSTOM,
                    start,
                    end,
                    by=principal.user.get_username(),
                )
            except DomainError as exc:
                error = exc.message_vi
            else:
                return redirect("reports:progress")
    reports = ProgressReport.objects.filter(
        owner_id__in=principal.aggregate_facility_ids()
    ).select_related("owner")[:200]
    return render(
        request,
        "reports/progress.html",
        {"reports": reports, "error": error, "next_due": periodic.next_due()},
        status=400 if error else 200,
    )


@role_required(*services.VIEW_ROLES)
def progress_file(request, pk: int, fmt: str):
    from kcb06.reports import periodic
    from kcb06.reports.models import ProgressReport

    report = ProgressReport.objects.filter(
        pk=pk, owner_id__in=request.principal.aggregate_facility_ids()
    ).first()
    if report is None or fmt not in ("pdf", "xlsx"):
        return _not_found(request)
    path = periodic.file_path(report, fmt)
    if not path.is_file():
        return _not_found(request, "Tệp báo cáo không còn trên máy chủ: hãy lập lại.", "file_gone")
    content_type = (
        "application/pdf"
        if fmt == "pdf"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return FileResponse(
        path.open("rb"),
        content_type=content_type,
        as_attachment=fmt == "xlsx",
        filename=f"bao-cao-{report.kind}-{report.start:%Y%m%d}-{report.end:%Y%m%d}.{fmt}",
    )


@role_required(*briefing.ROLES)
def briefing_view(request):
    """The facility head's morning briefing (full-screen for the meeting, refreshes itself)."""
    return render(request, "reports/briefing.html", {"b": briefing.today(request.principal)})


@role_required(*services.VIEW_ROLES)
def readiness_view(request):
    """Readiness per facility with the date each item was last confirmed; the facility
    administrator confirms the plan, procedure and training items here."""
    from datetime import date

    from kcb06.reports import readiness
    from kcb06.reports.models import ReadinessItem

    principal = request.principal
    error = None
    if request.method == "POST":
        if principal.role != Role.FACILITY_ADMIN:
            error = "Chỉ quản trị cơ sở xác nhận các hạng mục của cơ sở mình."
        else:
            try:
                on = date.fromisoformat(request.POST.get("on", ""))
                readiness.confirm(principal, request.POST.get("item", ""), on)
            except ValueError:
                error = "Ngày không hợp lệ."
            except DomainError as exc:
                error = exc.message_vi
            else:
                return redirect("reports:readiness")
    rows = readiness.for_principal(principal)
    return render(
        request,
        "reports/readiness.html",
        {
            "rows": rows,
            "lagging_count": sum(1 for r in rows if not r["ready"]),
            "can_letter": principal.role == Role.HEALTH_DEPT,
            "can_confirm": principal.role == Role.FACILITY_ADMIN,
            "items": ReadinessItem.choices,
            "error": error,
        },
        status=400 if error else 200,
    )


@role_required(*services.VIEW_ROLES)
def reminder_letter(request):
    """The reminder letter to the lagging facilities, PDF ready to sign (health department)."""
    from django.http import HttpResponse

    from kcb06.reports import readiness

    if request.principal.role != Role.HEALTH_DEPT:
        return _not_found(request, "Công văn đôn đốc do Sở Y tế lập.", "not_found")
    response = HttpResponse(readiness.letter_pdf(request.principal), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="cong-van-don-doc.pdf"'
    return response
