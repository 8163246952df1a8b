"""`kcb06 vietqr build|parse` through the real command, as an operator or a script uses it."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def kcb06(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "kcb06.cli", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
        env=env,
        cwd=ROOT,
    )


def test_build_prints_the_published_kiosk_text():
    proc = kcb06("vietqr", "build", "--bin", "970436", "--account", "0123456789",
                 "--amount", "150000", "--message", "VIEN PHI HD000123")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode().strip()
    assert text.startswith("00020101021238540010A000000727")
    assert "540615000" in text and "0817VIEN PHI HD000123" in text


def test_build_then_parse_gives_fields_and_valid_crc():
    built = kcb06("vietqr", "build", "--bin", "970436", "--account", "0123456789",
                  "--amount", "250000", "--message", "Viện phí KCB7X2")  # fmt: skip
    proc = kcb06("vietqr", "parse", stdin=built.stdout)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["bank_bin"] == "970436" and out["account"] == "0123456789"
    assert out["amount"] == 250000
    assert out["purpose"] == "Vien phi KCB7X2"
    assert out["crc_valid"] is True


def test_parse_shows_a_damaged_crc_instead_of_refusing():
    built = kcb06("vietqr", "build", "--bin", "970436", "--account", "1", "--amount", "5000")
    damaged = built.stdout.strip()[:-4] + b"FFFF\n"
    out = json.loads(kcb06("vietqr", "parse", stdin=damaged).stdout)
    assert out["crc_valid"] is False and out["crc"] == "FFFF" and out["amount"] == 5000


def test_bad_values_exit_2_with_a_vietnamese_message():
    proc = kcb06("vietqr", "build", "--bin", "97043", "--account", "1")
    assert proc.returncode == 2
    assert "BIN" in json.loads(proc.stdout)["error"]["message_vi"]
    proc = kcb06("vietqr", "parse", stdin=b"not a qr")
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["error"]["code"] == "vietqr_format"
