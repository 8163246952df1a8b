"""`kcb06 identity parse` through the real console script, as an operator or a script uses it."""

import json
import subprocess
from pathlib import Path

import pytest

KCB06 = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "kcb06")
QR = "079301000002||Trần Thị B|01012001|Nữ|Số 1 Đường A, Phường B, Thành phố Hồ Chí Minh|10072024"


def run(stdin: bytes) -> tuple[int, dict]:
    proc = subprocess.run(
        [KCB06, "identity", "parse"], input=stdin, capture_output=True, timeout=60, check=False
    )
    lines = proc.stdout.decode("utf-8").strip().splitlines()
    assert len(lines) == 1, proc.stdout + proc.stderr
    return proc.returncode, json.loads(lines[0])


def test_cccd_qr_from_stdin_with_trailing_enter():
    code, out = run((QR + "\r\n").encode())
    assert code == 0
    assert out == {
        "kind": "cccd_qr",
        "id_number": "079301000002",
        "old_id_number": None,
        "full_name": "Trần Thị B",
        "date_of_birth": "2001-01-01",
        "sex": "female",
        "address": "Số 1 Đường A, Phường B, Thành phố Hồ Chí Minh",
        "issue_date": "2024-07-10",
        "other_id_numbers": [],
        "warnings": [],
    }


def test_output_keeps_vietnamese_letters_unescaped():
    proc = subprocess.run(
        [KCB06, "identity", "parse"], input=QR.encode(), capture_output=True, timeout=60
    )
    assert "Trần Thị B".encode() in proc.stdout


@pytest.mark.parametrize(
    "text, expected",
    [
        ("001095000001", {"kind": "id_number", "birth_year_from": 1995, "sex": "male"}),
        ("dn4010123456789\n", {"kind": "bhyt_card", "card_number": "DN4010123456789"}),
        ("0123456789", {"kind": "bhxh_number", "bhxh_number": "0123456789"}),
    ],
)
def test_other_kinds(text, expected):
    code, out = run(text.encode())
    assert code == 0
    assert expected.items() <= out.items()


def test_warning_is_listed_with_vietnamese_message():
    code, out = run(QR.replace("|Nữ|", "|Nam|").encode())
    assert code == 0
    assert [w["code"] for w in out["warnings"]] == ["id_sex_mismatch"]
    assert "giới tính" in out["warnings"][0]["message_vi"]


@pytest.mark.parametrize(
    "text, code_expected",
    [
        (b"8934588012228", "not_an_id"),
        (QR[:40].encode(), "qr_truncated"),
        (QR.replace("01012001", "31022001").encode(), "date_invalid"),
        (b"XX4010123456789", "bhyt_object_code"),
        (b"", "empty"),
        (b"\xff\xfe\x00garbage", "not_an_id"),
    ],
)
def test_bad_input_prints_error_and_exits_2(text, code_expected):
    code, out = run(text)
    assert code == 2
    assert set(out) == {"error"}
    assert out["error"]["code"] == code_expected
    assert out["error"]["message_vi"] and out["error"]["message_en"]
