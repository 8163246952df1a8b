"""`kcb06 audit checkpoint` and `kcb06 audit verify` as an operator runs them, the worker's daily
checkpoint, and the audit key's production guard."""

import json
import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from kcb06.audit import checkpoints
from kcb06.audit.services import Action, record, verify
from kcb06.facilities.services import principal_for_user

ROOT = Path(__file__).resolve().parent.parent.parent
GOOD_SECRET = "k" * 20 + "Q2x9Zr7Lm4Np1Vb8Hs3Jd6Fg0Tw5Yc" + "e" * 10
GOOD_AUDIT_KEY = "a" * 12 + "Zq81Lm0Np3Vb6Hs9Jd2Fg5Tw8Yc1Xr4" + "b" * 6

SEED = """
import django; django.setup()
from django.core.management import call_command
call_command("migrate", "--noinput", verbosity=0)
from kcb06.facilities.demo import seed
from kcb06.audit.services import record
from kcb06.facilities.services import principal_for_user
users = seed()["users"]
for i in range(4):
    record(principal_for_user(users["bacsi"]), "read", object_type="patient", patient_id=i,
           purpose="khám bệnh")
"""


def _env(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KCB06_ENV")}
    env.update(
        {
            "KCB06_DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "kcb06.settings",
            "KCB06_AUDIT_KEY": GOOD_AUDIT_KEY,
            "KCB06_AUDIT_CHECKPOINT_FILE": str(tmp_path / "shipped" / "checkpoints.jsonl"),
        }
    )
    env.update(extra)
    return env


def _run(args, env):
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_verify_reports_a_truncated_log_after_a_checkpoint(tmp_path):
    env = _env(tmp_path)
    seeded = _run(["-c", SEED], env)
    assert seeded.returncode == 0, seeded.stderr
    done = _run(["-m", "kcb06.cli", "audit", "checkpoint"], env)
    assert done.returncode == 0, done.stderr
    shipped = tmp_path / "shipped" / "checkpoints.jsonl"
    assert oct(shipped.stat().st_mode & 0o777) == "0o600"
    clean = _run(["-m", "kcb06.cli", "audit", "verify"], env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert json.loads(clean.stdout)["ok"] is True

    # Someone with the database file removes the newest entry of the busiest chain and
    # rewinds its head, putting the append-only trigger back afterwards.
    db = sqlite3.connect(tmp_path / "kcb06.sqlite3")
    with db:
        chain, seq = db.execute(
            "SELECT chain, max(seq) FROM audit_auditentry GROUP BY chain ORDER BY 2 DESC"
        ).fetchone()
        prev = db.execute(
            "SELECT hash, prev_hash FROM audit_auditentry WHERE chain = ? AND seq = ?",
            (chain, seq - 1),
        ).fetchone()
        db.execute("DROP TRIGGER audit_no_delete")
        db.execute("DELETE FROM audit_auditentry WHERE chain = ? AND seq = ?", (chain, seq))
        db.execute(
            "UPDATE audit_auditchainhead SET seq = ?, hash = ?, prev_hash = ? WHERE chain = ?",
            (seq - 1, *prev, chain),
        )
        db.execute(
            "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditentry "
            "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;"
        )
    db.close()

    tampered = _run(["-m", "kcb06.cli", "audit", "verify"], env)
    assert tampered.returncode == 1
    report = json.loads(tampered.stdout)
    assert report["ok"] is False
    assert [p["problem"] for p in report["problems"]] == ["truncated"]
    assert "bản ghi mới nhất bị xóa" in report["problems"][0]["message_vi"]
    # A new checkpoint would bless the tampering: refused.
    refused = _run(["-m", "kcb06.cli", "audit", "checkpoint"], env)
    assert refused.returncode == 1 and "không ghi điểm kiểm tra" in refused.stderr


def test_production_refuses_to_start_without_an_audit_key(tmp_path):
    code = ["-c", "import django; django.setup(); print('started')"]
    base = _env(tmp_path, KCB06_ENV="production", SECRET_KEY=GOOD_SECRET)
    for key in (None, "short", GOOD_SECRET):
        env = dict(base)
        env.pop("KCB06_AUDIT_KEY")
        if key:
            env["KCB06_AUDIT_KEY"] = key
        result = _run(code, env)
        assert result.returncode != 0
        assert "Production refuses to start without KCB06_AUDIT_KEY" in result.stderr
    started = _run(code, base)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "started"


def test_the_worker_writes_one_checkpoint_a_day(org, settings):
    from kcb06.worker import load_jobs

    assert "kcb06.audit.checkpoints.checkpoint_daily" in [name for name, _, _ in load_jobs()]
    record(principal_for_user(org["users"]["bacsi"]), Action.READ, object_type="patient")
    assert checkpoints.checkpoint_daily() == 0
    assert checkpoints.checkpoint_daily() == 0  # same day: nothing new
    path = Path(settings.KCB06_AUDIT_CHECKPOINT_FILE)
    assert len(path.read_text().splitlines()) == 1
    assert verify().ok and verify().checkpoints == 1


def test_the_worker_writes_again_the_next_day(org, settings, monkeypatch):
    record(principal_for_user(org["users"]["bacsi"]), Action.READ, object_type="patient")
    checkpoints.checkpoint_daily()
    tomorrow = timezone.now() + timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    checkpoints.checkpoint_daily()
    lines = Path(settings.KCB06_AUDIT_CHECKPOINT_FILE).read_text().splitlines()
    assert len(lines) == 2


@pytest.mark.parametrize("stale_days", [3])
def test_an_old_checkpoint_is_a_warning(org, settings, monkeypatch, stale_days):
    record(principal_for_user(org["users"]["bacsi"]), Action.READ, object_type="patient")
    checkpoints.write()
    later = timezone.now() + timedelta(days=stale_days)
    monkeypatch.setattr(timezone, "now", lambda: later)
    report = verify()
    assert report.ok and [w["warning"] for w in report.warnings] == ["checkpoint_stale"]
