"""Patient search benchmark: name (+ year of birth) over N synthetic patients on PostgreSQL.

Target (issue 4): p95 < 50 ms over 1,000,000 patients. The search goes through
kcb06.patients.services.search, i.e. facility scope and the audit row included.

Usage: .venv/bin/python bench/bench_patient_search.py [--count 1000000] [--queries 300]
Loads the patients with `kcb06 patients generate` into database kcb06_recep_bench (kept between
runs: rows already there count towards N) and prints how long the load took.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kcb06_recep_bench")
os.environ.setdefault("KCB06_DATA_DIR", "/tmp/recep_bench")
os.environ.setdefault("KCB06_LOG_LEVEL", "WARNING")

from bench.machine import ensure_database, percentile, report, summary_ms  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=300)
    args = ap.parse_args()
    ensure_database(ROOT)

    from kcb06.cli import setup_django

    setup_django()
    from django.contrib.auth.models import User

    from kcb06.facilities.demo import seed
    from kcb06.facilities.services import principal_for_user
    from kcb06.patients.generate import FAMILY, GIVEN, MIDDLE, generate
    from kcb06.patients.models import Patient
    from kcb06.patients.services import search

    org = seed()
    have = Patient.objects.count()
    if have < args.count:
        missing = args.count - have
        seconds = generate(missing, org["facilities"]["27901"].pk, seed=have + 1)
        print(
            f"[patient_load] inserted {missing} synthetic patients in {seconds:.1f} s "
            f"({missing / seconds:,.0f}/s) with `kcb06 patients generate`"
        )
    total = Patient.objects.count()
    p = principal_for_user(User.objects.get(username="tiepdon"))
    rng = random.Random(4)
    lat_year, lat_name, hits = [], [], 0
    for _ in range(args.queries):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        folded = name  # diacritics optional: half the queries without them
        if rng.random() < 0.5:
            from kcb06.patients.names import fold_name

            folded = fold_name(name)
        year = rng.randrange(1930, 2025)
        t0 = time.perf_counter()
        rows = search(p, folded, year)
        lat_year.append(time.perf_counter() - t0)
        hits += bool(rows)
        t0 = time.perf_counter()
        search(p, folded)
        lat_name.append(time.perf_counter() - t0)
    p95 = percentile(lat_year, 95) * 1000
    report(
        "patient_search_name_year",
        f"{summary_ms(lat_year)} over {total:,} patients ({hits}/{args.queries} queries with hits)",
        "p95 < 50 ms over 1,000,000",
        p95 < 50,
    )
    report(
        "patient_search_name_only",
        f"{summary_ms(lat_name)} over {total:,} patients",
        "(no target; first 20 by id)",
        True,
    )


if __name__ == "__main__":
    main()
