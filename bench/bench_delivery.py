"""Delivery of the XML outbox to portalsim on loopback (kcb06 on PostgreSQL).

1. Throughput: `--visits` claim files queued, 2 `kcb06 worker` processes deliver them; target
   >= 100 visits/s, counted from the first acceptance (worker start-up excluded). Printed
   beside it: the CPU time per delivered file of each worker, of portalsim and of the
   PostgreSQL backends of the bench database (user and system, from /proc), and the load
   average before and after (the machine is shared: wall-clock figures move with its load).
2. Kill -9: `--kill-visits` files queued (issue: 10,000), 2 workers; every `--kill-every`
   seconds one worker is killed with SIGKILL and started again, until every file is accepted.
   At the end portalsim must hold every visit exactly once as accepted and kcb06 must show all
   of them accepted; the counts are printed.

    .venv/bin/python -m bench.bench_delivery [--visits 2000] [--kill-visits 10000] \
        [--database kcb06_xchg_bench]

The database (on postgres@127.0.0.1:5432) is dropped and created again. portalsim keeps its
embedded SQLite (WAL), as in the tests and the demo. The worker lease is shortened
(KCB06_XML_LEASE_SECONDS=5) so a killed worker's claims come back quickly; production keeps
120 s.
"""

import argparse
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _proc_cpu(pid: str) -> tuple[int, float, float] | None:
    """(process group, user seconds, system seconds) of a live process, from /proc."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    # after the command name: state, ppid, pgrp, ..., utime (12th), stime (13th)
    return int(fields[2]), int(fields[11]) / tick, int(fields[12]) / tick


def group_cpu(pgid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of the live processes of a process group."""
    user = system = 0.0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (cpu := _proc_cpu(entry.name)) and cpu[0] == pgid:
            user += cpu[1]
            system += cpu[2]
    return user, system


def backend_cpu(db: str) -> tuple[float, float]:
    """(user, system) CPU seconds of the PostgreSQL backends connected to our database."""
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        pids = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (db,))
        pids = [str(row[0]) for row in pids.fetchall()]
    user = system = 0.0
    for pid in pids:
        if cpu := _proc_cpu(pid):
            user += cpu[1]
            system += cpu[2]
    return user, system


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def start_portalsim(env: dict, data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    penv = dict(env)
    penv.pop("DATABASE_URL", None)
    penv.update(
        {
            "PORTALSIM_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "portalsim.settings",
        }
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "kcb06.cli", "portal-sim", "--port", str(port)],
        env=penv,
        cwd=ROOT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("portalsim did not start")


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kcb06.cli", "worker"],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def queue(n: int, prefix: str) -> None:
    """n distinct closed-visit claim files for 27901, written as the closing transaction would."""
    from django.db import transaction

    from kcb06.facilities.models import Facility
    from kcb06.interchange import outbox
    from kcb06.interchange.core.samples import outpatient_visit

    facility = Facility.objects.get(code="27901")
    with transaction.atomic():
        for i in range(n):
            v = outpatient_visit(ma_lk=f"27901.{prefix}{i:07d}")
            v.drugs[0].quantity += i % 7
            item = outbox.enqueue_claim_data(facility, None, v)
            assert item.state == "waiting", item.errors


def counts() -> dict:
    from django.db.models import Count

    from kcb06.interchange.models import OutboxItem

    return dict(OutboxItem.objects.values_list("state").annotate(n=Count("id")).order_by())


def wait_all_accepted(
    total: int, timeout: float, on_tick=None, first: list | None = None, on_first=None
) -> float:
    """Seconds until `total` rows are accepted; `first` receives the time the first one was
    (and `on_first` is called then with the number accepted so far)."""
    t0 = time.monotonic()
    start = counts().get("accepted", 0)
    while time.monotonic() - t0 < timeout:
        c = counts()
        if first is not None and not first and c.get("accepted", 0) > start:
            first.append(time.monotonic() - t0)
            if on_first:
                on_first(c.get("accepted", 0) - start)
        if c.get("accepted", 0) >= total:
            return time.monotonic() - t0
        if on_tick:
            on_tick()
        time.sleep(0.25)
    raise SystemExit(f"not all accepted after {timeout:.0f} s: {counts()}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=2000)
    parser.add_argument("--kill-visits", type=int, default=10000)
    parser.add_argument("--kill-every", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--database", default="kcb06_xchg_bench", help="PostgreSQL database (dropped, created)"
    )
    args = parser.parse_args()

    db = args.database
    recreate_database(db)
    data_dir = Path(tempfile.mkdtemp(prefix="xchg-bench-"))
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": PG + db,
            "KCB06_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "kcb06.settings",
            "KCB06_PORTAL_PASSWORD": "demo-portal",
            "KCB06_XML_LEASE_SECONDS": "5",
            "KCB06_XML_RETRY_BASE_SECONDS": "0.5",
            "KCB06_SIGNING_P12_PASSWORD": "bench",
            "KCB06_LOG_LEVEL": "WARNING",
        }
    )
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from kcb06.cli import setup_django

    setup_django()
    from django.core.management import call_command

    from bench.machine import report
    from kcb06.facilities.demo import seed
    from kcb06.interchange import certificates
    from kcb06.interchange.core import certs, signing

    call_command("migrate", "--noinput", verbosity=0)
    org = seed()
    key, cert = certs.make_certificate("27901", "TTYT bench")
    p12 = certs.write_pkcs12(data_dir / "certs" / "27901.p12", key, cert, "bench")
    (data_dir / "certs" / "27901.pem").write_text(certs.cert_pem(cert))  # portalsim loads it
    certificates.register(
        org["facilities"]["27901"], signing.load_pkcs12_file(p12, "bench"), p12_path=str(p12)
    )
    sim, url = start_portalsim(env, data_dir)
    env["KCB06_PORTAL_URL"] = url
    workers: list[subprocess.Popen] = []
    try:
        # 1. throughput
        queue(args.visits, "T")
        load_before = load()
        workers = [start_worker(env) for _ in range(args.workers)]
        first: list = []
        cpu_at_first: dict = {}

        def cpu_now() -> dict:
            out = {f"worker {i + 1}": group_cpu(w.pid) for i, w in enumerate(workers)}
            out["portalsim"] = group_cpu(sim.pid)
            out["postgres"] = backend_cpu(db)
            return out

        def on_first(accepted: int) -> None:
            cpu_at_first.update(cpu_now(), accepted=accepted)

        elapsed = wait_all_accepted(
            args.visits, timeout=max(120, args.visits / 10), first=first, on_first=on_first
        )
        cpu_end = cpu_now()
        steady = elapsed - (first[0] if first else 0)
        # Files accepted after the first one was seen, over the time since then.
        files = args.visits - cpu_at_first.get("accepted", 0)
        rate = files / steady
        print(
            f"[bench_delivery] {args.visits} visits delivered by {args.workers} workers: "
            f"{elapsed:.1f} s from start (worker start-up {first[0] if first else 0:.1f} s), "
            f"{steady:.1f} s from the first acceptance"
        )
        parts = []
        for name, (user, system) in cpu_end.items():
            user0, system0 = cpu_at_first.get(name, (0.0, 0.0))
            ms_user = (user - user0) / max(1, files) * 1000
            ms_system = (system - system0) / max(1, files) * 1000
            parts.append(
                f"{name} {ms_user + ms_system:.2f} ms (user {ms_user:.2f}, sys {ms_system:.2f})"
            )
        print(
            f"[bench_delivery] CPU per file delivered, over the {files} files after the first "
            f"acceptance: {'; '.join(parts)}"
        )
        print(f"[bench_delivery] load average before: {load_before}, after: {load()}")
        report(
            "bench_delivery",
            f"{rate:.0f} visits/s with {args.workers} workers on loopback",
            ">= 100 visits/s",
            rate >= 100,
        )
        for w in workers:
            stop(w)
        # 2. kill -9 while delivering
        if args.kill_visits:
            queue(args.kill_visits, "K")
            workers = [start_worker(env) for _ in range(args.workers)]
            kills = 0
            last_kill = time.monotonic()

            def maybe_kill():
                nonlocal kills, last_kill
                if time.monotonic() - last_kill < args.kill_every:
                    return
                i = random.randrange(len(workers))  # noqa: S311
                os.killpg(workers[i].pid, signal.SIGKILL)
                workers[i].wait()
                workers[i] = start_worker(env)
                kills += 1
                last_kill = time.monotonic()

            total = args.visits + args.kill_visits
            elapsed = wait_all_accepted(
                total, timeout=max(600, args.kill_visits / 5), on_tick=maybe_kill
            )
            time.sleep(1)
            stats = httpx.get(url + "/_control/receiving/stats", timeout=30).json()["claim"]
            mine = counts()
            print(
                f"[bench_delivery] kill -9 run: {args.kill_visits} visits, {kills} kills, {elapsed:.1f} s; "
                f"portalsim accepted visits={stats['accepted_visits']} file versions={stats['versions']} "
                f"visits with two current files={stats['ma_lk_with_two_current']} "
                f"repeats acknowledged={stats['repeats_acknowledged']}; kcb06 states={mine}"
            )
            ok = (
                stats["accepted_visits"] == total
                and stats["versions"] == total
                and stats["ma_lk_with_two_current"] == 0
                and mine.get("accepted", 0) == total
                and len(mine) == 1
            )
            report(
                "bench_delivery_kill9",
                f"{stats['accepted_visits']}/{total} held once by portalsim, "
                f"{mine.get('accepted', 0)}/{total} accepted in kcb06 after {kills} kill -9",
                "every visit exactly once at the portal and accepted in kcb06",
                ok,
            )
    finally:
        for w in workers:
            stop(w)
        stop(sim)
        shutil.rmtree(data_dir, ignore_errors=True)  # certificates, portalsim's SQLite


if __name__ == "__main__":
    main()
