"""`kcb06 demo`: migrate, seed synthetic data, start portalsim, web and worker; Ctrl-C stops all."""

import faulthandler
import importlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

DEMO_PASSWORD = "demo"  # noqa: S105 - demo data only, printed by `kcb06 demo`
DEMO_API_KEY = "kcb06_demo0001_DemoKeyForLocalUseOnly0000000000"  # noqa: S105
DEMO_PORTAL_PASSWORD = "demo-portal"  # noqa: S105 - matches portalsim/fixtures/default.json

SEED_MODULES = [
    "kcb06.facilities.demo",
    "kcb06.catalogue.demo",
    "kcb06.patients.demo",
    "kcb06.eligibility.demo",
    "kcb06.visits.demo",
    "kcb06.healthbook.demo",
    "kcb06.interchange.demo",
]


def seed_all() -> dict:
    """Run every app's demo seed in order; each returns facts to pass on to the next."""
    context: dict = {}
    for module_name in SEED_MODULES:
        # Every seed listed runs: a missing module fails the demo, it is not skipped.
        module = importlib.import_module(module_name)
        context.update(
            module.seed(**({"context": context} if module_name != SEED_MODULES[0] else {})) or {}
        )
    return context


def _wait_for(url: str, proc: subprocess.Popen, name: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited early with code {proc.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{name} did not answer at {url} within {seconds:.0f} s")


class Restarts:
    """Counts restarts per process: more than LIMIT in WINDOW seconds means it cannot run."""

    LIMIT = 5
    WINDOW = 60.0

    def __init__(self):
        self.times: dict[str, list[float]] = {}

    def allow(self, name: str) -> bool:
        now = time.monotonic()
        recent = [t for t in self.times.get(name, []) if now - t < self.WINDOW]
        recent.append(now)
        self.times[name] = recent
        return len(recent) <= self.LIMIT


def run_demo(host: str, port: int, portal_port: int) -> None:
    data_dir = Path(os.environ.get("KCB06_DATA_DIR", "var")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        {
            "KCB06_DATA_DIR": str(data_dir),
            "KCB06_DEMO": "1",
            "KCB06_PORTAL_URL": f"http://127.0.0.1:{portal_port}",
            # portalsim also plays the licensed e-ID provider, so VNeID scans work in the demo.
            "KCB06_EID_PROVIDER_URL": env.get(
                "KCB06_EID_PROVIDER_URL", f"http://127.0.0.1:{portal_port}"
            ),
            "KCB06_PORTAL_PASSWORD": env.get("KCB06_PORTAL_PASSWORD", DEMO_PORTAL_PASSWORD),
            "DJANGO_SETTINGS_MODULE": "kcb06.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    # The bank simulator (banksim) pays the cashier's VietQR codes and calls the webhook,
    # signed with a secret made for this run unless one is set.
    bank_port = portal_port + 1
    bank_secret = env.get("KCB06_BANK_WEBHOOK_SECRET") or secrets.token_hex(16)
    env.update(
        {
            "KCB06_BANK_WEBHOOK_SECRET": bank_secret,
            "BANKSIM_WEBHOOK_SECRET": bank_secret,
            "BANKSIM_WEBHOOK_URL": f"http://127.0.0.1:{port}/api/v1/payments/bank-webhook",
        }
    )
    env.pop("DATABASE_URL", None)  # the demo is the embedded default: SQLite under the data dir
    os.environ.update(env)

    from kcb06.cli import setup_django

    setup_django()
    from django.core.management import call_command

    print(f"kcb06 demo — dữ liệu tại {data_dir}", flush=True)
    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)

    procs: list[tuple[str, subprocess.Popen]] = []
    commands: dict[str, list[str]] = {}

    def start(name: str, args: list[str]) -> subprocess.Popen:
        proc = subprocess.Popen(args, env=env, start_new_session=True)
        procs.append((name, proc))
        commands[name] = args
        print(f"kcb06 demo: {name} started (pid {proc.pid})", flush=True)
        return proc

    def stop_all(*_args) -> None:
        for _name, proc in reversed(procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for _name, proc in procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    # A process started in the background by a non-interactive shell (`cmd &`, as CI runners
    # and some service wrappers do) inherits SIGINT ignored, and Python then installs no
    # KeyboardInterrupt handler: claim SIGINT back so that Ctrl-C always stops the demo.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    # `kill -USR1 <pid>` prints every thread's stack: how to see where a stuck demo is waiting.
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    try:
        sim = start(
            "portalsim",
            [
                sys.executable,
                "-m",
                "kcb06.cli",
                "portal-sim",
                "--port",
                str(portal_port),
                "--host",
                "127.0.0.1",
            ],
        )
        _wait_for(f"http://127.0.0.1:{portal_port}/health", sim, "portalsim")
        # Seeded once portalsim answers: the demo's claims are built with BHXH's co-payment
        # lookup (the exemption's year of co-payments), as a facility's are, not from kcb06's
        # own records only after a failed call.
        context = seed_all()
        bank = start(
            "banksim",
            [sys.executable, "-m", "kcb06.cli", "bank-sim", "--port", str(bank_port)],
        )
        try:
            _wait_for(f"http://127.0.0.1:{bank_port}/health", bank, "banksim", seconds=30)
        except SystemExit as exc:  # its port taken: the demo runs on, without bank payments
            print(f"kcb06 demo: banksim not available ({exc}); VietQR stays unpaid", flush=True)
            procs.remove(("banksim", bank))
            if bank.poll() is None:
                os.killpg(bank.pid, signal.SIGTERM)
        web = start(
            "web",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "kcb06.wsgi:application",
                "--bind",
                f"{host}:{port}",
                "--workers",
                "2",
                "--worker-class",
                "gthread",
                "--threads",
                "16",
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
        )
        start("worker", [sys.executable, "-m", "kcb06.cli", "worker"])
        _wait_for(f"http://127.0.0.1:{port}/api/v1/health", web, "web")
        _print_banner(host, port, portal_port, context)
        if any(name == "banksim" for name, _proc in procs):
            print(f"  Ngân hàng giả lập (trả mã VietQR): http://127.0.0.1:{bank_port}/", flush=True)
        supervisor = Restarts()
        while True:
            for index, (name, proc) in enumerate(procs):
                if proc.poll() is None:
                    continue
                # One process dying (the worker killed with -9, say) leaves the others serving;
                # it is started again, and the demo gives up only if it keeps dying.
                print(
                    f"kcb06 demo: {name} stopped (exit {proc.returncode}), restarting", flush=True
                )
                if not supervisor.allow(name):
                    raise SystemExit(
                        f"{name} keeps stopping ({supervisor.LIMIT} times in a minute)"
                    )
                procs.pop(index)
                start(name, commands[name])
                break
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nĐang dừng kcb06 demo…", flush=True)
    finally:
        stop_all()


def _print_banner(host: str, port: int, portal_port: int, context: dict) -> None:
    from kcb06.facilities.demo import USERS

    shown_host = "127.0.0.1" if host in ("0.0.0.0", "127.0.0.1") else host  # noqa: S104
    lines = [
        "",
        f"kcb06 đang chạy:     http://{shown_host}:{port}/",
        f"API (OpenAPI):       http://{shown_host}:{port}/api/v1/docs",
        f"Cổng BHXH giả lập:   http://127.0.0.1:{portal_port}/health",
        "",
        f"Tài khoản demo (mật khẩu '{DEMO_PASSWORD}'):",
    ]
    for username, _full_name, role, fcode, _id in USERS:
        lines.append(f"  {username:<10} {role.label:<32} {fcode or 'Sở Y tế'}")
    lines += [
        "",
        f"Khóa API demo:       Authorization: Bearer {context.get('api_key', '')}",
        "Nhấn Ctrl-C để dừng tất cả.",
        "",
    ]
    print("\n".join(lines), flush=True)
