"""Shared fixtures: the demo organisation, logged-in clients per role, and a real portalsim.

portalsim runs as its own process on a free loopback port with its own database, exactly as in
production kcb06 talks to the BHXH portal: over HTTP, never through a mock of our client.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def org(db):
    """The synthetic demo organisation (facilities, departments, users of every role)."""
    from kcb06.facilities.demo import seed

    return seed()


@pytest.fixture
def drug_catalogue(org):
    """27901's drug catalogue holds the drug factories.CLOSE prescribes (40.9101 at 500 đ, with
    SO_DANG_KY and TT_THAU), so a closing with it builds a claim the portal accepts."""
    from tests.healthbook import factories as f

    return f.catalogue_drug()


@pytest.fixture
def login(client, org):
    """login("bacsi") -> the Django test client logged in as that demo user."""

    def _login(username: str):
        client.force_login(org["users"][username])
        return client

    return _login


@pytest.fixture
def api_client(org):
    """A Django test client that sends the demo API key as a Bearer token."""
    from django.test import Client

    from kcb06.demo import DEMO_API_KEY

    return Client(HTTP_AUTHORIZATION=f"Bearer {DEMO_API_KEY}")


class PortalSim:
    """Handle on a running portalsim process."""

    def __init__(self, url: str, proc: subprocess.Popen, data_dir: Path):
        self.url = url
        self.proc = proc
        self.data_dir = data_dir

    def get(self, path: str, **kw):
        return httpx.get(self.url + path, timeout=10, **kw)

    def post(self, path: str, **kw):
        return httpx.post(self.url + path, timeout=10, **kw)


def start_portalsim(data_dir: Path, port: int | None = None, extra_env: dict | None = None):
    port = port or free_port()
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(
        {"PORTALSIM_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "portalsim.settings"}
    )
    env.update(extra_env or {})
    proc = subprocess.Popen(
        [sys.executable, "-m", "kcb06.cli", "portal-sim", "--port", str(port)],
        env=env,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"portalsim exited with {proc.returncode}")
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return PortalSim(url, proc, data_dir)
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("portalsim did not start")


@pytest.fixture(scope="session")
def portalsim(tmp_path_factory):
    """One portalsim for the whole test session (tests reset scenarios they set)."""
    sim = start_portalsim(tmp_path_factory.mktemp("portalsim"))
    yield sim
    sim.proc.terminate()
    try:
        sim.proc.wait(10)
    except subprocess.TimeoutExpired:
        sim.proc.kill()


@pytest.fixture
def portal(portalsim, settings):
    """Points kcb06 at the session's portalsim for this test."""
    from kcb06.demo import DEMO_PORTAL_PASSWORD

    settings.KCB06_PORTAL_URL = portalsim.url
    os.environ.setdefault("KCB06_PORTAL_PASSWORD", DEMO_PORTAL_PASSWORD)
    return portalsim


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """PBKDF2 is slow on purpose; tests hash demo passwords many times, so use MD5 here only."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _audit_rows_flushable(request):
    """Transactional tests (live_server, transactional_db) end with a flush, which SQLite runs
    as DELETE — refused by the audit table's append-only trigger. Clear that table with the
    guard lifted, then put the guard back, before the flush. (PostgreSQL flushes by TRUNCATE,
    which the row trigger does not see.)"""
    if "transactional_db" not in request.fixturenames and "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    import importlib

    from django.db import connection

    if connection.vendor != "sqlite":
        return
    guard = importlib.import_module("kcb06.audit.migrations.0002_append_only_triggers")
    with connection.cursor() as cursor:
        for sql in guard.SQLITE_DROP:
            cursor.execute(sql)
        cursor.execute("DELETE FROM audit_auditentry")
        for sql in guard.SQLITE:
            cursor.execute(sql)


@pytest.fixture(autouse=True)
def _fresh_verdict_memory():
    """Each test starts with an empty in-process verdict cache: the database it cached from
    is rolled back or flushed between tests."""
    from kcb06.eligibility import daycache

    daycache.clear()
    yield
    daycache.clear()


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(tmp_path_factory, settings):
    """Each test has its own audit checkpoint file: checkpoints signed for another test's
    database would be reported as truncated or deleted chains in this one."""
    settings.KCB06_AUDIT_CHECKPOINT_FILE = str(
        tmp_path_factory.mktemp("audit") / "checkpoints.jsonl"
    )
