"""Health-book speed on PostgreSQL: the clinician's page and the FHIR export of one patient
with 200 visits and 1,000 entries, in a database of many patients and visits.

Targets (issue 5): page server time p95 < 150 ms with a fixed number of SQL queries whatever
the history length; FHIR export p95 < 300 ms; database of 1,000,000 patients and 10,000,000
visits.

Loading: the background patients and visits are generated inside PostgreSQL with
INSERT … SELECT FROM generate_series (no rows cross the wire, faster than COPY from Python),
in chunks so progress shows; the columns are taken from the Django models so new fields with
defaults keep working. The loaded size is kept between runs (`--patients/--visits` only add
what is missing), so a large load is paid once.

Server time = Django's full request handling in this process (middleware, view, queries,
template, audit write) through the test client, measured over many runs.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/kcb06_hbook_bench \
     .venv/bin/python -m bench.bench_healthbook --patients 1000000 --visits 10000000
On a shared machine add `--rounds 5`: every round is printed with its load average, the
verdict is the quietest round's, and the range over the rounds is printed beside it.
"""

import argparse
import os
import statistics
import time
from datetime import timedelta

from bench.machine import django_on_postgres, percentile, report, summary_ms

PAGE_TARGET_MS = 150
FHIR_TARGET_MS = 300


def _literal(field):
    from django.db.models import NOT_PROVIDED

    default = field.default
    if default is NOT_PROVIDED:
        if field.null:
            return "NULL"
        if field.get_internal_type() in ("CharField", "TextField"):
            return "''"
        raise SystemExit(f"bench: no value for required column {field.model.__name__}.{field.name}")
    if callable(default):
        default = default()
    if isinstance(default, bool):
        return "TRUE" if default else "FALSE"
    if isinstance(default, (int, float)):
        return str(default)
    if isinstance(default, (dict, list)):
        return "'{}'::jsonb" if isinstance(default, dict) else "'[]'::jsonb"
    return "'" + str(default).replace("'", "''") + "'"


def _insert_sql(model, exprs: dict[str, str]) -> tuple[str, str]:
    cols, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        cols.append(f'"{field.column}"')
        if field.column in exprs:
            values.append(exprs[field.column])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append("now()")
        else:
            values.append(_literal(field))
    return ", ".join(cols), ", ".join(values)


def load_background(n_patients: int, n_visits: int, chunk: int = 500_000) -> None:
    from django.db import connection

    from kcb06.facilities.models import Facility
    from kcb06.patients.models import Patient
    from kcb06.visits.models import Visit

    have_p = Patient.objects.filter(full_name__startswith="BG ").count()
    facilities = list(Facility.objects.filter(code__isnull=False).order_by("code"))
    deps = {f.pk: f.departments.order_by("pk").first().pk for f in facilities}
    t0 = time.monotonic()
    with connection.cursor() as cur:
        while have_p < n_patients:
            n = min(chunk, n_patients - have_p)
            cols, vals = _insert_sql(
                Patient,
                {
                    "full_name": "'BG Nguyễn Văn ' || g",
                    "name_key": "'bg nguyen van ' || g",
                    "date_of_birth": "date '1940-01-01' + (g %% 29000)",
                    "birth_year": "extract(year from date '1940-01-01' + (g %% 29000))::int",
                    "sex": "CASE WHEN g %% 2 = 0 THEN 'male' ELSE 'female' END",
                    "address": "'Thôn ' || (g %% 997) || ', tỉnh Bắc Ninh'",
                },
            )
            sql = f'INSERT INTO "{Patient._meta.db_table}" ({cols}) SELECT {vals} FROM generate_series(%s, %s) g'  # noqa: S608 - columns from the models
            cur.execute(
                sql,
                [have_p + 1, have_p + n],
            )
            have_p += n
            print(f"  patients: {have_p:,} ({time.monotonic() - t0:.0f} s)", flush=True)
        cur.execute(
            f'SELECT min(id), max(id) FROM "{Patient._meta.db_table}" WHERE full_name LIKE %s',  # noqa: S608
            ["BG %"],
        )
        p_min, p_max = cur.fetchone()
        if p_min is None:  # --patients 0: no background patients, so no background visits
            n_visits = 0
        span = (p_max - p_min + 1) if p_min is not None else 0
        have_v = Visit.objects.filter(ma_lk__startswith="BG").count()
        fac_case = "CASE g %% {n} {whens} END".format(
            n=len(facilities),
            whens=" ".join(f"WHEN {i} THEN {f.pk}" for i, f in enumerate(facilities)),
        )
        dep_case = "CASE g %% {n} {whens} END".format(
            n=len(facilities),
            whens=" ".join(f"WHEN {i} THEN {deps[f.pk]}" for i, f in enumerate(facilities)),
        )
        while have_v < n_visits:
            n = min(chunk, n_visits - have_v)
            at = "now() - ((g %% 3650) || ' days')::interval"
            cols, vals = _insert_sql(
                Visit,
                {
                    "ma_lk": "'BG' || g",
                    "facility_id": fac_case,
                    "patient_id": f"{p_min} + (g::bigint * 7919) %% {span}",
                    "department_id": dep_case,
                    "arrived_at": at,
                    "visit_date": f"({at})::date",
                    "reason": "'Khám định kỳ'",
                    "status": "'closed'",
                    "closed_at": at,
                },
            )
            sql = f'INSERT INTO "{Visit._meta.db_table}" ({cols}) SELECT {vals} FROM generate_series(%s, %s) g'  # noqa: S608 - columns from the models
            cur.execute(
                sql,
                [have_v + 1, have_v + n],
            )
            have_v += n
            print(f"  visits: {have_v:,} ({time.monotonic() - t0:.0f} s)", flush=True)
        cur.execute("ANALYZE")
    print(f"background loaded in {time.monotonic() - t0:.0f} s", flush=True)


def make_subject(n_visits: int, n_entries: int):
    """One patient with `n_visits` closed visits (3 diagnoses, 2 drugs, 2 results each) and
    `n_entries` book entries, plus today's open visit at 27901."""
    from django.db import transaction
    from django.utils import timezone

    from kcb06.facilities.models import Facility
    from kcb06.facilities.services import principal_for_user
    from kcb06.healthbook import services
    from kcb06.healthbook.models import BookEntry
    from kcb06.patients.models import Patient
    from kcb06.visits.models import Visit

    existing = Patient.objects.filter(full_name=f"Bench Sổ Dày v2 {n_visits}").first()
    if existing:
        return existing
    from django.contrib.auth import get_user_model

    bacsi = get_user_model().objects.get(username="bacsi")
    principal = principal_for_user(bacsi)
    ttyt = Facility.objects.get(code="27901")
    dep = ttyt.departments.order_by("pk").first()
    now = timezone.now()
    with transaction.atomic():
        p = Patient.objects.create(
            full_name=f"Bench Sổ Dày v2 {n_visits}",
            name_key="bench day so",
            birth_year=1960,
            sex="male",
        )
        for i in range(n_visits):
            at = now - timedelta(days=3 * (i + 1))
            v = Visit.objects.create(
                ma_lk=f"BENCH2-{n_visits}-{i}",
                facility=ttyt,
                patient=p,
                department=dep,
                arrived_at=at,
                visit_date=timezone.localdate(at),
                reason="Tái khám",
            )
            services.close_visit(
                principal,
                v,
                {
                    "main_icd10": "I10",
                    "secondary_icd10": ["E11.9", "E78.5"],
                    "treatment_summary": "Duy trì thuốc.",
                    "outcome": "2",
                    "discharge_type": "1",
                    "follow_up_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
                    "weight_kg": "64",
                    "prescriptions": [
                        {
                            "drug_name": "Amlodipin",
                            "strength": "5mg",
                            "dose": "1 viên sáng",
                            "duration_days": "30",
                            "quantity": "30",
                            "unit_price": "600",
                        },
                        {
                            "drug_name": "Metformin",
                            "strength": "500mg",
                            "dose": "1 viên × 2",
                            "duration_days": "30",
                            "quantity": "60",
                            "unit_price": "400",
                        },
                    ],
                    "results": [
                        {"indicator_name": "Huyết áp", "value": "135/85", "unit": "mmHg"},
                        {"indicator_name": "Glucose", "value": "7.1", "unit": "mmol/L"},
                    ],
                },
            )
            # Date the drugs on the visit's day, as a real history would be.
            v.prescriptions.update(ordered_at=at)
        kinds = ["allergy", "chronic", "medication", "risk", "surgery", "family", "vaccination"]
        BookEntry.objects.bulk_create(
            [
                BookEntry(
                    patient=p,
                    kind=kinds[i % len(kinds)],
                    title=f"Mục {i}",
                    severity="mild" if kinds[i % len(kinds)] == "allergy" else "",
                    facility=ttyt,
                    recorded_by=bacsi,
                    recorded_by_name="Bench",
                )
                for i in range(n_entries)
            ],
            batch_size=1000,
        )
        Visit.objects.create(
            ma_lk=f"BENCH2-{n_visits}-open",
            facility=ttyt,
            patient=p,
            department=dep,
            arrived_at=now,
            visit_date=timezone.localdate(now),
            reason="Khám hôm nay",
        )
    return p


def measure(client, url: str, runs: int) -> tuple[list[float], list[float], int]:
    """Wall-clock server time and this process's CPU time per request, and the SQL count."""
    from django.db import connection

    for _ in range(5):
        assert client.get(url).status_code == 200
    count = [0]

    def counting(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        client.get(url)
    times, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        resp = client.get(url)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        assert resp.status_code == 200
    return times, cpu, count[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=1_000_000)
    ap.add_argument("--visits", type=int, default=10_000_000)
    ap.add_argument("--runs", type=int, default=200, help="requests per URL and round")
    ap.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure this many times; the verdict is the quietest round's (lowest load "
        "average), the range over all rounds is printed beside it (for shared machines)",
    )
    ap.add_argument("--load-only", action="store_true", help="load the background and stop")
    args = ap.parse_args()
    org = django_on_postgres("bench_healthbook")
    from django.test import Client
    from django.urls import reverse

    load_background(args.patients, args.visits)
    if args.load_only:
        return

    from kcb06.healthbook import services
    from kcb06.patients.models import Patient
    from kcb06.visits.models import Visit

    small = make_subject(1, 5)
    big = make_subject(200, 1000)
    client = Client()
    client.force_login(org["users"]["bacsi"])
    n_p = Patient.objects.count()
    n_v = Visit.objects.count()
    print(f"database: {n_p:,} patients, {n_v:,} visits", flush=True)

    _, _, q_small = measure(
        client, reverse("healthbook:book", args=[services.book_of(small).token]), 5
    )
    page_url = reverse("healthbook:book", args=[services.book_of(big).token])
    fhir_url = f"/api/v1/patients/{big.pk}/healthbook"
    rounds = []
    for i in range(args.rounds):
        before = os.getloadavg()[0]
        page, page_cpu, q_big = measure(client, page_url, args.runs)
        fhir, fhir_cpu, q_fhir = measure(client, fhir_url, args.runs)
        load = (before + os.getloadavg()[0]) / 2
        rounds.append(
            {"load": load, "page": page, "page_cpu": page_cpu, "fhir": fhir, "fhir_cpu": fhir_cpu}
        )
        ms = {k: [t * 1000 for t in v] for k, v in rounds[-1].items() if k != "load"}
        print(
            f"round {i + 1}/{args.rounds}: load average (1 min) {load:.1f}; "
            + "; ".join(
                f"{name} wall median {statistics.median(ms[k]):.0f} p95 "
                f"{percentile(ms[k], 95):.0f} ms, CPU median {statistics.median(ms[k + '_cpu']):.0f}"
                f" p95 {percentile(ms[k + '_cpu'], 95):.0f} ms"
                for name, k in (("page", "page"), ("FHIR", "fhir"))
            ),
            flush=True,
        )
    quiet = min(rounds, key=lambda r: r["load"])
    if len(rounds) > 1:
        for name, k in (("page", "page"), ("FHIR", "fhir")):
            p95s = [percentile([t * 1000 for t in r[k]], 95) for r in rounds]
            medians = [statistics.median([t * 1000 for t in r[k]]) for r in rounds]
            print(
                f"{name} over {len(rounds)} rounds: wall median {min(medians):.0f}–"
                f"{max(medians):.0f} ms, p95 {min(p95s):.0f}–{max(p95s):.0f} ms; load average "
                f"{min(r['load'] for r in rounds):.1f}–{max(r['load'] for r in rounds):.1f}; "
                f"verdict below: the quietest round (load {quiet['load']:.1f})"
            )
    page, page_cpu, fhir, fhir_cpu = (quiet[k] for k in ("page", "page_cpu", "fhir", "fhir_cpu"))
    load = f"load average {quiet['load']:.1f} (1 min, mean of the round) on {os.cpu_count()} cores"
    print(f"page CPU of the Django process: {summary_ms(page_cpu)}; {load}")
    print(f"FHIR CPU of the Django process: {summary_ms(fhir_cpu)}; {load}")
    size = f"{n_p:,} patients / {n_v:,} visits; subject 200 visits + 1,000 entries"
    report(
        "healthbook page",
        f"{summary_ms(page)}; SQL queries {q_big} (1-visit book: {q_small}); {size}",
        f"p95 < {PAGE_TARGET_MS} ms and equal query counts",
        percentile([t * 1000 for t in page], 95) < PAGE_TARGET_MS and q_big == q_small,
    )
    report(
        "healthbook FHIR export",
        f"{summary_ms(fhir)}; SQL queries {q_fhir}; {size}",
        f"p95 < {FHIR_TARGET_MS} ms",
        percentile([t * 1000 for t in fhir], 95) < FHIR_TARGET_MS,
    )


if __name__ == "__main__":
    main()
