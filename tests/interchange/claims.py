"""Claims in every state of the funnel, for the work-queue tests (a visit of the demo facility
with its department, and its outbox row as the outbox and the worker leave it)."""

import itertools
from datetime import date, timedelta

from django.utils import timezone

from kcb06.facilities.models import Facility
from kcb06.interchange.models import OutboxItem, OutboxKind
from kcb06.patients.models import Patient
from kcb06.visits.models import Visit

_seq = itertools.count(1)
SECRET = "Đặng Thị Hàng Đợi"


def error(table="XML1", field="MA_BENH_CHINH", code="format", message="Mã bệnh chính sai"):
    return {"table": table, "field": field, "code": code, "message_vi": message}


def claim(
    facility_code="27901",
    state="waiting",
    *,
    errors=None,
    result_code="",
    result_message="",
    signed=None,
    hours=5.0,
    department_code=None,
    name=SECRET,
) -> OutboxItem:
    """A claim whose visit ended `hours` ago, at `department_code` (default the first)."""
    facility = Facility.objects.get(code=facility_code)
    departments = facility.departments.order_by("sort_order")
    dept = departments.get(code=department_code) if department_code else departments.first()
    n = next(_seq)
    ended = timezone.now() - timedelta(hours=hours)
    patient = Patient.objects.create(
        full_name=name,
        name_key=" ".join(sorted(name.lower().split())),
        date_of_birth=date(1980, 5, 1),
        birth_year=1980,
        sex="female",
    )
    visit = Visit.objects.create(
        ma_lk=f"{facility_code}.Q{n:06d}",
        facility=facility,
        patient=patient,
        department=dept,
        arrived_at=ended - timedelta(hours=1),
        visit_date=timezone.localdate(ended),
        status="closed",
        closed_at=ended,
    )
    return OutboxItem.objects.create(
        facility=facility,
        visit=visit,
        department=dept,
        ma_lk=visit.ma_lk,
        kind=OutboxKind.CLAIM,
        state=state,
        content_hash=f"{n:064d}",
        errors=errors or [],
        result_code=result_code,
        result_message=result_message,
        signed=signed,
        visit_ended_at=ended,
    )
