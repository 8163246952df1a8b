"""Mutation harness for the benefit engine: breaks each rule and each table row of
kcb06/interchange/core/benefit.py and benefit_tables.py one at a time and checks that the benefit
tests fail. Not collected by pytest (it runs pytest ~35 times, about 2 minutes):

    PYTHONPATH=$PWD .venv/bin/python tests/interchange/mutate_benefit.py

Prints KILLED/SURVIVED per mutant and exits 1 if any survived.
"""

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
TESTS = ["tests/interchange/test_benefit.py", "tests/interchange/test_benefit_claims.py"]

MUTANTS = [
    ("kcb06/interchange/core/benefit.py", "if not uses_bhyt:", "if False:"),
    ("kcb06/interchange/core/benefit.py", "        if share < 100:", "        if share < 0:"),
    (
        "kcb06/interchange/core/benefit.py",
        "muc = (Decimal(pct) * share / 100).normalize()",
        "muc = Decimal(pct)",
    ),
    (
        "kcb06/interchange/core/benefit.py",
        "if route is Route.SELF_REFERRED and facility_level",
        "if route is Route.EMERGENCY and facility_level",
    ),
    (
        "kcb06/interchange/core/benefit.py",
        "if facility_level is FacilityLevel.PRIMARY and not chronic_dispensing:",
        "if False:",
    ),
    ("kcb06/interchange/core/benefit.py", "and not chronic_dispensing:", ":"),
    ("kcb06/interchange/core/benefit.py", "    if start is not None:\n", "    if False:\n"),
    ("kcb06/interchange/core/benefit.py", "if total < threshold:", "if total <= threshold:"),
    ("kcb06/interchange/core/benefit.py", "if total < threshold:", "if False:"),
    (
        "kcb06/interchange/core/benefit.py",
        "if months > EXEMPTION_MONTHS:",
        "if months >= EXEMPTION_MONTHS:",
    ),
    (
        "kcb06/interchange/core/benefit.py",
        "months += c.amount / base_salary_on(c.at).amount",
        "months += c.amount / base_salary_on(visit_at).amount",
    ),
    (
        "kcb06/interchange/core/benefit.py",
        "if c.at.year != visit_at.year or c.at > visit_at:",
        "if c.at > visit_at:",
    ),
    ("kcb06/interchange/core/benefit.py", "start = max(crossed, five)", "start = crossed"),
    (
        "kcb06/interchange/core/benefit.py",
        "if certificate_date.year == visit_at.year and certificate_date <= _day(visit_at):",
        "if True:",
    ),
    (
        "kcb06/interchange/core/benefit.py",
        'ngay = start.strftime("%Y%m%d%H%M")',
        'ngay = start.strftime("%Y%m%d")',
    ),
    (
        "kcb06/interchange/core/benefit.py",
        "if row.start <= day:\n            found = row",
        "if row.start < day:\n            found = row",
    ),
    (
        "kcb06/interchange/core/benefit.py",
        "base = base_salary_on(visit_at)",
        "base = base_salary_on(date(2024, 7, 1))",
    ),
    (
        "kcb06/interchange/core/benefit.py",
        "f = money(bh * Decimal(muc_huong) / 100)",
        "f = (bh * Decimal(muc_huong) / 100).quantize(CENT)",
    ),
    ("kcb06/interchange/core/benefit_tables.py", "2_530_000", "2_340_000"),
    (
        "kcb06/interchange/core/benefit_tables.py",
        "date(2024, 7, 1), 2_340_000",
        "date(2024, 1, 1), 2_340_000",
    ),
    ("kcb06/interchange/core/benefit_tables.py", '"3": 95', '"3": 80'),
    ("kcb06/interchange/core/benefit_tables.py", '"4": 80', '"4": 85'),
    ("kcb06/interchange/core/benefit_tables.py", '"5": 100', '"5": 80'),
    ("kcb06/interchange/core/benefit_tables.py", '"1": 100', '"1": 95'),
    ("kcb06/interchange/core/benefit_tables.py", '"2": 100', '"2": 95'),
    (
        "kcb06/interchange/core/benefit_tables.py",
        "LOW_COST_SHARE_PERCENT = 15",
        "LOW_COST_SHARE_PERCENT = 20",
    ),
    ("kcb06/interchange/core/benefit_tables.py", "EXEMPTION_MONTHS = 6", "EXEMPTION_MONTHS = 5"),
    (
        "kcb06/interchange/core/benefit_tables.py",
        'RouteShare("central", True, _OLD, 40,',
        'RouteShare("central", True, _OLD, 50,',
    ),
    (
        "kcb06/interchange/core/benefit_tables.py",
        'RouteShare("central", False, _OLD, 0,',
        'RouteShare("central", False, _OLD, 40,',
    ),
    (
        "kcb06/interchange/core/benefit_tables.py",
        "        date(2026, 7, 1),\n        50,",
        "        date(2026, 7, 1),\n        0,",
    ),
    (
        "kcb06/interchange/core/benefit_tables.py",
        'RouteShare("provincial", True, date(2021, 1, 1), 100,',
        'RouteShare("provincial", True, date(2021, 1, 1), 60,',
    ),
    (
        "kcb06/interchange/core/benefit_tables.py",
        'RouteShare("district", False, date(2016, 1, 1), 100,',
        'RouteShare("district", False, date(2016, 1, 1), 70,',
    ),
    (
        "kcb06/interchange/core/benefit_tables.py",
        'INPATIENT_VISIT_TYPES = frozenset({"03", "04", "06", "09"})',
        'INPATIENT_VISIT_TYPES = frozenset({"04", "06", "09"})',
    ),
]


def main() -> int:
    survivors = 0
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for path, old, new in MUTANTS:
        target = ROOT / path
        original = target.read_text()
        assert old in original, (path, old)
        target.write_text(original.replace(old, new, 1))
        try:
            run = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:warnings"]
                + ["-p", "no:cacheprovider", "--hypothesis-seed=0", *TESTS],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
        finally:
            target.write_text(original)
        killed = run.returncode != 0
        survivors += not killed
        what = f"{old[:60]} -> {new[:40]}".replace("\n", " ")
        print("KILLED  " if killed else "SURVIVED", pathlib.Path(path).name, "|", what, flush=True)
    print(f"{len(MUTANTS)} mutants, {survivors} survived")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
