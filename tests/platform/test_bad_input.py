"""Bad input gets a clear Vietnamese page or a JSON error with a code — never a stack trace."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.utils import timezone

from kcb06.demo import DEMO_API_KEY
from kcb06.facilities.models import ApiKey

TRACE_MARKERS = ["Traceback", 'File "', "django/core/handlers", "Exception Value"]


def assert_no_trace(response):
    body = response.content.decode("utf-8", "replace")
    for marker in TRACE_MARKERS:
        assert marker not in body, f"stack trace in response: {marker}"


def assert_api_error(response, status: int, code: str):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message_vi"] and error["message_en"]
    assert_no_trace(response)
    return error


# --- login ---------------------------------------------------------------------------------


def test_wrong_password_shows_vietnamese_message(client, org):
    response = client.post("/login/", {"username": "tiepdon", "password": "sai"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_user_gets_the_same_message(client, org):
    response = client.post("/login/", {"username": "khongco", "password": "sai"})
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_lock_out_after_repeated_failures_even_with_the_right_password(client, org):
    for _ in range(3):
        client.post("/login/", {"username": "bacsi", "password": "sai"})
    response = client.post("/login/", {"username": "bacsi", "password": "demo"})
    body = response.content.decode()
    assert response.status_code in (403, 429)
    assert "Tài khoản tạm khóa" in body
    assert "_auth_user_id" not in client.session
    assert_no_trace(response)
    # Another user from the same address is not locked (lock-out is per user + address).
    response = client.post("/login/", {"username": "tiepdon", "password": "demo"})
    assert response.status_code == 302


# --- sessions ------------------------------------------------------------------------------


def _expire_sessions():
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))


def test_expired_session_goes_back_to_the_login_page(login):
    client = login("kiemtra")
    assert client.get("/audit/").status_code == 200
    _expire_sessions()
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/audit/")


def test_expired_session_on_the_api_answers_401_json(login):
    client = login("tiepdon")
    assert client.get("/api/v1/me").status_code == 200
    _expire_sessions()
    assert_api_error(client.get("/api/v1/me"), 401, "unauthorized")


def test_api_without_credentials_answers_401_json(client, org):
    assert_api_error(client.get("/api/v1/me"), 401, "unauthorized")


# --- permissions ---------------------------------------------------------------------------


def test_missing_role_shows_vietnamese_403_page(login):
    response = login("tiepdon").get("/audit/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Không có quyền truy cập" in body and "forbidden_role" in body
    assert_no_trace(response)


def test_missing_role_on_the_api_answers_403_json(login):
    assert_api_error(login("tiepdon").get("/api/v1/audit/verify"), 403, "forbidden_role")


def test_allowed_role_on_the_api(login):
    response = login("kiemtra").get("/api/v1/audit/verify")
    assert response.status_code == 200 and response.json()["ok"] is True


def test_user_without_facility_gets_a_page_not_a_crash(client, org):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("lac", password="x")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 403
    assert "chưa được gán vào cơ sở" in response.content.decode()


# --- facility codes ------------------------------------------------------------------------


def test_facility_by_code_within_scope(api_client):
    response = api_client.get("/api/v1/facilities/27901")
    assert response.status_code == 200
    data = response.json()
    assert data["name"].startswith("Trung tâm Y tế khu vực Từ Sơn")
    assert data["province_code"] == "24" and data["old_province_code"] == "27"


def test_unknown_facility_code_answers_404_json(api_client):
    error = assert_api_error(api_client.get("/api/v1/facilities/99999"), 404, "facility_unknown")
    assert "99999" in error["message_vi"]


@pytest.mark.parametrize("code", ["2790", "279011", "27 01", "ab%3Bc"])
def test_malformed_facility_code_answers_400_json(api_client, code):
    assert_api_error(api_client.get(f"/api/v1/facilities/{code}"), 400, "facility_code_invalid")


def test_facility_outside_scope_answers_403(api_client):
    # The demo key belongs to 27901 reception; 27903 is another facility.
    assert_api_error(api_client.get("/api/v1/facilities/27903"), 403, "facility_out_of_scope")


def test_health_department_sees_the_facilities_under_it(login):
    client = login("soyte")
    assert client.get("/api/v1/facilities/27903").status_code == 200


# --- API keys ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Bearer not-a-key", "api_key_malformed"),
        ("Bearer kcb06_only-two", "api_key_malformed"),
        ("Bearer kcb06_ffffffff_unknownsecret", "api_key_invalid"),
        (f"Bearer {DEMO_API_KEY[:-3]}xyz", "api_key_invalid"),
    ],
)
def test_bad_api_keys_answer_401_with_distinct_codes(org, header, code):
    response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/me")
    assert_api_error(response, 401, code)


def test_revoked_api_key_answers_401(api_client):
    from kcb06.facilities.services import revoke_api_key

    assert api_client.get("/api/v1/me").status_code == 200
    revoke_api_key(ApiKey.objects.get(prefix=DEMO_API_KEY.split("_")[1]))
    assert_api_error(api_client.get("/api/v1/me"), 401, "api_key_revoked")


def test_api_key_is_stored_only_as_a_hash(org):
    secret = DEMO_API_KEY.split("_", 2)[2]
    for row in ApiKey.objects.values():
        assert secret not in str(row)


# --- CSRF, 404, 500 ------------------------------------------------------------------------


def test_csrf_failure_shows_vietnamese_page(org):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "tiepdon", "password": "demo"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "Phiên làm việc đã hết hạn" in body and "csrf_failed" in body
    assert_no_trace(response)


def test_404_page_in_vietnamese(client, org):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
    assert_no_trace(response)


def test_404_on_the_api_is_json(api_client):
    response = api_client.get("/api/v1/khong-co")
    assert response.status_code == 404
    assert_no_trace(response)


@override_settings(ROOT_URLCONF="tests.platform.urls_boom", DEBUG=False)
def test_500_page_in_vietnamese_without_trace(org):
    client = Client(raise_request_exception=False)
    client.force_login(org["users"]["bacsi"])
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Lỗi hệ thống" in body and "internal_error" in body
    assert "boom-secret-detail" not in body
    assert_no_trace(response)
