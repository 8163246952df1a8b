"""A facility's departments as check-in sees them: by MA_KHOA, and open or closed today.

Every check-in starts with `department_for`, so its read is one hand-written statement
(kcb06.plumbing.rawrows) that brings the facility and today's closure along.
"""

from datetime import date, datetime
from functools import cache

from django.db import connection
from django.utils import timezone

from kcb06.errors import DomainError
from kcb06.facilities.models import Department, Facility
from kcb06.facilities.queries import department_by_code_sql
from kcb06.plumbing import rawrows
from kcb06.plumbing.shortcache import ShortCache
from kcb06.visits.models import DepartmentClosure


def local_day(now: datetime | None = None) -> date:
    return timezone.localdate(now or timezone.now())


def department_for(principal, department, day: date | None = None) -> Department:
    """The principal's own department by object or MA_KHOA, else a clear error. Looked up by
    code, it comes with its facility and today's closure in the same query (check-in path)."""
    if isinstance(department, Department):
        dep = department
    else:
        code = (department or "").strip().upper()
        day = day or local_day()
        key = (principal.facility_id, code, day)
        dep = DEPARTMENTS.get(key, lambda: _department_with_closure(*key))
    if dep is None or dep.facility_id != principal.facility_id:
        raise DomainError(
            "department_unknown",
            f"Không có khoa/phòng mã {department!s} ở cơ sở của bạn.",
            f"No department with code {department!s} at your facility.",
            status=404,
        )
    return dep


# Departments with today's closure, for DEPARTMENT_SECONDS (kcb06.plumbing.shortcache): closing a
# department for the day counts at once in the process that did it, within that time in the
# others. Cleared on every save or delete of a department, closure or facility.
DEPARTMENT_SECONDS = 2.0
DEPARTMENTS = ShortCache(DEPARTMENT_SECONDS)


@cache  # the text depends only on the models
def _department_with_closure_sql() -> str:
    c = DepartmentClosure._meta
    closure = (
        f"(SELECT c.{c.get_field('reason').column} FROM {c.db_table} c "  # noqa: S608
        f"WHERE c.{c.get_field('department').column} = d.{Department._meta.pk.column} "
        f"AND c.{c.get_field('day').column} = %s) AS closure_reason"
    )
    return department_by_code_sql(rawrows.select_list((Department, "d"), (Facility, "f")), closure)


def _department_with_closure(facility_id: int, code: str, day: date) -> Department | None:
    """Department, its facility and today's closure reason (NULL when open) in one
    hand-written read: every check-in starts here, and the ORM's query building cost more
    than the database's answer."""
    found = rawrows.fetch_one(
        _department_with_closure_sql(),
        [connection.ops.adapt_datefield_value(day), facility_id, code],
        Department,
        Facility,
    )
    if found is None:
        return None
    dep, facility, dep.closure_reason = found
    dep.closure_day = day
    Department.facility.field.set_cached_value(dep, facility)
    return dep


def closure_today(dep: Department, day: date | None = None) -> str | None:
    """None if the department takes patients today, else the reason (Vietnamese)."""
    if not dep.accepts_patients:
        return "Khoa/phòng này hiện không nhận người bệnh."
    day = day or local_day()
    if getattr(dep, "closure_day", None) == day:
        reason = dep.closure_reason  # fetched with the department (department_for)
        closed = reason is not None
    else:
        closure = DepartmentClosure.objects.filter(department=dep, day=day).first()
        closed, reason = closure is not None, closure.reason if closure else None
    if closed:
        return "Khoa/phòng nghỉ hôm nay" + (f": {reason}" if reason else ".")
    return None


def ensure_open(dep: Department, day: date) -> None:
    reason = closure_today(dep, day)
    if reason:
        raise DomainError(
            "department_closed",
            f"{dep.name}: {reason} Hãy chọn khoa/phòng khác.",
            f"Department {dep.code} is not taking patients today. Choose another department.",
            status=409,
        )


def departments_today(principal) -> list[dict]:
    day = local_day()
    closed = dict(
        DepartmentClosure.objects.filter(
            department__facility_id=principal.facility_id, day=day
        ).values_list("department_id", "reason")
    )
    out = []
    for dep in Department.objects.filter(facility_id=principal.facility_id):
        open_today = dep.accepts_patients and dep.pk not in closed
        out.append(
            {
                "id": dep.pk,
                "code": dep.code,
                "name": dep.name,
                "room": dep.room,
                "open_today": open_today,
                "closed_reason": "" if open_today else (closed.get(dep.pk) or "không nhận"),
            }
        )
    return out
