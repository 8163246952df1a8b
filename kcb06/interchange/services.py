"""What the pages and the API show: the outbox of a facility, a visit's interchange state, and
the 24-hour promise (visits whose data the portal has not accepted in time)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from kcb06.errors import NotFound
from kcb06.facilities.models import Facility, Role
from kcb06.interchange import portal
from kcb06.interchange.core import versions
from kcb06.interchange.models import OutboxItem, OutboxKind, OutboxState

VIEW_ROLES = (Role.FACILITY_ADMIN, Role.CASHIER, Role.CLINICIAN)
# No patient names on the overdue list (codes, MA_LK, reasons), so every staff role may see it
# for its own facility and the health department for the facilities below it.
OVERDUE_ROLES = (
    Role.FACILITY_ADMIN,
    Role.CASHIER,
    Role.CLINICIAN,
    Role.RECEPTION,
    Role.AUDITOR,
    Role.HEALTH_DEPT,
)
NOT_DONE = (
    OutboxState.INVALID,
    OutboxState.WAITING,
    OutboxState.SENT,
    OutboxState.REJECTED,
    OutboxState.FAILED,
)


def reason(item: OutboxItem) -> str:
    """One Vietnamese sentence saying why an item is where it is."""
    if item.state == OutboxState.INVALID:
        first = item.errors[0]["message_vi"] if item.errors else ""
        more = f" (và {len(item.errors) - 1} lỗi khác)" if len(item.errors) > 1 else ""
        return f"Lỗi dữ liệu, chưa gửi: {first}{more}"
    if item.state == OutboxState.REJECTED:
        return f"Cổng từ chối (mã {item.result_code}): {item.result_message or portal.meaning(item.result_code)}"
    if item.state == OutboxState.FAILED:
        return f"Gửi lỗi sau {item.attempts} lần thử: {item.last_error}"
    if item.state == OutboxState.SENT:
        return "Đang gửi, chờ cổng trả lời."
    if item.state == OutboxState.WAITING:
        return f"Chờ gửi: {item.last_error}" if item.last_error else "Chờ gửi."
    if item.state == OutboxState.ACCEPTED:
        return f"Cổng đã tiếp nhận (mã giao dịch {item.transaction_id})."
    return item.get_state_display()


def resend_outcome(before: OutboxItem, before_state: str, fresh: OutboxItem) -> tuple[bool, str]:
    """(ok, one Vietnamese sentence) saying what "Gửi lại" did to `before`."""
    n = len(fresh.errors or [])
    if fresh.state == OutboxState.INVALID:
        first = fresh.errors[0]["message_vi"] if fresh.errors else ""
        more = f" (và {n - 1} lỗi khác)" if n > 1 else ""
        return False, (
            f"Dữ liệu vẫn còn lỗi, chưa gửi lại hồ sơ {fresh.ma_lk}: {first}{more} "
            "Hãy sửa đợt khám theo danh sách lỗi rồi bấm Gửi lại."
        )
    if fresh.pk != before.pk:
        return True, (
            f"Đã lập lại hồ sơ {fresh.ma_lk} từ dữ liệu đã sửa của đợt khám và đưa vào hàng đợi "
            "gửi; hồ sơ cũ được thay thế."
        )
    if before_state == OutboxState.REJECTED:
        return True, (
            f"Dữ liệu đợt khám không đổi: đã đưa lại đúng hồ sơ {fresh.ma_lk} vào hàng đợi gửi. "
            "Nếu cổng từ chối vì nội dung, cổng sẽ từ chối lại — hãy sửa đợt khám trước."
        )
    return True, (
        f"Đã đưa hồ sơ {fresh.ma_lk} vào hàng đợi gửi lại; hệ thống sẽ gửi trong ít phút "
        "và trạng thái sẽ hiện ở danh sách hồ sơ."
    )


def item_dict(item: OutboxItem) -> dict:
    return {
        "id": item.pk,
        "visit_id": item.visit_id,
        "ma_lk": item.ma_lk,
        "kind": item.kind,
        "kind_vi": str(item.get_kind_display()),
        "state": item.state,
        "state_vi": str(item.get_state_display()),
        "reason_vi": reason(item),
        "errors": item.errors,
        # The regulation version the file was built and is validated under (core.versions).
        "version": versions.get(item.version).code,
        "version_title": versions.get(item.version).title,
        "result_code": item.result_code,
        "transaction_id": item.transaction_id,
        "attempts": item.attempts,
        "created_at": item.created_at,
        "accepted_at": item.accepted_at,
    }


def facility_outbox(principal, *, state: str = "", limit: int = 200) -> dict:
    principal.require_role(*VIEW_ROLES)
    qs = OutboxItem.objects.filter(facility_id__in=principal.patient_data_facility_ids())
    counts = dict(qs.values_list("state").annotate(n=Count("id")).order_by())
    shown = qs.exclude(state=OutboxState.SUPERSEDED)
    if state:
        shown = shown.filter(state=state)
    else:
        shown = shown.exclude(state=OutboxState.ACCEPTED)
    items = list(shown.order_by("-created_at")[:limit])
    return {"counts": counts, "items": items}


def item_for(principal, item_id: int) -> OutboxItem:
    principal.require_role(*VIEW_ROLES)
    item = (
        OutboxItem.objects.filter(pk=item_id, facility_id__in=principal.patient_data_facility_ids())
        .select_related("facility", "visit")
        .first()
    )
    if item is None:
        raise NotFound("outbox_item_not_found", "Không tìm thấy hồ sơ.", "File not found.")
    return item


def visit_state(principal, visit_id: int) -> list[dict]:
    """The visit's interchange files (check-in, claim), latest first per kind."""
    principal.require_role(*VIEW_ROLES, Role.RECEPTION)
    items = OutboxItem.objects.filter(
        visit_id=visit_id, facility_id__in=principal.patient_data_facility_ids()
    ).order_by("-created_at", "-pk")
    if not items.exists():
        from kcb06.visits.models import Visit

        if not Visit.objects.filter(
            pk=visit_id, facility_id__in=principal.patient_data_facility_ids()
        ).exists():
            raise NotFound("visit_not_found", "Không tìm thấy đợt khám.", "Visit not found.")
    return [item_dict(i) for i in items]


def overdue(principal, now=None) -> dict:
    """Visits whose claim data is not accepted KCB06_ACCEPT_WARN_HOURS (warning) or
    KCB06_ACCEPT_DEADLINE_HOURS (overdue) after the visit ended, by facility, with the reason.
    Only codes and MA_LK are shown: no patient names (the health department sees this too)."""
    principal.require_role(*OVERDUE_ROLES)
    now = now or timezone.now()
    warn = timedelta(hours=settings.KCB06_ACCEPT_WARN_HOURS)
    deadline = timedelta(hours=settings.KCB06_ACCEPT_DEADLINE_HOURS)
    facility_ids = principal.aggregate_facility_ids()
    newer_accepted = OutboxItem.objects.filter(
        ma_lk=OuterRef("ma_lk"),
        kind=OutboxKind.CLAIM,
        state=OutboxState.ACCEPTED,
        pk__gt=OuterRef("pk"),
    )
    items = (
        OutboxItem.objects.filter(
            facility_id__in=facility_ids,
            kind=OutboxKind.CLAIM,
            state__in=NOT_DONE,
            visit_ended_at__lte=now - warn,
        )
        .annotate(done_later=Exists(newer_accepted))
        .filter(done_later=False)
        .select_related("facility")
        .order_by("facility__code", "visit_ended_at")
    )
    rows = []
    for item in items[:5000]:
        age = now - item.visit_ended_at
        rows.append(
            {
                "facility": item.facility.code,
                "facility_name": item.facility.name,
                "ma_lk": item.ma_lk,
                "visit_id": item.visit_id,
                "ended_at": item.visit_ended_at,
                "hours": round(age.total_seconds() / 3600, 1),
                "level": "overdue" if age >= deadline else "warning",
                "state": item.state,
                "reason_vi": reason(item),
            }
        )
    rows.extend(_closed_without_file(facility_ids, now, warn, deadline))
    if principal.role == Role.HEALTH_DEPT:
        # The health department counts and reads reasons; it never identifies a visit.
        for row in rows:
            row["ma_lk"] = ""
            row["visit_id"] = None
    by_facility: dict[str, dict] = {}
    for row in rows:
        group = by_facility.setdefault(
            row["facility"],
            {
                "facility": row["facility"],
                "name": row["facility_name"],
                "overdue": 0,
                "warning": 0,
                "rows": [],
            },
        )
        group[row["level"]] += 1
        group["rows"].append(row)
    return {
        "deadline_hours": settings.KCB06_ACCEPT_DEADLINE_HOURS,
        "warn_hours": settings.KCB06_ACCEPT_WARN_HOURS,
        "facilities": list(by_facility.values()),
        "overdue": sum(g["overdue"] for g in by_facility.values()),
        "warning": sum(g["warning"] for g in by_facility.values()),
    }


def _closed_without_file(facility_ids, now, warn, deadline) -> list[dict]:
    from kcb06.visits.models import Visit, VisitStatus

    has_claim = OutboxItem.objects.filter(visit=OuterRef("pk"), kind=OutboxKind.CLAIM)
    visits = (
        Visit.objects.filter(
            facility_id__in=facility_ids, status=VisitStatus.CLOSED, closed_at__lte=now - warn
        )
        .annotate(has_claim=Exists(has_claim))
        .filter(has_claim=False)
        .select_related("facility")[:1000]
    )
    return [
        {
            "facility": v.facility.code,
            "facility_name": v.facility.name,
            "ma_lk": v.ma_lk,
            "visit_id": v.pk,
            "ended_at": v.closed_at,
            "hours": round((now - v.closed_at).total_seconds() / 3600, 1),
            "level": "overdue" if now - v.closed_at >= deadline else "warning",
            "state": "missing",
            "reason_vi": "Chưa tạo hồ sơ XML cho đợt khám đã kết thúc.",
        }
        for v in visits
    ]


def facilities_of(principal) -> list[Facility]:
    return list(Facility.objects.filter(pk__in=principal.aggregate_facility_ids()).order_by("code"))
