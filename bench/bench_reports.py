"""Reports speed on PostgreSQL: the targets dashboard, its API and a month's province report
(PDF + XLSX) over 300 facilities × two years of daily rollups.

Targets (issue 21): dashboard and report queries p95 < 200 ms over 10,000,000 visits at 300
facilities and two years of days; a month's province report (PDF and XLSX) < 10 s.

What is loaded: the rollup rows (`reports.FacilityDay`, one per facility and day: 300 × 730 =
219,000 rows), generated inside PostgreSQL with INSERT … SELECT FROM generate_series, their
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
import sys
import tempfile
import time
from datetime import timedelta

from bench.machine import percentile, report, summary_ms, timed

QUERY_TARGET_MS = 200
REPORT_TARGET_S = 10.0
BENCH_PREFIX = "B"  # bench facilities: codes B0001…


def load(n_facilities: int, n_days: int) -> None:
    """300 commune stations under the demo health department and their daily rollups."""
    from django.db import connection
    from django.utils import timezone

    from kcb06.facilities.models import Facility
    from kcb06.reports.models import COUNT_FIELDS, FacilityDay

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
    if have_rows >= len(ids) * n_days:
        return
    began = time.perf_counter()
    FacilityDay.objects.filter(facility_id__in=ids).delete()
    # ~46 visits a day per station (300 × 730 × 46 ≈ 10 million), the columns split of them.
    exprs = {
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
        "payments": "v / 2",
        "payments_cashless": "v / 5",
        "paid_amount": "v * 60000",
        "paid_cashless_amount": "v * 30000",
        "portal_checks": "v * 9 / 10",
        "portal_unanswered": "v / 50",
        "mismatch_listed": "v / 40",
        "mismatch_sent": "v / 50",
    }
    assert set(exprs) == set(COUNT_FIELDS), set(COUNT_FIELDS) ^ set(exprs)
    cols = ", ".join(f'"{c}"' for c in ("facility_id", "day", "computed_at", *exprs))
    values = ", ".join(exprs.values())
    with connection.cursor() as cur:
        per_day = (
            "SELECT f, d::date AS d, 30 + ((f * 7 + extract(doy FROM d)::int * 13) %% 33) AS v "
            "FROM unnest(%s::bigint[]) AS f, "
            "generate_series(%s::date, %s::date, interval '1 day') AS d"
        )
        sql = f"INSERT INTO reports_facilityday ({cols}) SELECT f, d, now(), {values} FROM ({per_day}) s"  # noqa: S608, E501 - columns from the model, values bound
        cur.execute(sql, [ids, first, today])
        cur.execute("ANALYZE reports_facilityday")
    print(f"loaded {len(ids) * n_days:,} facility-days in {time.perf_counter() - began:.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--facilities", type=int, default=300)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench_reports needs DATABASE_URL=postgres://… (its own database)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kcb06.settings")
    from kcb06.cli import setup_django

    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db.models import Sum
    from django.test import Client, override_settings
    from django.utils import timezone

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", "--noinput", verbosity=0)
    from kcb06.facilities.demo import seed

    org = seed()
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
    # The queries the target is about: the figures behind the dashboard, the API, the
    # drill-down and a month's report (with its 9,000 trace rows).
    cases = {
        "dashboard figures, week (+12-week trend)": lambda: services.figures(principal, "week"),
        "dashboard figures, month (+trend)": lambda: services.figures(principal, "month"),
        "drill-down, one facility's month": lambda: services.facility_days(
            principal, in_scope[-1].code, "month"
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
