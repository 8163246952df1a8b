"""Check-in cost in CPU instructions: a comparison of two versions of the code that does not
depend on how busy the machine is.

bench_checkin.py measures check-ins per second, which moves with everything else the machine
runs (on a shared 2-core VM, ±3 points of its share-of-bare-insert between runs of the same
code). Valgrind's callgrind counts the instructions a process executes instead: the same code,
inputs and environment give the same count whatever else runs (docs/measurements.md).

What is counted: the kcb06 process only (PostgreSQL's own work is not), serving check-ins through
the WSGI application gunicorn loads (`kcb06.wsgi.application`, every middleware included), one
request at a time, against PostgreSQL, with the day's card-check verdicts cached as in
bench_checkin's measured rounds. Each version is run twice, with `--small` and `--large`
check-ins after the same warm-up; the difference divided by the difference in check-ins is the
cost of one check-in, with start-up and warm-up cancelled out. Half of the measured check-ins are
new patients, half returning ones at a second department.

Usage: .venv/bin/python bench/bench_checkin_instructions.py [--small 40] [--large 240]
       [--baseline M]  (the old code's millions of instructions per check-in)
Run it the same way in an older checkout (copy bench/ there) to compare.

Where the instructions go: callgrind names only C functions (the interpreter's, psycopg's,
lxml's). `--opcodes FILE` instead counts the Python bytecodes each Python function executes
per check-in (sys.settrace with opcode events, differenced the same way; slow but as
repeatable as the instruction count), prints the top functions and saves them to FILE;
`--against OLD_FILE` prints the functions whose count changed most against another run's
(e.g. the old code's). Functions that moved between modules show as one gone, one new. Needs valgrind and
PostgreSQL at 127.0.0.1:5432; uses database kcb06_checkin_instr and port 9312 (portalsim).
All people and cards are synthetic.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_checkin as bc  # noqa: E402
from bench.machine import report  # noqa: E402

DB = "kcb06_checkin_instr"
PORT = 9312
WARM = 30
DEPARTMENTS = ("K01", "K02")

# Runs inside valgrind: serve `warm` then `n` check-ins of new people (first department), then
# the same people again at the second department, through the WSGI application.
CHILD = r"""
import io, json, sys
from kcb06.cli import setup_django; setup_django()
from kcb06.wsgi import application
from kcb06.demo import DEMO_API_KEY
from bench.bench_checkin import person, scan_of

first, warm, n, deps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
statuses = {}

def check_in(i, dep):
    body = json.dumps({"scan": scan_of(person(i)), "department": dep}).encode()
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/check-ins", "SCRIPT_NAME": "",
        "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "9311",
        "SERVER_PROTOCOL": "HTTP/1.1", "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)), "HTTP_AUTHORIZATION": "Bearer " + DEMO_API_KEY,
        "REMOTE_ADDR": "127.0.0.1", "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": True,
        "wsgi.run_once": False, "wsgi.version": (1, 0),
    }
    seen = []
    for chunk in application(environ, lambda status, headers: seen.append(status)):
        pass
    statuses[seen[0]] = statuses.get(seen[0], 0) + 1

for group in (range(first, first + warm), range(first + warm, first + warm + n)):
    for dep in deps:
        for i in group:
            check_in(i, dep)
print(json.dumps(statuses))
"""


# Prepended to CHILD with --opcodes: counts each Python function's bytecodes from the first
# check-in on, and writes them as JSON at exit.
OPCODES = r"""
import atexit, collections, json, os, sys, threading
_ops = collections.Counter()
ROOT = os.getcwd() + "/"  # the checkout's own files named alike in any checkout
def _local(frame, event, arg):
    if event == "opcode":
        _ops[frame.f_code] += 1
    return _local
def _enter(frame, event, arg):
    frame.f_trace_opcodes = True
    return _local
def _dump():
    sys.settrace(None)
    rows = {}
    for code, n in _ops.items():
        path = code.co_filename.split("site-packages/")[-1].removeprefix(ROOT)
        key = f"{path}:{code.co_name}"
        rows[key] = rows.get(key, 0) + n
    with open(OUT, "w") as f:
        json.dump(rows, f)
atexit.register(_dump)
"""


def counted(first: int, n: int) -> tuple[int, dict]:
    """Instructions of one child process serving WARM + n people at each department."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        proc = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                sys.executable,
                "-c",
                CHILD,
                str(first),
                str(WARM),
                str(n),
                *DEPARTMENTS,
            ],
            cwd=ROOT,
            env=env(),
            capture_output=True,
            text=True,
            check=True,
        )
    total = re.search(r"Collected : (\d+)", proc.stderr)
    if not total:
        raise SystemExit(proc.stderr[-2000:])
    return int(total.group(1)), json.loads(proc.stdout.strip().splitlines()[-1])


def opcodes(first: int, n: int) -> tuple[dict, dict]:
    """Python bytecodes per function of one child serving WARM + n people at each department."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "opcodes.json"
        start = "sys.settrace(_enter)\nthreading.settrace(_enter)\nfor group in"
        child = f"OUT = {str(out)!r}\n" + OPCODES + CHILD.replace("for group in", start, 1)
        proc = subprocess.run(
            [sys.executable, "-c", child, str(first), str(WARM), str(n), *DEPARTMENTS],
            cwd=ROOT,
            env=env(),
            capture_output=True,
            text=True,
        )
        if proc.returncode:
            raise SystemExit(proc.stderr[-2000:])
        return json.loads(out.read_text()), json.loads(proc.stdout.strip().splitlines()[-1])


def print_opcodes(per: dict, against: dict | None, top: int = 30) -> None:
    print(f"Python bytecodes per check-in: {sum(per.values()):,.0f}")
    if against is None:
        for key, count in sorted(per.items(), key=lambda kv: -kv[1])[:top]:
            print(f"{count:9.1f}  {key}")
        return
    print(f"against the other run's {sum(against.values()):,.0f}; most changed functions:")
    keys = sorted(set(per) | set(against), key=lambda k: -abs(per.get(k, 0) - against.get(k, 0)))
    for key in keys[:top]:
        new, old = per.get(key, 0.0), against.get(key, 0.0)
        print(f"{new - old:+9.1f} {old:9.1f} -> {new:9.1f}  {key}")


def env() -> dict:
    url = f"http://127.0.0.1:{PORT}"
    return bc.env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB}",
        KCB06_PORTAL_URL=url,
        PYTHONPATH=str(ROOT),
        # The same hashes in every run, so set and dict layouts (and their cost) repeat.
        PYTHONHASHSEED="0",
        # numpy (shapely's, openpyxl's) starts OpenBLAS threads that spin for a while after
        # start-up; their instructions differed by ~0.2 M per check-in between two runs of the
        # same code. One thread: no spinning to count.
        OPENBLAS_NUM_THREADS="1",
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", type=int, default=40)
    ap.add_argument("--large", type=int, default=240)
    ap.add_argument("--baseline", type=float, default=None, help="old code's M instructions")
    ap.add_argument("--opcodes", type=Path, help="count Python bytecodes instead; save here")
    ap.add_argument("--against", type=Path, help="with --opcodes: another run's saved counts")
    args = ap.parse_args()
    people = 2 * WARM + args.small + args.large
    bc.DB, bc.DATABASE_URL = DB, env()["DATABASE_URL"]
    bc.PORTAL, bc.PORTAL_PORT = f"http://127.0.0.1:{PORT}", PORT
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        fixtures = bc.prepare(people, tmp)
        (tmp / "portal").mkdir()
        portal = subprocess.Popen(
            [sys.executable, "-m", "kcb06.cli", "portal-sim", "--port", str(PORT)],
            cwd=ROOT,
            env=bc.env(
                PORTALSIM_DATA_DIR=str(tmp / "portal"),
                PORTALSIM_FIXTURES=str(fixtures),
                DATABASE_URL="",
            ),
            stdout=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                try:
                    if httpx.get(bc.PORTAL + "/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.3)
            bc.warm_cache(people)
            measure = opcodes if args.opcodes else counted
            small, s1 = measure(0, args.small)
            large, s2 = measure(WARM + args.small, args.large)
        finally:
            portal.terminate()
            portal.wait()
    print(f"statuses: small run {s1}, large run {s2}")
    if args.opcodes:
        checkins = 2 * (args.large - args.small)
        per = {k: (large.get(k, 0) - small.get(k, 0)) / checkins for k in set(small) | set(large)}
        per = {k: v for k, v in per.items() if abs(v) >= 0.05}
        args.opcodes.write_text(json.dumps(per, indent=0, sort_keys=True))
        print_opcodes(per, json.loads(args.against.read_text()) if args.against else None)
        return
    per = (large - small) / (2 * (args.large - args.small))
    print(f"instructions: {small:,} ({args.small} people) and {large:,} ({args.large} people)")
    report(
        "checkin_instructions",
        f"{per / 1e6:.2f} M instructions per check-in (kcb06 process; half new, half returning)",
        "at or below the old code's count, measured the same way (copy bench/ to it)"
        + (f": {args.baseline:.2f} M" if args.baseline else " (give --baseline)"),
        args.baseline is not None and per / 1e6 <= args.baseline,
    )


if __name__ == "__main__":
    main()
