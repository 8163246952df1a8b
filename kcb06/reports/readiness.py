"""Readiness per facility, each item with the date it was last confirmed, and the lagging list.

Read from what kcb06 records:
- QR reader working: the last day the facility checked someone in by scanning a chip ID card or
  VNeID QR (`FacilityDay.by_cccd_qr`/`by_vneid_qr`; a scan needs a working reader), recent when
  within `QR_RECENT_DAYS`;
- kiosks installed against the plan: active `Device` of kind kiosk; the plan asks at least 1 per
  facility and 2 at a provincial-level hospital (`former_route_level` provincial or central);
- BHXH portal account (`Facility.portal_username`) and lookup officer (`lookup_officer`);
- signing certificate valid: the registered active certificate ending last, its days left.
Confirmed by the facility administrator with a date (`ReadinessConfirmation`): implementation
plan submitted, internal procedure approved, staff trained.
"""

from datetime import date, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone

from kcb06.errors import DomainError, NotFound
from kcb06.facilities.models import Device, DeviceKind, Facility, FormerRouteLevel, Role
from kcb06.interchange.models import FacilityCertificate
from kcb06.reports import services
from kcb06.reports.models import FacilityDay, ReadinessConfirmation, ReadinessItem

QR_RECENT_DAYS = 7
CONFIRM_ROLES = (Role.FACILITY_ADMIN,)


def kiosks_planned(facility: Facility) -> int:
    provincial = facility.former_route_level in (
        FormerRouteLevel.PROVINCIAL,
        FormerRouteLevel.CENTRAL,
    )
    return 2 if provincial else 1


def table(facilities: list[Facility], today: date | None = None) -> list[dict]:
    """One row per facility: every item with ok, its date (or days left) and what is lacking."""
    today = today or timezone.localdate()
    ids = [f.pk for f in facilities]
    last_scan = {
        r["facility_id"]: r["day"]
        for r in FacilityDay.objects.filter(facility_id__in=ids)
        .filter(Q(by_cccd_qr__gt=0) | Q(by_vneid_qr__gt=0))
        .values("facility_id")
        .annotate(day=Max("day"))
        .order_by()
    }
    kiosks = {
        r["facility_id"]: r["n"]
        for r in Device.objects.filter(facility_id__in=ids, kind=DeviceKind.KIOSK, is_active=True)
        .values("facility_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    certs = {
        r["facility_id"]: r["until"]
        for r in FacilityCertificate.objects.filter(facility_id__in=ids, active=True)
        .values("facility_id")
        .annotate(until=Max("not_after"))
        .order_by()
    }
    confirmed = {
        (c.facility_id, c.item): c
        for c in ReadinessConfirmation.objects.filter(facility_id__in=ids)
    }
    rows = []
    for f in facilities:
        items = []
        scan = last_scan.get(f.pk)
        items.append(
            {
                "key": "qr_reader",
                "label": "Đầu đọc QR hoạt động (lần quét CCCD/VNeID gần nhất)",
                "ok": scan is not None and scan >= today - timedelta(days=QR_RECENT_DAYS),
                "date": scan,
                "detail": "" if scan else "chưa có lần quét nào",
            }
        )
        have, plan = kiosks.get(f.pk, 0), kiosks_planned(f)
        items.append(
            {
                "key": "kiosks",
                "label": "Ki-ốt tự phục vụ",
                "ok": have >= plan,
                "date": None,
                "detail": f"{have}/{plan} theo kế hoạch",
            }
        )
        items.append(
            {
                "key": "portal",
                "label": "Tài khoản cổng BHXH và người tra cứu",
                "ok": bool(f.portal_username) and f.lookup_officer_id is not None,
                "date": None,
                "detail": ", ".join(
                    x
                    for x, missing in (
                        ("chưa có tài khoản cổng", not f.portal_username),
                        ("chưa chỉ định người tra cứu", f.lookup_officer_id is None),
                    )
                    if missing
                ),
            }
        )
        until = certs.get(f.pk)
        days_left = (timezone.localtime(until).date() - today).days if until else None
        items.append(
            {
                "key": "certificate",
                "label": "Chứng thư số ký hồ sơ còn hạn",
                "ok": days_left is not None and days_left > 0,
                "date": timezone.localtime(until).date() if until else None,
                "detail": (
                    "chưa đăng ký chứng thư"
                    if days_left is None
                    else (f"còn {days_left} ngày" if days_left > 0 else "đã hết hạn")
                ),
            }
        )
        for item in ReadinessItem:
            c = confirmed.get((f.pk, item.value))
            items.append(
                {
                    "key": item.value,
                    "label": str(item.label),
                    "ok": c is not None,
                    "date": c.confirmed_on if c else None,
                    "detail": f"xác nhận: {c.confirmed_by}" if c else "chưa xác nhận",
                }
            )
        lacking = [i for i in items if not i["ok"]]
        rows.append(
            {
                "code": f.code,
                "name": f.name,
                "items": items,
                "lacking": lacking,
                "ready": not lacking,
            }
        )
    return rows


def for_principal(principal, today: date | None = None) -> list[dict]:
    return table(services.facilities_in_scope(principal), today)


def confirm(principal, item: str, on: date) -> ReadinessConfirmation:
    principal.require_role(*CONFIRM_ROLES)
    if item not in ReadinessItem.values:
        raise NotFound("readiness_item_not_found", "Không có hạng mục này.", "No such item.")
    if on > timezone.localdate():
        raise DomainError(
            "date_in_future",
            "Ngày xác nhận không được sau hôm nay.",
            "The confirmation date cannot be in the future.",
        )
    c, _ = ReadinessConfirmation.objects.update_or_create(
        facility=principal.profile.facility,
        item=item,
        defaults={"confirmed_on": on, "confirmed_by": principal.user.get_username()},
    )
    return c


def letter_pdf(principal, today: date | None = None) -> bytes:
    """The reminder letter to the lagging facilities (Vietnamese administrative style)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    principal.require_role(Role.HEALTH_DEPT)
    today = today or timezone.localdate()
    lagging = [r for r in for_principal(principal, today) if not r["ready"]]
    html = render_to_string(
        "reports/reminder_letter.html",
        {"unit": principal.profile.facility, "lagging": lagging, "today": today},
    )
    return HTML(string=html).write_pdf()
