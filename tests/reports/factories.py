"""Visits and their portal files for report tests, made through the models (the figures are
about what was recorded, not about how check-in records it: that is tested in test_rollups)."""

import itertools
from datetime import date, timedelta

from django.utils import timezone

from kcb06.facilities.models import Facility
from kcb06.interchange.models import OutboxItem, OutboxKind, OutboxState
from kcb06.patients.models import Patient
from kcb06.visits.models import Visit

_seq = itertools.count(1)
SECRET_NAME = "Lưu Thị Báo Cáo Kín"


def patient(name=SECRET_NAME) -> Patient:
    return Patient.objects.create(
        full_name=name,
        name_key=" ".join(sorted(name.lower().split())),
        date_of_birth=date(1975, 3, 9),
        birth_year=1975,
        sex="female",
    )


def visit(
    facility_code="27901",
    *,
    day=None,
    method="cccd_qr",
    outcome="valid",
    status="open",
    ended_hours_ago=None,
    accepted_after_hours=None,
    who=None,
    department=None,
) -> Visit:
    """A visit on `day` (default today); `ended_hours_ago` closes it that long ago, and
    `accepted_after_hours` adds its claim file accepted that long after the end."""
    facility = Facility.objects.get(code=facility_code)
    now = timezone.now()
    day = day or timezone.localdate()
    closed_at = now - timedelta(hours=ended_hours_ago) if ended_hours_ago is not None else None
    n = next(_seq)
    v = Visit.objects.create(
        ma_lk=f"{facility_code}.R{n:06d}",
        facility=facility,
        patient=who or patient(),
        department=department or facility.departments.order_by("sort_order").first(),
        arrived_at=now,
        visit_date=day,
        check_in_method=method,
        eligibility_outcome=outcome,
        status="closed" if closed_at else status,
        closed_at=closed_at,
        cancelled_at=now if status == "cancelled" else None,
        cancel_reason="Đăng ký nhầm" if status == "cancelled" else "",
    )
    if accepted_after_hours is not None:
        OutboxItem.objects.create(
            facility=facility,
            visit=v,
            ma_lk=v.ma_lk,
            kind=OutboxKind.CLAIM,
            state=OutboxState.ACCEPTED,
            content_hash=f"{n:064d}",
            visit_ended_at=closed_at,
            accepted_at=closed_at + timedelta(hours=accepted_after_hours),
        )
    return v
