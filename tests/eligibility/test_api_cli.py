"""The same verdict from the JSON API and the CLI; bad input is a clear 4xx / exit 2."""

import json
import os
import subprocess
import sys

import pytest

URL = "/api/v1/eligibility/checks"
VALID = {
    "card_number": "HC4272700000000",
    "full_name": "Nguyễn Văn Hợp Lệ Demo",
    "date_of_birth": "1985-08-15",
    "sex": "male",
}


def post(client, body):
    return client.post(URL, json.dumps(body), content_type="application/json")


def test_api_returns_the_verdict(sim, api_client):
    response = post(api_client, VALID)
    assert response.status_code == 200
    data = response.json()
    assert data["outcome"] == "valid" and data["portal_code"] == "000"
    assert data["reason_vi"] == "Thẻ BHYT hợp lệ."
    assert data["card"]["ma_dkbd"] == "27901" and data["card"]["benefit_level"] == 4
    assert data["mismatches"] == [] and data["pending"] is False and data["check_id"]


def test_api_by_id_number_no_card(sim, api_client):
    body = {"id_number": "027200000050", "full_name": "Ngô Thị Chưa Thẻ Demo",
            "date_of_birth": "2000-05-05"}  # fmt: skip
    data = post(api_client, body).json()
    assert data["outcome"] == "no_card" and data["portal_code"] == "050"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({**VALID, "card_number": "XX9"}, None),
        ({**VALID, "date_of_birth": "15/15/1985"}, "invalid_date_of_birth"),
        ({**VALID, "date_of_birth": "2999-01-01"}, "invalid_date_of_birth"),
        ({**VALID, "sex": "other"}, "invalid_sex"),
        ({**VALID, "full_name": "   "}, "invalid_full_name"),
        ({"card_number": "HC4272700000000"}, "invalid_request"),
        ({**VALID, "card_number": None, "id_number": "12345"}, None),
    ],
)
def test_api_bad_input_is_a_4xx_error(sim, api_client, body, code):
    response = post(api_client, body)
    assert 400 <= response.status_code < 500
    error = response.json()["error"]
    assert error["message_vi"] and error["message_en"]
    if code:
        assert error["code"] == code
    assert sim.calls("card_check") == 0


def test_api_roles(sim, login):
    for user, status in (("bacsi", 403), ("kiemtra", 403), ("thungan", 200), ("quantri", 200)):
        response = post(login(user), VALID)
        assert response.status_code == status, user


def test_api_unauthenticated(sim, client):
    assert post(client, VALID).status_code == 401


def test_api_error_bodies_carry_no_credentials(sim, api_client, monkeypatch):
    monkeypatch.setenv("KCB06_PORTAL_PASSWORD_27901", "wrong-secret-pw")
    text = post(api_client, VALID).content.decode()
    assert "unverified" in text
    assert "wrong-secret-pw" not in text and "token" not in text.lower()
    assert "demo-portal" not in text and "27901_BV" not in text


def _cli(sim, tmp_path, *args):
    env = dict(os.environ)
    env.update(
        {
            "KCB06_PORTAL_URL": sim.url,
            "KCB06_PORTAL_PASSWORD": "demo-portal",
            "KCB06_DATA_DIR": str(tmp_path),
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "kcb06.cli", "eligibility", "check", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory):
    """A migrated SQLite database with the demo organisation, for the CLI's own process."""
    tmp_path = tmp_path_factory.mktemp("cli")
    env = dict(os.environ, KCB06_DATA_DIR=str(tmp_path))
    env.pop("DATABASE_URL", None)
    code = (
        "from kcb06.cli import setup_django; setup_django();"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "from kcb06.facilities.demo import seed; seed()"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)
    return tmp_path


def test_cli_prints_the_verdict(sim, cli_db, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    result = _cli(
        sim, cli_db, "--card", "GD4272700000002", "--name", "Trần Thị Dấu Demo",
        "--dob", "1990-03-12", "--sex", "female", "--operator", "tiepdon",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["outcome"] == "valid" and data["portal_code"] == "000"
    assert data["mismatches"][0]["kind"] == "diacritics_only"
    assert data["card"]["valid_to"] and data["card"]["ma_dkbd"] == "27901"

    result = _cli(
        sim, cli_db, "--id-number", "027200000050", "--name", "Ngô Thị Chưa Thẻ Demo",
        "--dob", "2000-05-05", "--operator", "tiepdon",
    )  # fmt: skip
    assert result.returncode == 0 and json.loads(result.stdout)["outcome"] == "no_card"


def test_cli_bad_input_exits_2(sim, cli_db, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    result = _cli(sim, cli_db, "--card", "GD42", "--name", "A", "--dob", "1990-01-01",
                  "--operator", "tiepdon")  # fmt: skip
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"]["message_vi"]
    result = _cli(sim, cli_db, "--card", "GD4272700000002", "--name", "A", "--dob", "1990-01-01",
                  "--operator", "nobody")  # fmt: skip
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"]["code"] == "unknown_operator"
