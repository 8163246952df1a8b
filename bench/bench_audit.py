"""Cost of one audit append (every audited read and every check-in writes one), and of
verifying the trail.

Target: an append costs at most 10 % more than with the unkeyed SHA-256 chain it replaced
(HMAC-SHA256 is two SHA-256 passes over a short message; on PostgreSQL two more bytea
parameters). Measured in-process, autocommit, one append per statement as `record` does,
on the database DATABASE_URL names (SQLite file when unset, in a temporary directory). The
appends of a round share one transaction: the COMMIT's fsync, the same before and after and
the larger part of a lone append on a loaded machine, would drown the difference.

Run: .venv/bin/python -m bench.bench_audit [--appends 3000]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/kcb06_audit_bench .venv/bin/python -m bench.bench_audit
"""

import argparse
import os
import statistics
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appends", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("KCB06_DATA_DIR", tempfile.mkdtemp(prefix="kcb06-bench-audit-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kcb06.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", "--noinput", verbosity=0)
    from kcb06.audit.services import Action, record, verify

    class System:  # a principal with a facility, as a check-in's
        user = None
        ip = "10.0.0.1"
        via = "session"

        class profile:  # noqa: N801 - attribute bag
            facility_id = 1
            role = "reception"

    detail = {"department": "K01", "outcome": "valid", "ma_lk": "27901-20261206-000123"}
    rounds = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        with transaction.atomic():
            for i in range(args.appends):
                record(
                    System,
                    Action.READ,
                    object_type="patient",
                    patient_id=i,
                    purpose="khám",
                    detail=detail,
                )
        rounds.append((time.perf_counter() - start) / args.appends * 1e6)
    start = time.perf_counter()
    report = verify()
    verify_us = (time.perf_counter() - start) / max(report.entries, 1) * 1e6
    print(f"database: {connection.vendor}")
    print(
        f"append: median {statistics.median(rounds):.1f} µs per entry "
        f"(rounds {', '.join(f'{r:.1f}' for r in rounds)})"
    )
    print(f"verify: {verify_us:.1f} µs per entry over {report.entries} entries, ok={report.ok}")


if __name__ == "__main__":
    main()
