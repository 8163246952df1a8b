"""`kcb06 backup create` then `kcb06 backup restore` into an EMPTY database finds the same data.

Runs the real commands in subprocesses against databases this test creates itself: SQLite files
in temporary directories, and (when PostgreSQL answers at 127.0.0.1:5432) two fresh databases.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"

FINGERPRINT = """
import json, sys, django
django.setup()
from django.apps import apps
from django.core.management import call_command
if "seed" in sys.argv:
    call_command("migrate", "--noinput", verbosity=0)
    from kcb06.facilities.demo import seed
    from kcb06.audit.services import record
    from kcb06.facilities.services import principal_for_user
    ctx = seed()
    for i in range(5):
        record(principal_for_user(ctx["users"]["bacsi"]), "read", object_type="patient",
               patient_id=i, purpose="khám bệnh")
if "check" in sys.argv:
    call_command("migrate", "--check", verbosity=0)  # exits 1 if a migration is missing
from kcb06.audit.models import AuditEntry
from kcb06.audit.services import verify
from kcb06.facilities.models import Facility
counts = {m._meta.label: m.objects.count() for m in apps.get_models()}
print(json.dumps({
    "counts": counts,
    "facilities": sorted(Facility.objects.values_list("name", "ward_name")),
    "audit": list(AuditEntry.objects.order_by("chain", "seq").values_list("hash", flat=True)),
    "verify": verify().ok,
}, ensure_ascii=False))
"""


def _pg_available() -> bool:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def _env(data_dir: Path, database_url: str | None) -> dict:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update({"KCB06_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "kcb06.settings"})
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    return result


def _ok(result):
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result


@pytest.fixture(params=["sqlite", "postgresql"])
def two_databases(request, tmp_path):
    """(source env, empty target env) on the given engine."""
    if request.param == "sqlite":
        yield _env(tmp_path / "a", None), _env(tmp_path / "b", None)
        return
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        # The PostgreSQL half runs in the PostgreSQL pass of the suite (.ci/run runs both).
        pytest.skip("PostgreSQL backup test runs when DATABASE_URL points at PostgreSQL")
    if not _pg_available():
        pytest.skip("PostgreSQL is not running at 127.0.0.1:5432")
    names = [f"kcb06_bk_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    with psycopg.connect(PG_ADMIN, autocommit=True) as con:
        for name in names:
            con.execute(f'CREATE DATABASE "{name}"')
    try:
        yield tuple(
            _env(tmp_path / name, f"postgres://postgres@127.0.0.1:5432/{name}") for name in names
        )
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as con:
            for name in names:
                con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_restores_into_an_empty_database_with_the_same_data(two_databases, tmp_path):
    source, target = two_databases
    before = json.loads(_ok(_run(["-c", FINGERPRINT, "seed"], source)).stdout)
    assert before["counts"]["facilities.Facility"] == 5 and len(before["audit"]) >= 5
    assert before["verify"] is True

    backup = tmp_path / "kcb06.backup"
    out = _ok(_run(["-m", "kcb06.cli", "backup", "create", "--out", str(backup)], source))
    assert str(backup) in out.stdout
    assert oct(backup.stat().st_mode & 0o777) == "0o600"  # personal data: owner only

    restored = _ok(_run(["-m", "kcb06.cli", "backup", "restore", str(backup)], target))
    assert "audit chain ok" in restored.stdout
    # Same rows, same audit hashes, and every migration applied (a working kcb06).
    after = json.loads(_ok(_run(["-c", FINGERPRINT, "check"], target)).stdout)
    assert after == before

    # A second restore would overwrite data: refused without --force.
    again = _run(["-m", "kcb06.cli", "backup", "restore", str(backup)], target)
    assert again.returncode == 1 and "CSDL đích đã có dữ liệu" in again.stderr
    # An existing backup file is never overwritten.
    again = _run(["-m", "kcb06.cli", "backup", "create", "--out", str(backup)], source)
    assert again.returncode == 1 and "đã tồn tại" in again.stderr


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "not-a-backup"
    bogus.write_text("hello")
    result = _run(["-m", "kcb06.cli", "backup", "restore", str(bogus)], _env(tmp_path, None))
    assert result.returncode == 1
    assert "không phải bản sao lưu" in result.stderr
