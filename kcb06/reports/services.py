"""The figures of the targets dashboard and its API, read from the daily rollups only.

Who sees what: the health department every treating facility under it (its descendants), a
facility administrator their own facility. The answer holds facility codes, names and counts:
never a patient, a visit or a name, so reading it is not a read of personal data (not audited).
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from kcb06.eligibility.models import LATENCY_BOUNDS_MS
from kcb06.errors import DomainError, NotFound
from kcb06.facilities.models import Facility, FacilityKind, Role
from kcb06.reports.models import (
    COUNT_FIELDS,
    PORTAL_LATENCY_FIELDS,
    VISIT_FIELDS,
    DepartmentDay,
    FacilityDay,
)
from kcb06.reports.targets import CASHLESS, CHIP_FACILITIES, HEALTH_BOOK, TARGETS

VIEW_ROLES = (Role.HEALTH_DEPT, Role.FACILITY_ADMIN)
PERIODS = {"today": "Hôm nay", "week": "Tuần này", "month": "Tháng này"}
CHIP_COLUMNS = ("by_cccd_qr", "by_vneid_qr")


@dataclass(frozen=True)
class Period:
    key: str
    label_vi: str
    start: date
    end: date


def period(key: str, today: date | None = None) -> Period:
    """Today; this week from Monday; this month from the 1st — each up to today."""
    today = today or timezone.localdate()
    if key not in PERIODS:
        raise DomainError(
            "invalid_period",
            "Kỳ báo cáo không hợp lệ: chọn hôm nay (today), tuần này (week) hoặc tháng này "
            "(month).",
            "Invalid period: use today, week or month.",
        )
    start = {
        "today": today,
        "week": today - timedelta(days=today.weekday()),
        "month": today.replace(day=1),
    }[key]
    return Period(key, PERIODS[key], start, today)


def facilities_in_scope(principal) -> list[Facility]:
    principal.require_role(*VIEW_ROLES)
    return list(
        Facility.objects.filter(
            pk__in=principal.aggregate_facility_ids(),
            kind__in=FacilityKind.treating(),
            is_active=True,
        ).order_by("code")
    )


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def latency_percentile(counts: dict, percent: int) -> int | None:
    """The upper bound (ms) of the latency bucket the percentile falls in ("at most"); None
    without a timed call, or when it falls above the last bound (the page says "> 5000 ms")."""
    timed = sum(counts[name] for name in PORTAL_LATENCY_FIELDS)
    if not timed:
        return None
    rank, seen = math.ceil(timed * percent / 100), 0
    for bound, name in zip((*LATENCY_BOUNDS_MS, None), PORTAL_LATENCY_FIELDS, strict=True):
        seen += counts[name]
        if seen >= rank:
            return bound
    return None


def _portal_figures(counts: dict) -> dict:
    timed = sum(counts[name] for name in PORTAL_LATENCY_FIELDS)
    answered = counts["portal_checks"] - counts["portal_unanswered"]
    return {
        "portal_availability": _share(answered, counts["portal_checks"]),
        "portal_timed": timed,
        "portal_latency_mean_ms": round(counts["portal_latency_ms"] / timed) if timed else None,
        "portal_p50_ms": latency_percentile(counts, 50),
        "portal_p95_ms": latency_percentile(counts, 95),
    }


def _figures(counts: dict) -> dict:
    """Counts plus the shares the dashboard shows beside the targets."""
    visits = counts["visits"]
    chip = sum(counts[c] for c in CHIP_COLUMNS)
    figures = {
        **counts,
        "by_chip": chip,
        "chip_share": _share(chip, visits),
        "health_book_share": _share(counts["accepted"], visits),
        "on_time_share": _share(counts["accepted_on_time"], counts["ended"]),
    }
    if "payments" in counts:  # a facility's day; a department's has visits' figures only
        figures.update(
            payments_cash=counts["payments"] - counts["payments_cashless"],
            cashless_share=_share(counts["payments_cashless"], counts["payments"]),
            cashless_value_share=_share(counts["paid_cashless_amount"], counts["paid_amount"]),
            **_portal_figures(counts),
        )
    return figures


def _zero(fields=COUNT_FIELDS) -> dict:
    return dict.fromkeys(fields, 0)


def treating_under(owner: Facility) -> list[Facility]:
    """The active treating facilities a report of `owner` covers: below a health department,
    or the facility itself."""
    ids = owner.descendant_ids() if owner.kind == FacilityKind.HEALTH_DEPT else {owner.pk}
    return list(
        Facility.objects.filter(
            pk__in=ids, kind__in=FacilityKind.treating(), is_active=True
        ).order_by("code")
    )


def aggregate(facilities: list[Facility], start: date, end: date) -> tuple[list[dict], dict]:
    """Per facility and rolled up, the counts and shares of the days start..end (one grouped
    query over the rollups)."""
    sums = {
        row["facility_id"]: row
        for row in FacilityDay.objects.filter(
            facility_id__in=[f.pk for f in facilities], day__gte=start, day__lte=end
        )
        .values("facility_id")
        .annotate(**{name: Sum(name) for name in COUNT_FIELDS})
        .order_by()
    }
    rows, total = [], _zero()
    for facility in facilities:
        counts = {name: (sums.get(facility.pk) or {}).get(name) or 0 for name in COUNT_FIELDS}
        for name in COUNT_FIELDS:
            total[name] += counts[name]
        row = _figures(counts)
        row.update(
            code=facility.code,
            name=facility.name,
            checks_in_by_chip=row["by_chip"] > 0,
        )
        rows.append(row)
    rolled = _figures(total)
    with_chip = sum(1 for r in rows if r["checks_in_by_chip"])
    rolled.update(
        facilities=len(rows),
        facilities_by_chip=with_chip,
        facilities_by_chip_share=_share(with_chip, len(rows)),
    )
    return rows, rolled


def target_values(rolled: dict) -> dict:
    return {
        CHIP_FACILITIES.key: rolled["facilities_by_chip_share"],
        HEALTH_BOOK.key: rolled["health_book_share"],
        CASHLESS.key: rolled["cashless_share"],
    }


def figures(principal, key: str = "week", today: date | None = None) -> dict:
    """Per facility and rolled up, for one period, with the targets."""
    p = period(key, today)
    facilities = facilities_in_scope(principal)
    rows, rolled = aggregate(facilities, p.start, p.end)
    trend = weekly_trend(facilities, today)
    errors = claim_errors(facilities, p.start, p.end)
    return {
        "period": _period_json(p),
        "targets": [
            {
                "key": t.key,
                "label_vi": t.label_vi,
                "target_percent": t.percent,
                "source_vi": t.source_vi,
                "value_percent": target_values(rolled)[t.key],
            }
            for t in TARGETS
        ],
        "total": rolled,
        "facilities": rows,
        "trend": trend,
        "claim_errors": errors,
        # When the figures of the period were computed (the rows of the period only: an index
        # range, not every row the facilities ever had).
        "updated_at": FacilityDay.objects.filter(
            facility_id__in=[f.pk for f in facilities], day__gte=p.start, day__lte=p.end
        ).aggregate(at=Max("computed_at"))["at"],
    }


def facility_in_scope(principal, code: str) -> Facility:
    facility = next((f for f in facilities_in_scope(principal) if f.code == code), None)
    if facility is None:
        raise NotFound("facility_not_found", "Không tìm thấy cơ sở.", "Facility not found.")
    return facility


def _by_day(rows, p: Period, fields) -> tuple[list[dict], dict]:
    """Every day of the period (a day without a row counts zero) and the period's total."""
    by_day = {r.day: r for r in rows}
    days, total = [], _zero(fields)
    d = p.start
    while d <= p.end:
        row = by_day.get(d)
        counts = {name: getattr(row, name) if row else 0 for name in fields}
        for name in fields:
            total[name] += counts[name]
        days.append({"day": d, **_figures(counts)})
        d += timedelta(days=1)
    return days, _figures(total)


def _period_json(p: Period) -> dict:
    return {"key": p.key, "label_vi": p.label_vi, "start": p.start, "end": p.end}


def facility_days(principal, code: str, key: str = "month", today: date | None = None) -> dict:
    """Drill-down: one facility's figures per day of the period and per department (counts
    only)."""
    p = period(key, today)
    facility = facility_in_scope(principal, code)
    rows = FacilityDay.objects.filter(facility=facility, day__gte=p.start, day__lte=p.end)
    days, total = _by_day(rows, p, COUNT_FIELDS)
    return {
        "period": _period_json(p),
        "facility": {"code": facility.code, "name": facility.name},
        "total": total,
        "days": days,
        "departments": departments(facility, p),
    }


def departments(facility: Facility, p: Period) -> list[dict]:
    """The facility's departments with their visits' figures of the period (one grouped query
    over DepartmentDay); departments without a visit are left out."""
    sums = (
        DepartmentDay.objects.filter(facility=facility, day__gte=p.start, day__lte=p.end)
        .values("department_id", "department__code", "department__name")
        .annotate(**{name: Sum(name) for name in VISIT_FIELDS})
        .order_by("department__code")
    )
    return [
        {
            "id": r["department_id"],
            "code": r["department__code"],
            "name": r["department__name"],
            **_figures({name: r[name] or 0 for name in VISIT_FIELDS}),
        }
        for r in sums
    ]


def department_days(
    principal, code: str, department_id: int, key: str = "month", today: date | None = None
) -> dict:
    """Drill-down to a department (khoa) of a facility in scope: its figures per day."""
    p = period(key, today)
    facility = facility_in_scope(principal, code)
    department = facility.departments.filter(pk=department_id).first()
    if department is None:
        raise NotFound("department_not_found", "Không tìm thấy khoa.", "Department not found.")
    rows = DepartmentDay.objects.filter(department=department, day__gte=p.start, day__lte=p.end)
    days, total = _by_day(rows, p, VISIT_FIELDS)
    return {
        "period": _period_json(p),
        "facility": {"code": facility.code, "name": facility.name},
        "department": {"id": department.pk, "code": department.code, "name": department.name},
        "total": total,
        "days": days,
    }


TREND_WEEKS = 12


def weekly_trend(facilities: list[Facility], today: date | None = None, weeks: int = TREND_WEEKS):
    """The last `weeks` weeks (Monday to Sunday, the current one up to today), rolled up over
    the facilities: the shares of the targets per week. One grouped query over the rollups."""
    today = today or timezone.localdate()
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    sums = {
        r["week"]: r
        for r in FacilityDay.objects.filter(
            facility_id__in=[f.pk for f in facilities], day__gte=first, day__lte=today
        )
        .annotate(week=TruncWeek("day"))
        .values("week")
        .annotate(**{name: Sum(name) for name in COUNT_FIELDS})
        .order_by()
    }
    out = []
    for i in range(weeks):
        monday = first + timedelta(weeks=i)
        row = sums.get(monday) or {}
        counts = {name: row.get(name) or 0 for name in COUNT_FIELDS}
        out.append({"week": monday, **_figures(counts)})
    return out


def claim_errors(facilities: list[Facility], start: date, end: date, top: int = 15) -> list[dict]:
    """Claim files refused by our own checks before sending (state "invalid"), counted by the
    rule they broke (counts only): the files made on the days start..end at these facilities.
    Read from the outbox directly: invalid files are few, and their findings are per file."""
    from collections import Counter

    from kcb06.interchange.models import OutboxItem, OutboxKind, OutboxState

    counter: Counter = Counter()
    for errors in OutboxItem.objects.filter(
        facility_id__in=[f.pk for f in facilities],
        kind=OutboxKind.CLAIM,
        state=OutboxState.INVALID,
        created_at__date__gte=start,
        created_at__date__lte=end,
    ).values_list("errors", flat=True):
        for e in {
            (e.get("table", ""), e.get("code", "")) for e in errors or [] if isinstance(e, dict)
        }:
            counter[e] += 1
    return [
        {"table": table, "rule": rule, "files": n} for (table, rule), n in counter.most_common(top)
    ]
