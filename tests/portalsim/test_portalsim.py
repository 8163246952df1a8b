"""portalsim speaks the portal's protocol: tokens, officer checks, faults, control endpoint."""

import hashlib
import time

import httpx
import pytest

MD5 = hashlib.md5(b"demo-portal").hexdigest().upper()  # noqa: S324
OFFICER = {"hoTenCb": "Nguyễn Thị Tiếp Đón", "cccdCb": "027190000101"}
CARD = {"maThe": "HC4272700000000", "hoTen": "Nguyễn Văn Hợp Lệ Demo", "ngaySinh": "15/08/1985"}


@pytest.fixture
def ps(portalsim):
    portalsim.post("/_control/reset")
    yield portalsim
    portalsim.post("/_control/reset")


def token(ps, username="27901_BV", password=MD5):
    return ps.post("/api/token/take", data={"username": username, "password": password}).json()


def check(ps, tok, body, username="27901_BV", password=MD5):
    params = {
        "token": tok["APIKey"]["access_token"],
        "id_token": tok["APIKey"]["id_token"],
        "username": username,
        "password": password,
    }
    return ps.post("/api/egw/KQNhanLichSuKCB2024", params=params, json=body)


def test_token_and_card_check(ps):
    tok = token(ps)
    assert tok["maKetQua"] == "200" and tok["APIKey"]["expires_in"].endswith("Z")
    data = check(ps, tok, {**CARD, **OFFICER}).json()
    assert data["maKetQua"] == "000" and data["maDKBD"] == "27901"
    assert data["gtTheTu"].count("/") == 2 and "Hạn thẻ" in data["ghiChu"]


def test_wrong_password_and_wrong_token(ps):
    assert token(ps, password="0" * 32)["maKetQua"] == "401"
    tok = token(ps)
    tok["APIKey"]["access_token"] = "forged"
    assert check(ps, tok, {**CARD, **OFFICER}).json()["maKetQua"] == "401"
    # A live token used with another account's name.
    assert (
        check(ps, token(ps), {**CARD, **OFFICER}, username="27902_BV").json()["maKetQua"] == "401"
    )


def test_token_expiry_gives_401(ps):
    tok = token(ps)
    ps.post("/_control/expire-tokens")
    assert check(ps, tok, {**CARD, **OFFICER}).json()["maKetQua"] == "401"


def test_officer_codes_and_parameter_errors(ps):
    tok = token(ps)
    assert (
        check(ps, tok, {**CARD, "hoTenCb": "X", "cccdCb": "027000000000"}).json()["maKetQua"]
        == "054"
    )
    assert (
        check(ps, tok, {**CARD, "hoTenCb": "Người Khác", "cccdCb": "027190000101"}).json()[
            "maKetQua"
        ]
        == "055"
    )
    assert check(ps, tok, {**CARD, **OFFICER, "ngaySinh": "1985-08-15"}).json()["maKetQua"] == "205"
    assert check(ps, tok, {**CARD, **OFFICER, "hoTen": ""}).json()["maKetQua"] == "205"


def test_name_compare_ignores_diacritics_and_case(ps):
    tok = token(ps)
    body = {**CARD, **OFFICER, "hoTen": "NGUYEN VAN HOP LE DEMO", "ngaySinh": "15081985"}
    assert check(ps, tok, body).json()["maKetQua"] == "000"


def test_faults_per_card_and_global_with_count_and_stats(ps):
    tok = token(ps)
    ps.post("/_control/faults", json={"scope": "HC4272700000000", "mode": "code:101", "count": 1})
    assert check(ps, tok, {**CARD, **OFFICER}).json()["maKetQua"] == "101"
    assert check(ps, tok, {**CARD, **OFFICER}).json()["maKetQua"] == "000"
    ps.post("/_control/faults", json={"scope": "global", "mode": "malformed"})
    response = check(ps, tok, {**CARD, **OFFICER})
    with pytest.raises(ValueError):
        response.json()
    ps.post("/_control/faults", json={"scope": "global", "mode": "rate_limit"})
    assert check(ps, tok, {**CARD, **OFFICER}).status_code == 429
    ps.post("/_control/faults", json={"scope": "global", "mode": "success_wrapped_error"})
    assert check(ps, tok, {**CARD, **OFFICER}).json()["maKetQua"] == "200"
    ps.post("/_control/faults", json={"scope": "global", "latency_ms": 200})
    started = time.monotonic()
    check(ps, tok, {**CARD, **OFFICER})
    assert time.monotonic() - started >= 0.2
    stats = ps.get("/_control/stats").json()
    assert stats["calls"]["card_check"] == 6 and stats["calls"]["token"] == 1
    assert ps.post("/_control/faults", json={"mode": "explode"}).status_code == 400


def test_fixture_fault_is_the_baseline_after_reset(ps):
    faults = ps.get("/_control/stats").json()["faults"]
    assert {"scope": "HC4272700000900", "latency_ms": 300}.items() <= faults[0].items()


def test_timeout_fault_outlasts_a_client_deadline(ps):
    ps.post("/_control/faults", json={"scope": "global", "mode": "timeout", "timeout_seconds": 2})
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(ps.url + "/api/egw/KQNhanLichSuKCB2024", json={}, timeout=0.3)
