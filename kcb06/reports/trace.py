"""The rows behind a figure, for the facility that owns them: the visits (or payments) a
figure of the facility's own rollups counts, so its administrator can check a number and open
each visit, claim file or bill on the existing pages.

Only the facility's own administrator reaches these lists (a health department sees counts and
never a visit; another facility's administrator gets 404). The lists are read with the very
filters the rollup counts with (`rollups.visit_filters`, `rollups.PAYMENT_FILTERS`), so a list
is as long as its figure; the figure is the rollup's (refreshed every 5 minutes), the list is
live, and the page shows both. Rows name a visit by its MA_LK, never a patient: the visit's
own page is where its patient is read (and audited).
"""

from datetime import date

from django.db.models import OuterRef, Subquery, Sum
from django.utils import timezone

from kcb06.errors import DomainError, NotFound
from kcb06.facilities.models import Facility, Role
from kcb06.interchange.models import OutboxItem, OutboxKind
from kcb06.reports import rollups, services
from kcb06.reports.models import DepartmentDay, FacilityDay

TRACE_ROLES = (Role.FACILITY_ADMIN,)
PAGE_SIZE = 200

VISIT_LABELS = {
    "visits": "Lượt khám",
    "by_cccd_qr": "Tiếp đón bằng quét QR CCCD gắn chip",
    "by_vneid_qr": "Tiếp đón bằng VNeID",
    "by_id_number": "Tiếp đón bằng nhập số định danh",
    "by_bhyt_card": "Tiếp đón bằng thẻ BHYT / mã BHXH",
    "by_no_document": "Tiếp đón không giấy tờ",
    "elig_valid": "Thẻ BHYT hợp lệ",
    "elig_invalid": "Thẻ BHYT không hợp lệ",
    "elig_no_card": "Không có thẻ BHYT",
    "elig_unverified": "Chưa kiểm tra được thẻ",
    "ended": "Lượt khám đã kết thúc",
    "accepted": "Cổng BHXH đã tiếp nhận (lên sổ sức khỏe điện tử)",
    "accepted_on_time": "Tiếp nhận trong 24 giờ sau khi kết thúc",
    "late": "Không được tiếp nhận trong 24 giờ (quá hạn)",
    "claims_invalid": "Có hồ sơ XML bị lỗi trước khi gửi",
}
PAYMENT_LABELS = {
    "payments": "Lần thanh toán",
    "payments_cashless": "Thanh toán không dùng tiền mặt",
    "payments_cash": "Thanh toán bằng tiền mặt",
}
LABELS = {**VISIT_LABELS, **PAYMENT_LABELS}


def own_facility(principal, code: str) -> Facility:
    """The caller's own facility, by its code; any other code answers 404 (not 403), so a
    code cannot be probed."""
    principal.require_role(*TRACE_ROLES)
    facility = Facility.objects.filter(pk=principal.facility_id, code=code).first()
    if facility is None:
        raise NotFound("facility_not_found", "Không tìm thấy cơ sở.", "Facility not found.")
    return facility


def _days(key: str, day: str | None) -> tuple[services.Period, date, date]:
    p = services.period(key)
    if not day:
        return p, p.start, p.end
    try:
        one = date.fromisoformat(day)
    except ValueError:
        raise DomainError(
            "invalid_day", "Ngày không hợp lệ (cần dạng YYYY-MM-DD).", "Invalid day."
        ) from None
    return p, one, one


def _figure_value(facility, figure: str, start: date, end: date, department_id) -> int:
    """The figure as the rollups hold it (what the dashboard shows)."""
    if figure == "payments_cash":
        total = _figure_value(facility, "payments", start, end, None)
        return total - _figure_value(facility, "payments_cashless", start, end, None)
    model, extra = FacilityDay, {}
    if department_id is not None:
        model, extra = DepartmentDay, {"department_id": department_id}
    rows = model.objects.filter(facility=facility, day__gte=start, day__lte=end, **extra)
    return rows.aggregate(n=Sum(figure))["n"] or 0


def _visit_rows(facility, figure: str, start: date, end: date, department_id):
    q = rollups.visit_filters(timezone.now())[figure]
    visits = rollups.with_portal_states(rollups.counted_visits(start, end)).filter(
        facility=facility
    )
    if department_id is not None:
        visits = visits.filter(department_id=department_id)
    if q is not None:
        visits = visits.filter(q)
    last_claim = OutboxItem.objects.filter(visit=OuterRef("pk"), kind=OutboxKind.CLAIM)
    return (
        visits.annotate(claim_id=Subquery(last_claim.order_by("-pk").values("pk")[:1]))
        .select_related("department")
        .order_by("visit_date", "arrived_at", "pk")
    )


def _payment_rows(facility, figure: str, start: date, end: date):
    q = rollups.PAYMENT_FILTERS[figure]
    payments = rollups.received_payments(start, end).filter(facility=facility)
    if q is not None:
        payments = payments.filter(q)
    return payments.order_by("received_at", "pk")


def figure_rows(
    principal,
    code: str,
    figure: str,
    key: str = "month",
    day: str | None = None,
    department_id: int | None = None,
):
    """The rows behind one figure of the caller's own facility for the period (or one day of
    it), optionally of one department: (what, queryset). `what` names the figure, the period,
    the rollup's value and whether the rows are visits or payments."""
    facility = own_facility(principal, code)
    if figure not in LABELS:
        raise NotFound("figure_not_found", "Không có chỉ số này.", "No such figure.")
    p, start, end = _days(key, day)
    department = None
    if department_id is not None:
        department = facility.departments.filter(pk=department_id).first()
        if department is None or figure not in VISIT_LABELS:
            raise NotFound("department_not_found", "Không tìm thấy khoa.", "No department.")
    if figure in VISIT_LABELS:
        rows, kind = _visit_rows(facility, figure, start, end, department_id), "visits"
    else:
        rows, kind = _payment_rows(facility, figure, start, end), "payments"
    what = {
        "facility": facility,
        "department": department,
        "figure": figure,
        "label": LABELS[figure],
        "kind": kind,
        "period": p,
        "start": start,
        "end": end,
        "value": _figure_value(facility, figure, start, end, department_id),
    }
    return what, rows
