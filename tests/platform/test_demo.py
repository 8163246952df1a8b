"""`kcb06 demo` end to end: starts everything, prints what a newcomer needs, seeds once, and
Ctrl-C leaves no process behind. Plus the demo seed's idempotency in-process."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
DEMO_USERS = ["tiepdon", "bacsi", "thungan", "quantri", "soyte", "kiemtra"]


class Demo:
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.port, self.portal_port = free_port(), free_port()
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        env.update({"KCB06_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"})
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kcb06.cli",
                "demo",
                "--port",
                str(self.port),
                "--portal-port",
                str(self.portal_port),
            ],
            env=env,
            cwd=ROOT,
            # Started as `cmd &` from a script (CI runners, service wrappers): SIGINT arrives
            # ignored; Ctrl-C must still stop the demo.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_ready(self, seconds: float = 240) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if "Ctrl-C" in self.output:
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.3)
        self.stop()
        pytest.fail(f"demo did not start:\n{self.output[-4000:]}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                # Leave evidence before killing: the launcher's state and (faulthandler on
                # SIGUSR1) every thread's stack, so a hang is diagnosable from the CI log.
                state = Path(f"/proc/{self.proc.pid}/stat").read_text().split(") ", 1)[1][0]
                self.lines.append(f"[test] launcher ignored SIGINT for 60 s, state {state}\n")
                self.proc.send_signal(signal.SIGUSR1)
                time.sleep(3)
                self.proc.kill()
                self.proc.wait(10)
        self._reader.join(5)
        return self.proc.returncode


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _processes_of(data_dir: Path) -> list[int]:
    """Live processes started with this demo's KCB06_DATA_DIR in their environment."""
    marker = f"KCB06_DATA_DIR={data_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().split(") ", 1)[1][0]
        except OSError:
            continue
        if marker in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def _settled_counts(db: Path, seconds: float = 90) -> dict[str, int]:
    """The row counts once the worker's start-up round is over (it files the scheduled
    reports that are due, one after another): two readings 2 s apart that agree."""
    deadline = time.monotonic() + seconds
    counts = _row_counts(db)
    while time.monotonic() < deadline:
        time.sleep(2)
        again = _row_counts(db)
        if again == counts:
            return counts
        counts = again
    return counts


def _row_counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "select name from sqlite_master where type='table' and name not like 'sqlite_%'"
            )
        ]
        counts = {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}  # noqa: S608 - names from sqlite_master
    finally:
        con.close()
    # Rows that grow by design whenever the system runs (logins, sessions, task results).
    for volatile in (
        "django_session",
        "axes_accessattempt",
        "axes_accesslog",
        "axes_accessfailurelog",
        "axes_accessattemptexpiration",
        "audit_auditentry",
        "audit_auditchainhead",
        "django_admin_log",
    ):
        counts.pop(volatile, None)
    return counts


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="kcb06 demo always runs on SQLite (it ignores DATABASE_URL): covered by the SQLite run",
)
def test_demo_starts_everything_prints_logins_and_stops_cleanly(tmp_path):
    data_dir = tmp_path / "demo"
    demo = Demo(data_dir)
    try:
        demo.wait_ready()
        out = demo.output
        assert f"http://127.0.0.1:{demo.port}/" in out
        for username in DEMO_USERS:
            assert username in out
        assert "mật khẩu 'demo'" in out
        key_line = next(line for line in demo.lines if "Bearer kcb06_" in line)
        key = key_line.split("Bearer ", 1)[1].strip()

        base = f"http://127.0.0.1:{demo.port}"
        assert httpx.get(f"{base}/api/v1/health", timeout=10).json() == {"status": "ok"}
        portal = httpx.get(f"http://127.0.0.1:{demo.portal_port}/health", timeout=10)
        assert portal.status_code == 200
        me = httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {key}"}, timeout=10)
        assert me.status_code == 200 and me.json()["facility"]["code"] == "27901"
        login_page = httpx.get(f"{base}/login/", timeout=10)
        assert "Đăng nhập" in login_page.text
        assert httpx.get(f"{base}/static/web/kcb06.css", timeout=10).status_code == 200
        assert len(_processes_of(data_dir)) >= 3  # launcher, portalsim, web, worker
        first = _settled_counts(data_dir / "kcb06.sqlite3")
        assert first["facilities_facility"] == 5
    finally:
        code = demo.stop()
    assert code == 0, demo.output[-3000:]
    assert "Đang dừng kcb06 demo" in demo.output
    time.sleep(1)
    assert not _listening(demo.port) and not _listening(demo.portal_port)
    assert _processes_of(data_dir) == []

    # Second run on the same data: starts again, duplicates nothing.
    demo = Demo(data_dir)
    try:
        demo.wait_ready()
        second = _settled_counts(data_dir / "kcb06.sqlite3")
    finally:
        demo.stop()
    assert second == first
    assert _processes_of(data_dir) == []


def test_demo_seed_is_idempotent(db):
    from django.apps import apps

    from kcb06.demo import seed_all

    def counts():
        return {
            m._meta.label: m.objects.count()
            for m in apps.get_models()
            if m._meta.app_label not in {"audit", "sessions", "axes"}
        }

    seed_all()
    first = counts()
    seed_all()
    assert counts() == first
    assert first["facilities.Facility"] == 5
    from kcb06.facilities.demo import USERS

    assert first["facilities.StaffProfile"] >= len(USERS)
