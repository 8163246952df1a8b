"""The claim-error work queue (docs/claims.md): the claims the portal has not accepted yet, for
the billing clerk and the head of department of a facility, and their counts for the health
department.

What is shown:
- the funnel of a period: built -> valid -> signed -> sent -> accepted, with the claims stuck
  at each step (data errors, refused by the portal, delivery given up);
- the queue: claims not accepted yet (and not replaced by a corrected file), oldest first,
  filtered by error, department and age, with the error's message and the fix to make, and a
  link to the visit where the fix is made; pages of 50 by keyset (no OFFSET);
- the errors met most this week, corrected claims included (where the training is needed);
- for the health department: counts by facility and error, never a claim, a visit or a name.

The rows come from partial indexes (models.OutboxItem.Meta.indexes) on columns the database
computes from the row (queue_error, queue_stage, queue_since); the counts from counters the
database keeps in the same transaction as every change (queue_counts). The page costs the same
with a million claims as with a hundred, and its figures are never older than the request
(bench/bench_claim_queue.py). The fix texts: queue_fixes; the Excel: queue_export.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from kcb06.facilities.models import Department, Facility, Role
from kcb06.interchange import portal
from kcb06.interchange.models import OutboxState
from kcb06.interchange.queue_counts import (
    AGE_BUCKETS,
    AGES,
    age_q,
    funnel,
    pending,
    pending_by_age,
    pending_by_error,
    pending_by_facility,
    pending_counts,
    top_errors,
)
from kcb06.interchange.queue_fixes import Fix, fix_for

# The billing clerk is the cashier role ("thu ngân": bills and BHYT claims at a facility); the
# head of department is a clinician (kcb06 has no separate role); the facility admin sees the
# whole facility. The same roles already read the facility's outbox (services.VIEW_ROLES).
STAFF_ROLES = (Role.CASHIER, Role.CLINICIAN, Role.FACILITY_ADMIN)
COUNT_ROLES = (Role.HEALTH_DEPT,)
ROLES = (*STAFF_ROLES, *COUNT_ROLES)
PAGE_SIZE = 50
PERIODS = {"7": 7, "30": 30, "90": 90}
DEFAULT_PERIOD = "30"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
__all__ = ["AGE_BUCKETS", "Filters", "fix_for", "health_dept_view", "rows", "staff_view"]

# --- filters -----------------------------------------------------------------------------------


@dataclass
class Filters:
    error: str = ""
    department: int | None = None
    age: str = ""
    period: str = DEFAULT_PERIOD
    after: tuple[datetime, int] | None = None

    @classmethod
    def from_query(cls, query) -> "Filters":
        """From the page's query string; anything unknown is dropped, never a 500."""
        out = cls()
        out.error = (query.get("error") or "").strip()[:120]
        dept = (query.get("department") or "").strip()
        out.department = int(dept) if dept.isdigit() and len(dept) < 12 else None
        age = query.get("age") or ""
        out.age = age if age in AGES else ""
        period = query.get("period") or ""
        out.period = period if period in PERIODS else DEFAULT_PERIOD
        out.after = parse_cursor(query.get("after") or "")
        return out

    def query(self, **changes) -> dict:
        values = {
            "error": self.error,
            "department": self.department or "",
            "age": self.age,
            "period": self.period,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None)}


def parse_cursor(text: str) -> tuple[datetime, int] | None:
    """ "<microseconds since epoch>.<id>" of the last row shown, or None."""
    micros, _, pk = text.partition(".")
    if not (micros.isdigit() and pk.isdigit() and len(micros) < 20 and len(pk) < 20):
        return None
    try:
        at = EPOCH + timedelta(microseconds=int(micros))
    except OverflowError:
        return None
    return at, int(pk)


def cursor_of(item: dict) -> str:
    micros = (item["queue_since"] - EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{item['id']}"


def _filtered(facility_ids, f: Filters, now):
    qs = pending(facility_ids)
    if f.error:
        qs = qs.filter(queue_error=f.error)
    if f.department:
        qs = qs.filter(department_id=f.department)
    if f.age:
        qs = qs.filter(age_q(f.age, now))
    return qs


# --- what the page shows ---------------------------------------------------------------------


def _row(item: dict, now, departments: dict, labels: dict) -> dict:
    state = item["state"]
    errors = item["errors"] or []
    first = errors[0] if errors else {}
    if state == OutboxState.REJECTED:
        first = {"message_vi": item["result_message"] or portal.meaning(item["result_code"])}
    elif state == OutboxState.FAILED:
        first = {"message_vi": f"Gửi lỗi sau {item['attempts']} lần thử: {item['last_error']}"}
    key = item["queue_error"]
    if key:
        fix = fix_for(key, first)
    elif state == OutboxState.WAITING and item["last_error"]:
        fix = Fix(
            "", f"Chờ gửi: {item['last_error']}", "Hệ thống tự gửi lại; không cần sửa đợt khám."
        )
    else:
        fix = Fix("", labels[state], "Hệ thống đang gửi; không cần làm gì.")
    hours = (now - item["queue_since"]).total_seconds() / 3600
    dept = departments.get(item["department_id"])
    return {
        "id": item["id"],
        "visit_id": item["visit_id"],
        "ma_lk": item["ma_lk"],
        "state": state,
        "state_vi": labels[state],
        "department": dept.name if dept else "",
        "department_code": dept.code if dept else "",
        "since": item["queue_since"],
        "age_hours": round(hours, 1),
        "age_vi": f"{hours:.0f} giờ" if hours < 48 else f"{hours / 24:.0f} ngày",
        "error": key,
        "more_errors": max(0, len(errors) - 1),
        "message_vi": fix.message_vi,
        "next_step_vi": fix.next_step_vi,
    }


_ROW_FIELDS = (
    "id",
    "visit_id",
    "ma_lk",
    "state",
    "errors",
    "result_code",
    "result_message",
    "last_error",
    "attempts",
    "department_id",
    "queue_error",
    "queue_since",
)


def rows(facility_ids, f: Filters, now, limit: int = PAGE_SIZE) -> tuple[list[dict], str]:
    """One page of the queue, oldest first; and the cursor of the next page ("" at the end)."""
    qs = _filtered(facility_ids, f, now)
    if f.after is not None:
        since, pk = f.after
        # (queue_since, id) > (since, pk), with a bound the index range scan can use
        qs = qs.filter(Q(queue_since__gt=since) | Q(id__gt=pk), queue_since__gte=since)
    items = list(qs.order_by("queue_since", "id").values(*_ROW_FIELDS)[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    departments = Department.objects.in_bulk({i["department_id"] for i in items} - {None})
    labels = {value: str(label) for value, label in OutboxState.choices}
    out = [_row(i, now, departments, labels) for i in items]
    return out, cursor_of(items[-1]) if more and items else ""


def departments(facility_ids) -> list[Department]:
    return list(Department.objects.filter(facility_id__in=facility_ids).order_by("sort_order"))


def staff_view(principal, f: Filters, now=None) -> dict:
    """Everything the facility page shows (the caller audits the read)."""
    principal.require_role(*STAFF_ROLES)
    now = now or timezone.now()
    ids = principal.patient_data_facility_ids()
    page, next_cursor = rows(ids, f, now)
    counts = pending_counts(ids, now)
    by_dept = counts.by(1)
    return {
        "funnel": funnel(ids, now, PERIODS[f.period]),
        "top_errors": top_errors(ids, now),
        "by_error": pending_by_error(counts),
        "by_age": pending_by_age(counts),
        "departments": [
            {"id": d.pk, "code": d.code, "name": d.name, "n": by_dept.get(d.pk, 0)}
            for d in departments(ids)
        ],
        "pending": counts.total(),
        "shown": counts.total(f),
        "rows": page,
        "next": next_cursor,
    }


def health_dept_view(principal, f: Filters, now=None) -> dict:
    """Counts by facility and error for the facilities under a health department: no claim,
    no MA_LK, no visit, no name."""
    principal.require_role(*COUNT_ROLES)
    now = now or timezone.now()
    ids = principal.aggregate_facility_ids()
    facilities = {x.pk: x for x in Facility.objects.filter(pk__in=ids)}
    table: dict[int, dict] = {}
    for facility_id, errors in pending_by_facility(ids, now).items():
        x = facilities[facility_id]
        table[facility_id] = {
            "code": x.code,
            "name": x.name,
            "total": sum(n for _key, n in errors),
            "errors": [{"key": k, "n": n, "fix": fix_for(k) if k else None} for k, n in errors],
        }
    return {
        "funnel": funnel(ids, now, PERIODS[f.period]),
        "top_errors": top_errors(ids, now),
        "facilities": sorted(table.values(), key=lambda g: g["code"]),
        "pending": sum(g["total"] for g in table.values()),
    }
