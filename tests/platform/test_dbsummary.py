"""scripts/test ends with a plain statement of the tests skipped because of the database and the
command that runs them (tests/dbsummary.py, loaded for every run by pyproject's addopts): a
green run on SQLite must not hide that the PostgreSQL-only tests did not run."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SAMPLE = """
import pytest

def test_runs_everywhere():
    pass

@pytest.mark.skip(reason="PostgreSQL only: the pipelined check-in write")
def test_postgresql_only():
    pass

@pytest.mark.skip(reason="needs a camera")
def test_skipped_for_another_reason():
    pass
"""


def _run(tmp_path: Path, source: str = SAMPLE) -> str:
    """Runs `source` as a test module in a pytest of its own, on SQLite (no DATABASE_URL)."""
    (tmp_path / "test_sample.py").write_text(source)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": ""}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", os.devnull, "--rootdir", str(tmp_path),
         "-p", "no:cacheprovider", "-p", "no:django", "-p", "no:randomly",
         "-p", "tests.dbsummary", str(tmp_path)],
        capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_a_sqlite_run_names_the_postgresql_only_tests_and_how_to_run_them(tmp_path):
    out = _run(tmp_path)
    assert "1 tests skipped on SQLite for the database" in out
    assert "test_sample.py: PostgreSQL only: the pipelined check-in write" in out
    assert "needs a camera" not in out.split("skipped on SQLite")[1]
    assert "Run them on PostgreSQL: DATABASE_URL=postgres://" in out
    assert out.rstrip().splitlines()[-2].startswith("Run them on PostgreSQL")  # at the end


def test_a_run_without_database_skips_says_nothing_more(tmp_path):
    assert "skipped on" not in _run(tmp_path, "def test_ok():\n    pass\n")
