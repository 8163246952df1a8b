"""Reports speed on PostgreSQL: the targets dashboard, its API and a month's province report
(PDF + XLSX) over 300 facilities × two years of daily rollups.

Targets (issue 21): dashboard and report queries p95 < 200 ms over 10,000,000 visits at 300
facilities and two years of days; a month's province report (PDF and XLSX) < 10 s.

What is loaded: the rollup rows (`reports.FacilityDay`, one per facility and day: 300 × 730 =
219,000 rows; `reports.DepartmentDay` for five departments a station, 1,095,000 rows), generated inside PostgreSQL with INSERT … SELECT FROM generate_series, their
counts adding up to ~10 million visits. The dashboard, the API and the reports read only these
rows, never `visits.Visit`, so the visits themselves are not needed to measure them: the cost
grows with facilities × days in the period (one grouped query, indexed by day), not with
visits. To show it, the same queries are measured at 30 and at 300 facilities (the baseline).

Server time = Django's full request handling in this process through the test client.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/kcb06_reports \
     .venv/bin/python -m bench.bench_reports [--runs 50] [--facilities 300] [--days 730]
"""

import argparse
import os
import tempfile
import time
from datetime import timedelta

from bench.machine import django_on_postgres, percentile, report, summary_ms, timed

QUERY_TARGET_MS = 200
REPORT_TARGET_S = 10.0
BENCH_PREFIX = "B"  # bench facilities: codes B0001…


def load(n_facilities: int, n_days: int) -> None:
    """300 commune stations under the demo health department and their daily rollups."""
    from django.db import connection
    from django.utils import timezone

    from kcb06.facilities.models import Facility
    from kcb06.reports.models import (
        COUNT_FIELDS,
        PORTAL_LATENCY_FIELDS,
        DepartmentDay,
        FacilityDay,
    )

    dept = Facility.objects.get(kind="so_yte")
    have = Facility.objects.filter(code__startswith=BENCH_PREFIX).count()
    Facility.objects.bulk_create(
        [
            Facility(
                code=f"{BENCH_PREFIX}{i:04d}",
                name=f"Trạm y tế bench {i:04d}",
                kind="tram_y_te",
                parent=dept,
                province_code="27",
            )
            for i in range(have + 1, n_facilities + 1)
        ]
    )
    today = timezone.localdate()
    first = today - timedelta(days=n_days - 1)
    ids = list(
        Facility.objects.filter(code__startswith=BENCH_PREFIX)
        .order_by("code")
        .values_list("pk", flat=True)[:n_facilities]
    )
    have_rows = FacilityDay.objects.filter(facility_id__in=ids, day__gte=first).count()
    loaded = DepartmentDay.objects.filter(facility_id__in=ids, day__gte=first).exists()
    if have_rows >= len(ids) * n_days and loaded:
        return
    began = time.perf_counter()
    FacilityDay.objects.filter(facility_id__in=ids).delete()
    DepartmentDay.objects.filter(facility_id__in=ids).delete()
    departments = _departments(ids)
    # ~46 visits a day per station (300 × 730 × 46 ≈ 10 million), the columns split of them.
    visit_exprs = {
        "visits": "v",
        "by_cccd_qr": "v * 5 / 10",
        "by_vneid_qr": "v / 10",
        "by_id_number": "v / 10",
        "by_bhyt_card": "v * 2 / 10",
        "by_no_document": "v - v * 5 / 10 - v / 10 - v / 10 - v * 2 / 10",
        "elig_valid": "v * 8 / 10",
        "elig_invalid": "v / 20",
        "elig_no_card": "v / 10",
        "elig_unverified": "v - v * 8 / 10 - v / 20 - v / 10",
        "ended": "v",
        "accepted": "v * 7 / 10",
        "accepted_on_time": "v * 6 / 10",
        "late": "v * 4 / 10",
        "claims_invalid": "v / 30",
    }
    # Portal calls ≈ 0.9 × visits, their latencies spread over the histogram's buckets.
    latency = {name: f"v * 9 / 10 / {len(PORTAL_LATENCY_FIELDS)}" for name in PORTAL_LATENCY_FIELDS}
    exprs = {
        **visit_exprs,
        "payments": "v / 2",
        "payments_cashless": "v / 5",
        "paid_amount": "v * 60000",
        "paid_cashless_amount": "v * 30000",
        "portal_checks": "v * 9 / 10",
        "portal_unanswered": "v / 50",
        "portal_timeouts": "v / 100",
        "portal_latency_ms": "v * 9 / 10 * 400",
        **latency,
        "mismatch_listed": "v / 40",
        "mismatch_sent": "v / 50",
    }
    assert set(exprs) == set(COUNT_FIELDS), set(COUNT_FIELDS) ^ set(exprs)
    per_day = (
        "SELECT f, d::date AS d, 30 + ((f * 7 + extract(doy FROM d)::int * 13) %% 33) AS v "
        "FROM unnest(%s::bigint[]) AS f, "
        "generate_series(%s::date, %s::date, interval '1 day') AS d"
    )
    with connection.cursor() as cur:
        cols = ", ".join(f'"{c}"' for c in ("facility_id", "day", "computed_at", *exprs))
        sql = f"INSERT INTO reports_facilityday ({cols}) SELECT f, d, now(), {', '.join(exprs.values())} FROM ({per_day}) s"  # noqa: S608, E501 - columns from the model, values bound
        cur.execute(sql, [ids, first, today])
        # Each station's visits of the day split over its departments (a fifth each).
        cols = ", ".join(
            f'"{c}"' for c in ("facility_id", "department_id", "day", "computed_at", *visit_exprs)
        )
        values = ", ".join(e.replace("v", "(v / 5)") for e in visit_exprs.values())
        sql = f"INSERT INTO reports_departmentday ({cols}) SELECT s.f, k.id, s.d, now(), {values} FROM ({per_day}) s JOIN facilities_department k ON k.facility_id = s.f"  # noqa: S608, E501 - columns from the model, values bound
        cur.execute(sql, [ids, first, today])
        cur.execute("ANALYZE reports_facilityday")
        cur.execute("ANALYZE reports_departmentday")
    print(
        f"loaded {len(ids) * n_days:,} facility-days and {len(departments) * n_days:,} "
        f"department-days in {time.perf_counter() - began:.1f} s"
    )


def _departments(ids: list[int]) -> list:
    """Five departments at each bench station (the drill-down's second level)."""
    from kcb06.facilities.models import Department

    have = set(Department.objects.filter(facility_id__in=ids).values_list("facility_id", flat=True))
    Department.objects.bulk_create(
        [
            Department(facility_id=f, code=f"K{k:02d}", name=f"Khoa bench {k}", sort_order=k)
            for f in ids
            if f not in have
            for k in range(1, 6)
        ]
    )
    return list(Department.objects.filter(facility_id__in=ids))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--facilities", type=int, default=300)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    org = django_on_postgres("bench_reports")
    from django.db.models import Sum
    from django.test import Client, override_settings
    from django.utils import timezone

    load(args.facilities, args.days)

    from kcb06.facilities.models import Facility
    from kcb06.facilities.services import principal_for_user
    from kcb06.reports import periodic, services
    from kcb06.reports.models import FacilityDay

    dept = Facility.objects.get(kind="so_yte")
    in_scope = services.treating_under(dept)
    rows = FacilityDay.objects.filter(facility__in=in_scope)
    n_rows = rows.count()
    n_visits = rows.aggregate(n=Sum("visits"))["n"] or 0
    print(
        f"database: {len(in_scope)} facilities in the province, {n_rows:,} facility-days, "
        f"{n_visits:,} visits represented",
        flush=True,
    )
    client = Client()
    client.force_login(org["users"]["soyte"])

    def get(url):
        def _():
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)

        return _

    today = timezone.localdate()
    principal = principal_for_user(org["users"]["soyte"])
    m_start, m_end = periodic.monthly_period(today.replace(day=15))
    drill_department = in_scope[-1].departments.order_by("pk").values_list("pk", flat=True)[0]
    # The queries the target is about: the figures behind the dashboard, the API, the
    # drill-down and a month's report (with its 9,000 trace rows).
    cases = {
        "dashboard figures, week (+12-week trend)": lambda: services.figures(principal, "week"),
        "dashboard figures, month (+trend)": lambda: services.figures(principal, "month"),
        "drill-down, one facility's month": lambda: services.facility_days(
            principal, in_scope[-1].code, "month"
        ),
        "drill-down, one department's month": lambda: services.department_days(
            principal, in_scope[-1].code, drill_department, "month"
        ),
        "monthly report figures (build)": lambda: periodic.build(dept, "monthly", m_start, m_end),
    }
    # Whole requests, printed beside (template rendering of 300 rows included).
    pages = {
        "page /reports/?period=week": get("/reports/?period=week"),
        "API /api/v1/reports/targets?period=month": get("/api/v1/reports/targets?period=month"),
    }
    # Baseline in the same run: the same figures over 30 facilities (a tenth of the province).
    tenth = in_scope[: max(1, len(in_scope) // 10)]
    base = timed(lambda: services.aggregate(tenth, today - timedelta(days=29), today), args.runs)
    full = timed(lambda: services.aggregate(in_scope, today - timedelta(days=29), today), args.runs)
    print(f"baseline  aggregate, month, {len(tenth)} facilities: {summary_ms(base)}")
    print(f"          aggregate, month, {len(in_scope)} facilities: {summary_ms(full)}")
    worst = 0.0
    for name, fn in cases.items():
        seconds = timed(fn, args.runs)
        p95 = percentile(seconds, 95) * 1000
        worst = max(worst, p95)
        print(f"{name:40s} {summary_ms(seconds)}", flush=True)
    for name, fn in pages.items():
        print(f"{name:40s} {summary_ms(timed(fn, max(5, args.runs // 3)))}", flush=True)
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    report(
        "reports queries",
        f"worst p95 {worst:.1f} ms over {n_rows:,} facility-days ({n_visits:,} visits)",
        f"p95 < {QUERY_TARGET_MS} ms",
        worst < QUERY_TARGET_MS,
    )
    # A month's province report, PDF + XLSX (the 15th-to-14th month the 15th files).
    with tempfile.TemporaryDirectory() as folder, override_settings(KCB06_REPORTS_DIR=folder):
        took = []
        for _ in range(3):
            t = time.perf_counter()
            made = periodic.generate(dept, "monthly", m_start, m_end, by="bench")
            took.append(time.perf_counter() - t)
        pdf_kb = os.path.getsize(periodic.file_path(made, "pdf")) // 1024
        xlsx_kb = os.path.getsize(periodic.file_path(made, "xlsx")) // 1024
    made.delete()
    report(
        "monthly province report",
        f"{max(took):.2f} s worst of 3 (best {min(took):.2f} s) for {made.facilities} "
        f"facilities, PDF {pdf_kb} KB + XLSX {xlsx_kb} KB, load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        f"< {REPORT_TARGET_S:.0f} s",
        max(took) < REPORT_TARGET_S,
    )


if __name__ == "__main__":
    main()
