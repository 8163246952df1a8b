"""Production refuses to start with the demo SECRET_KEY or with DEBUG on."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
GOOD_KEY = "k" * 20 + "Q2x9Zr7Lm4Np1Vb8Hs3Jd6Fg0Tw5Yc" + "e" * 10
GOOD_AUDIT_KEY = "a" * 12 + "Zq81Lm0Np3Vb6Hs9Jd2Fg5Tw8Yc1Xr4" + "b" * 6  # see test_audit_cli.py


def run_setup(tmp_path, extra: dict, code: str = "import django; django.setup()"):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "KCB06_ENV")}
    env.pop("DATABASE_URL", None)
    env.update({"DJANGO_SETTINGS_MODULE": "kcb06.settings", "KCB06_DATA_DIR": str(tmp_path)})
    env.update(extra)
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({}, "Production refuses the demo SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "Production refuses the demo SECRET_KEY"),
        ({"SECRET_KEY": GOOD_KEY, "DEBUG": "1"}, "Production refuses DEBUG=1"),
    ],
)
def test_production_refuses_unsafe_settings(tmp_path, extra, message):
    result = run_setup(tmp_path, {"KCB06_ENV": "production", **extra})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_starts_with_a_real_key(tmp_path):
    result = run_setup(
        tmp_path,
        {"KCB06_ENV": "production", "SECRET_KEY": GOOD_KEY, "KCB06_AUDIT_KEY": GOOD_AUDIT_KEY},
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SESSION_COOKIE_SECURE, settings.DEBUG)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]


def test_kcb06_serve_runs_as_production_and_refuses_the_demo_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "KCB06_ENV")}
    env.pop("DATABASE_URL", None)
    env["KCB06_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "kcb06.cli", "serve", "--bind", "127.0.0.1:9201"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "kcb06: configuration error: Production refuses the demo SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_boolean_in_the_environment_is_refused(tmp_path):
    result = run_setup(tmp_path, {"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def _serve(tmp_path, extra: dict, timeout: float = 60):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "KCB06_ENV")}
    env.pop("DATABASE_URL", None)
    env.pop("KCB06_DEMO", None)
    env["KCB06_DATA_DIR"] = str(tmp_path)
    env.update(extra)
    return subprocess.run(
        [sys.executable, "-m", "kcb06.cli", "serve", "--bind", "127.0.0.1:9201"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize("kcb06_env", ["development", "staging", ""])
def test_kcb06_serve_refuses_the_demo_key_whatever_kcb06_env_says(tmp_path, kcb06_env):
    """Before: KCB06_ENV=development (or any value but "production") skipped the guards and
    `kcb06 serve` answered the internet with the public demo key."""
    result = _serve(tmp_path, {"KCB06_ENV": kcb06_env})
    assert result.returncode == 2
    assert "Production refuses the demo SECRET_KEY" in result.stderr


def test_kcb06_serve_refuses_debug_whatever_kcb06_env_says(tmp_path):
    result = _serve(tmp_path, {"KCB06_ENV": "development", "SECRET_KEY": GOOD_KEY, "DEBUG": "1"})
    assert result.returncode == 2
    assert "Production refuses DEBUG=1" in result.stderr


def test_an_unknown_kcb06_env_stops_start_up(tmp_path):
    result = run_setup(tmp_path, {"KCB06_ENV": "prod"})
    assert result.returncode != 0
    assert "KCB06_ENV must be one of development, production" in result.stderr


def test_kcb06_serve_runs_a_demo_only_when_started_as_one(tmp_path):
    """KCB06_DEMO=1 (what `kcb06 demo` sets) is the one way to serve with the demo key."""
    import httpx

    from tests.conftest import free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "KCB06_ENV")}
    env.pop("DATABASE_URL", None)
    env.update({"KCB06_DATA_DIR": str(tmp_path), "KCB06_DEMO": "1"})
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kcb06.cli",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import time

        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/login/", timeout=2).status_code
                break
            except httpx.HTTPError:
                time.sleep(0.3)
        assert status is not None, f"serve exited {proc.returncode}"
    finally:
        proc.terminate()
        proc.wait(30)


@pytest.mark.parametrize(
    ("age", "expected"),
    # Unset: kept open (a finite age makes every thread reconnect at once: a latency spike);
    # an operator who needs connections recycled gives seconds.
    [(None, "None"), ("300", "300"), ("0", "0")],
)
def test_postgresql_connections_are_kept_open_unless_an_age_is_given(tmp_path, age, expected):
    extra = {"DATABASE_URL": "postgres://kcb06@127.0.0.1:5432/kcb06"}
    if age is not None:
        extra["KCB06_DB_CONN_MAX_AGE"] = age
    result = run_setup(
        tmp_path,
        extra,
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['CONN_MAX_AGE'])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_a_connection_age_that_is_not_a_number_is_refused(tmp_path):
    extra = {"DATABASE_URL": "postgres://kcb06@127.0.0.1:5432/kcb06"}
    result = run_setup(tmp_path, {**extra, "KCB06_DB_CONN_MAX_AGE": "1 min"})
    assert result.returncode != 0
    assert "KCB06_DB_CONN_MAX_AGE must be an integer" in result.stderr
