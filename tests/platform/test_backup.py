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


def _seeded(tmp_path: Path, name: str) -> dict:
    env = _env(tmp_path / name, None)
    _ok(_run(["-c", FINGERPRINT, "seed"], env))
    return env


def _sqlite(env: dict):
    import sqlite3

    return sqlite3.connect(Path(env["KCB06_DATA_DIR"]) / "kcb06.sqlite3")


def _triggers(env: dict) -> set[str]:
    db = _sqlite(env)
    try:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    finally:
        db.close()


def test_restored_sqlite_database_is_owner_only(tmp_path):
    source = _seeded(tmp_path, "a")
    backup = tmp_path / "kcb06.backup"
    _ok(_run(["-m", "kcb06.cli", "backup", "create", "--out", str(backup)], source))
    target = _env(tmp_path / "b", None)
    _ok(_run(["-m", "kcb06.cli", "backup", "restore", str(backup)], target))
    restored = Path(target["KCB06_DATA_DIR"]) / "kcb06.sqlite3"
    assert oct(restored.stat().st_mode & 0o777) == "0o600"  # personal data: owner only


def test_restore_puts_back_the_append_only_trigger_a_backup_lacked(tmp_path):
    source = _seeded(tmp_path, "a")
    db = _sqlite(source)
    db.execute("DROP TRIGGER audit_no_update")
    db.execute("DROP TRIGGER audit_no_delete")
    db.commit()
    db.close()
    backup = tmp_path / "kcb06.backup"
    # verify reports the missing guard: a plain backup is refused, a forensic one is taken.
    refused = _run(["-m", "kcb06.cli", "backup", "create", "--out", str(backup)], source)
    assert refused.returncode == 1 and "không toàn vẹn" in refused.stderr
    _ok(
        _run(
            ["-m", "kcb06.cli", "backup", "create", "--out", str(backup), "--even-if-audit-broken"],
            source,
        )
    )
    target = _env(tmp_path / "b", None)
    restored = _ok(_run(["-m", "kcb06.cli", "backup", "restore", str(backup)], target))
    assert "audit chain ok" in restored.stdout
    assert {"audit_no_update", "audit_no_delete"} <= _triggers(target)


def test_backup_is_refused_when_the_audit_trail_was_tampered_with(tmp_path):
    source = _seeded(tmp_path, "a")
    db = _sqlite(source)
    db.execute("DROP TRIGGER audit_no_update")
    db.execute("UPDATE audit_auditentry SET purpose = 'sửa lén' WHERE seq = 1")
    db.execute(
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditentry "
        "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;"
    )
    db.commit()
    db.close()
    backup = tmp_path / "kcb06.backup"
    refused = _run(["-m", "kcb06.cli", "backup", "create", "--out", str(backup)], source)
    assert refused.returncode == 1
    assert "Nhật ký truy cập không toàn vẹn" in refused.stderr and "altered" in refused.stderr
    assert not backup.exists()


ADD_AND_CHECKPOINT = """
import django; django.setup()
from kcb06.audit.checkpoints import write
from kcb06.audit.services import record
from kcb06.facilities.models import Facility
for i in range(3):
    record(None, "read", object_type="patient", patient_id=100 + i, purpose="sau sao lưu")
write()
"""


def test_restoring_an_older_backup_reports_the_lost_entries_and_sets_a_new_baseline(tmp_path):
    """Entries checkpointed after the backup are not in it: the restore says so, and signs the
    restored trail as the new baseline (only the key holder can), so verify is clean after."""
    env = _seeded(tmp_path, "a")
    backup = tmp_path / "kcb06.backup"
    _ok(_run(["-m", "kcb06.cli", "backup", "create", "--out", str(backup)], env))
    _ok(_run(["-c", ADD_AND_CHECKPOINT], env))
    # Restore into the same place (the server's database is lost; its checkpoint file is not).
    restored = _ok(_run(["-m", "kcb06.cli", "backup", "restore", str(backup), "--force"], env))
    assert "audit chain ok" in restored.stdout
    assert "1 audit chain(s) checkpointed after this backup" in restored.stdout
    verified = _run(["-m", "kcb06.cli", "audit", "verify"], env)
    assert verified.returncode == 0, verified.stdout
    lines = (Path(env["KCB06_DATA_DIR"]) / "audit" / "checkpoints.jsonl").read_text().splitlines()
    assert json.loads(lines[-1])["kind"] == "restore"
