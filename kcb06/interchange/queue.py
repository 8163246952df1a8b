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

Every figure comes from an aggregate over a partial index (models.OutboxItem.Meta.indexes) on
columns the database computes from the row (queue_error, queue_stage, queue_since), so the
page costs the same with a million claims as with a hundred (bench/bench_claim_queue.py).
"""

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache

from django.db.models import Case, CharField, Count, Q, Value, When
from django.utils import timezone

from kcb06.facilities.models import Department, Facility, Role
from kcb06.interchange import portal
from kcb06.interchange.core import rules
from kcb06.interchange.models import (
    QUEUE_STATES,
    OutboxItem,
    OutboxKind,
    OutboxState,
    QueueStage,
)
from kcb06.plumbing.shortcache import ShortCache

# The billing clerk is the cashier role ("thu ngân": bills and BHYT claims at a facility); the
# head of department is a clinician (kcb06 has no separate role); the facility admin sees the
# whole facility. The same roles already read the facility's outbox (services.VIEW_ROLES).
STAFF_ROLES = (Role.CASHIER, Role.CLINICIAN, Role.FACILITY_ADMIN)
COUNT_ROLES = (Role.HEALTH_DEPT,)
ROLES = (*STAFF_ROLES, *COUNT_ROLES)
PAGE_SIZE = 50
EXPORT_LIMIT = 50_000
PERIODS = {"7": 7, "30": 30, "90": 90}
DEFAULT_PERIOD = "30"
TOP_ERRORS = 10
# The funnel and the week's top errors count every claim of the period (tens of thousands of
# index entries at a large facility): each process keeps them for a minute. The queue itself and
# its counts by error, department and age are read fresh on every request.
PERIOD_COUNTS = ShortCache(60, limit=500)

# Age of a claim since the visit ended (the portal expects the data within 24 hours).
AGE_BUCKETS = [
    ("lt1d", "Dưới 24 giờ", None, timedelta(days=1)),
    ("1to3d", "1–3 ngày", timedelta(days=1), timedelta(days=3)),
    ("3to7d", "3–7 ngày", timedelta(days=3), timedelta(days=7)),
    ("7to30d", "7–30 ngày", timedelta(days=7), timedelta(days=30)),
    ("gt30d", "Trên 30 ngày", timedelta(days=30), None),
]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
AGES = {key: (label, low, high) for key, label, low, high in AGE_BUCKETS}

# --- the error's message and the fix to make -------------------------------------------------

# What each kind of check means and what to do, by the code validation gives the error. Used
# until (and wherever) the rule catalogue of kcb06.interchange.core.rules has no entry.
_GENERIC = {
    "required": (
        "{field} ({table}) bắt buộc nhưng đang để trống.",
        "Mở đợt khám, nhập {field} rồi kết thúc lại đợt khám và bấm Gửi lại.",
    ),
    "missing": (
        "Thiếu trường bắt buộc {field} ({table}).",
        "Mở đợt khám, nhập {field} rồi kết thúc lại đợt khám và bấm Gửi lại.",
    ),
    "format": (
        "{field} ({table}) sai định dạng.",
        "Sửa {field} trong đợt khám theo đúng định dạng của QĐ 4750 rồi bấm Gửi lại.",
    ),
    "too_long": (
        "{field} ({table}) dài quá mức cho phép.",
        "Rút gọn nội dung {field} trong đợt khám rồi bấm Gửi lại.",
    ),
    "code_list": (
        "{field} ({table}) không có trong danh mục dùng chung.",
        "Chọn lại {field} từ danh mục (không gõ tự do) trong đợt khám rồi bấm Gửi lại.",
    ),
    "date_order": (
        "Ngày giờ {field} ({table}) không đúng thứ tự.",
        "Kiểm tra ngày vào, ngày ra, ngày y lệnh và ngày kết quả của đợt khám rồi bấm Gửi lại.",
    ),
    "quantity": (
        "Số lượng ở {field} ({table}) không hợp lệ.",
        "Sửa số lượng thuốc/dịch vụ trong đợt khám rồi bấm Gửi lại.",
    ),
    "price": (
        "Đơn giá hoặc thành tiền ở {field} ({table}) không khớp.",
        "Kiểm tra đơn giá theo danh mục của cơ sở; sửa dòng chi phí trong đợt khám rồi Gửi lại.",
    ),
    "missing_table": (
        "Hồ sơ thiếu bảng {table}.",
        "Hoàn tất đợt khám (chẩn đoán, chi phí) để lập đủ các bảng rồi bấm Gửi lại.",
    ),
    "unexpected": (
        "{field} ({table}) không đúng vị trí hoặc không thuộc bảng này.",
        "Báo quản trị cơ sở: lỗi cách lập hồ sơ, không sửa được ở đợt khám.",
    ),
    "one_hoso": (
        "Hồ sơ gửi cổng phải có đúng một hồ sơ (HOSO).",
        "Báo quản trị cơ sở: lỗi cách lập hồ sơ, không sửa được ở đợt khám.",
    ),
    "too_many": (
        "{field} ({table}) có nhiều giá trị hơn mức cho phép.",
        "Bớt giá trị ở {field} trong đợt khám rồi bấm Gửi lại.",
    ),
}
_OTHER = (
    "{field} ({table}) không hợp lệ.",
    "Mở hồ sơ để đọc lỗi chi tiết, sửa đợt khám rồi bấm Gửi lại.",
)
_PORTAL_STEPS = {
    "123": "Báo quản trị cơ sở kiểm tra chứng thư số, rồi bấm Gửi lại.",
    "125": "Báo quản trị cơ sở kiểm tra chứng thư số đã đăng ký với cổng; không sửa tệp đã ký.",
    "403": "Báo quản trị cơ sở kiểm tra tài khoản cổng BHXH của cơ sở.",
    "409": "Cổng giữ bản mới hơn: chỉ gửi lại nếu bản này đúng là bản cần giữ.",
}
_DELIVERY = (
    "Gửi lỗi sau nhiều lần thử (mất kết nối hoặc cổng không trả lời).",
    "Kiểm tra kết nối tới cổng BHXH rồi bấm Gửi lại.",
)


@dataclass(frozen=True)
class Fix:
    key: str
    message_vi: str
    next_step_vi: str


@cache
def _catalogue_entry(code: str, table: str, field: str):
    """The rule catalogue's entry for an error stored as (kind, table, field): the first rule of
    that kind on that very field, or None (then _GENERIC's words; a table-wide guess would
    give the clerk another field's fix)."""
    return _CATALOGUE_BY_PLACE.get((code, table, field))


def _index_catalogue() -> dict:
    found: dict = {}
    for rule in rules.catalogue():
        for table in rule.tables:
            for field in rule.fields:
                found.setdefault((rule.kind, table, field), rule)
    return found


_CATALOGUE_BY_PLACE = _index_catalogue()


def _entry_text(entry, *names) -> str:
    for name in names:
        value = entry.get(name) if isinstance(entry, dict) else getattr(entry, name, None)
        if value:
            return str(value)
    return ""


def fix_for(key: str, error: dict | None = None) -> Fix:
    """The message and the next step (Vietnamese) for a queue error key ("XML1.MA_THE_BHYT:
    required", "CONG:125", "GUI_LOI"). `error`: the error as stored on the claim, whose own
    message (and next step, once validation writes one) wins over the catalogue's text."""
    generic = _generic_fix(key)
    if not error:
        return generic
    return Fix(
        key,
        error.get("message_vi") or generic.message_vi,
        error.get("next_step_vi") or error.get("next_step") or generic.next_step_vi,
    )


@lru_cache(maxsize=4096)
def _generic_fix(key: str) -> Fix:
    """The text for a key alone: the rule catalogue's if it has the rule, else _GENERIC's."""
    if key == "GUI_LOI":
        return Fix(key, *_DELIVERY)
    if key.startswith("CONG:"):
        code = key[5:]
        step = _PORTAL_STEPS.get(
            code, "Đọc lý do cổng từ chối, sửa đợt khám theo lý do đó rồi bấm Gửi lại."
        )
        return Fix(key, portal.meaning(code), step)
    place, _, code = key.rpartition(":")
    table, _, field = place.partition(".")
    entry = _catalogue_entry(code, table, field)
    names = {"table": table or "?", "field": field or table or "?"}
    texts = _GENERIC.get(code) or _GENERIC.get(code.removeprefix("xsd_"), _OTHER)
    message, step = (text.format(**names) for text in texts)
    if entry is not None:  # the catalogue's own words, taken as they are
        message = _entry_text(entry, "message_vi") or message
        step = _entry_text(entry, "next_step") or step
    return Fix(key, message, step)


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
        out.after = _cursor(query.get("after") or "")
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


def _cursor(text: str) -> tuple[datetime, int] | None:
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


def _claims(facility_ids):
    return OutboxItem.objects.filter(kind=OutboxKind.CLAIM, facility_id__in=facility_ids)


def _pending(facility_ids):
    """Claims not accepted yet and not replaced: the rows of the partial queue indexes."""
    return _claims(facility_ids).filter(state__in=QUEUE_STATES)


def _age_q(age: str, now) -> Q:
    _label, low, high = AGES[age]
    q = Q()
    if low is not None:
        q &= Q(queue_since__lte=now - low)
    if high is not None:
        q &= Q(queue_since__gt=now - high)
    return q


def _filtered(facility_ids, f: Filters, now):
    qs = _pending(facility_ids)
    if f.error:
        qs = qs.filter(queue_error=f.error)
    if f.department:
        qs = qs.filter(department_id=f.department)
    if f.age:
        qs = qs.filter(_age_q(f.age, now))
    return qs


# --- what the page shows ---------------------------------------------------------------------


def cached_funnel(facility_ids, now, days: int) -> dict:
    key = ("funnel", frozenset(facility_ids), days)
    return PERIOD_COUNTS.get(key, lambda: funnel(facility_ids, now, days))


def cached_top_errors(facility_ids, now) -> list[dict]:
    key = ("top", frozenset(facility_ids))
    return PERIOD_COUNTS.get(key, lambda: top_errors(facility_ids, now))


def funnel(facility_ids, now, days: int) -> dict:
    """Claims whose visit ended in the last `days` days, by how far they got."""
    rows = (
        _claims(facility_ids)
        .filter(queue_since__gt=now - timedelta(days=days))
        .values_list("queue_stage", "state")
        .annotate(n=Count("*"))
        .order_by()
    )
    by_stage: dict[int, int] = {}
    failed = 0
    for stage, state, n in rows:
        by_stage[stage] = by_stage.get(stage, 0) + n
        if state == OutboxState.FAILED:
            failed += n

    def at_least(stage: int) -> int:
        return sum(n for s, n in by_stage.items() if s >= stage)

    steps = [
        ("built", "Đã lập", at_least(QueueStage.BUILT)),
        ("valid", "Hợp lệ", at_least(QueueStage.VALID)),
        ("signed", "Đã ký", at_least(QueueStage.SIGNED)),
        ("sent", "Đã gửi", at_least(QueueStage.SENT)),
        ("accepted", "Cổng tiếp nhận", at_least(QueueStage.ACCEPTED)),
    ]
    built = steps[0][2]
    return {
        "days": days,
        "at": now,
        "steps": [
            {"key": k, "label": label, "n": n, "percent": round(100 * n / built) if built else 0}
            for k, label, n in steps
        ],
        "invalid": by_stage.get(QueueStage.BUILT, 0),
        "rejected": by_stage.get(QueueStage.REJECTED, 0),
        "failed": failed,
        "in_flight": by_stage.get(QueueStage.SENT, 0),
    }


def top_errors(facility_ids, now, days: int = 7, limit: int = TOP_ERRORS) -> list[dict]:
    """The errors claims met in the last `days` days (corrected claims included), most first."""
    rows = (
        _claims(facility_ids)
        .filter(queue_since__gt=now - timedelta(days=days))
        .exclude(queue_error="")
        .values_list("queue_error")
        .annotate(n=Count("*"))
        .order_by("-n", "queue_error")[:limit]
    )
    return [{"key": key, "n": n, "fix": fix_for(key)} for key, n in rows]


@dataclass
class PendingCounts:
    """Claims not accepted yet by (error, department, age bucket): one index-only scan of
    outbox_queue_error gives every count the page shows, the filtered total included."""

    groups: list[tuple[str, int | None, str, int]]

    def total(self, f: "Filters | None" = None) -> int:
        return sum(
            n
            for error, dept, age, n in self.groups
            if f is None
            or (
                (not f.error or error == f.error)
                and (not f.department or dept == f.department)
                and (not f.age or age == f.age)
            )
        )

    def by(self, index: int) -> dict:
        out: dict = {}
        for group in self.groups:
            out[group[index]] = out.get(group[index], 0) + group[3]
        return out


def pending_counts(facility_ids, now) -> PendingCounts:
    rows = (
        _pending(facility_ids)
        .annotate(age_bucket=_age_bucket_at(now))
        .values_list("queue_error", "department_id", "age_bucket")
        .annotate(n=Count("*"))
        .order_by()
    )
    return PendingCounts(list(rows))


def _age_bucket_at(now):
    whens = [
        When(queue_since__gt=now - high, then=Value(key))
        for key, _label, _low, high in AGE_BUCKETS
        if high is not None
    ]
    return Case(*whens, default=Value(AGE_BUCKETS[-1][0]), output_field=CharField())


def pending_by_error(counts: PendingCounts) -> list[dict]:
    by_error = sorted(counts.by(0).items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"key": key, "n": n, "fix": fix_for(key) if key else None} for key, n in by_error]


def pending_by_age(counts: PendingCounts) -> list[dict]:
    by_age = counts.by(2)
    return [
        {"key": key, "label": label, "n": by_age.get(key, 0)}
        for key, label, _lo, _hi in AGE_BUCKETS
    ]


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
        "funnel": cached_funnel(ids, now, PERIODS[f.period]),
        "top_errors": cached_top_errors(ids, now),
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
    rows_ = (
        _pending(ids)
        .values_list("facility_id", "queue_error")
        .annotate(n=Count("*"))
        .order_by("facility_id", "-n", "queue_error")
    )
    table: dict[int, dict] = {}
    for facility_id, key, n in rows_:
        x = facilities[facility_id]
        group = table.setdefault(
            facility_id, {"code": x.code, "name": x.name, "total": 0, "errors": []}
        )
        group["total"] += n
        group["errors"].append({"key": key, "n": n, "fix": fix_for(key) if key else None})
    return {
        "funnel": cached_funnel(ids, now, PERIODS[f.period]),
        "top_errors": cached_top_errors(ids, now),
        "facilities": sorted(table.values(), key=lambda g: g["code"]),
        "pending": sum(g["total"] for g in table.values()),
    }


# --- Excel -------------------------------------------------------------------------------------

HEADERS = [
    "MA_LK",
    "Khoa/phòng",
    "Trạng thái",
    "Kết thúc đợt khám",
    "Số giờ chưa tiếp nhận",
    "Mã lỗi",
    "Lỗi",
    "Cách sửa",
    "Đường dẫn đợt khám",
]


def _inert(value) -> object:
    """A cell a spreadsheet will not run as a formula (formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_rows(facility_ids, f: Filters, now, limit: int = EXPORT_LIMIT) -> list[dict]:
    """Every claim of the filter (up to `limit`), by keyset pages so memory stays flat."""
    out: list[dict] = []
    cursor = Filters(f.error, f.department, f.age, f.period)
    while len(out) < limit:
        page, nxt = rows(facility_ids, cursor, now, limit=min(1000, limit - len(out)))
        out.extend(page)
        if not nxt:
            break
        cursor.after = _cursor(nxt)
    return out


def export_xlsx(principal, f: Filters, visit_url, now=None) -> bytes:
    """The filtered queue as a workbook; for the health department, the counts only."""
    from openpyxl import Workbook  # noqa: PLC0415 - only the export needs it

    now = now or timezone.now()
    book = Workbook(write_only=True)
    if principal.has_role(*COUNT_ROLES):
        data = health_dept_view(principal, f, now)
        sheet = book.create_sheet("Số hồ sơ theo lỗi")
        sheet.append(["Mã cơ sở", "Tên cơ sở", "Mã lỗi", "Lỗi", "Số hồ sơ chưa tiếp nhận"])
        for group in data["facilities"]:
            for e in group["errors"]:
                message = e["fix"].message_vi if e["fix"] else "Chờ gửi / đang gửi"
                sheet.append(
                    [_inert(v) for v in (group["code"], group["name"], e["key"], message, e["n"])]
                )
    else:
        principal.require_role(*STAFF_ROLES)
        sheet = book.create_sheet("Hồ sơ chưa tiếp nhận")
        for column, width in zip("ABCDEFGHI", (22, 28, 22, 18, 12, 30, 50, 50, 40), strict=True):
            sheet.column_dimensions[column].width = width
        sheet.freeze_panes = "A2"
        sheet.append(HEADERS)
        for r in export_rows(principal.patient_data_facility_ids(), f, now):
            local = timezone.localtime(r["since"]).strftime("%d/%m/%Y %H:%M")
            sheet.append(
                [
                    _inert(v)
                    for v in (
                        r["ma_lk"],
                        r["department"],
                        r["state_vi"],
                        local,
                        r["age_hours"],
                        r["error"],
                        r["message_vi"],
                        r["next_step_vi"],
                        visit_url(r["visit_id"]) if r["visit_id"] else "",
                    )
                ]
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
