"""Bad input on the API and the pages is a 4xx with a clear message in both languages — never a
500 and never a minute of CPU (issue "Trust" #15). The limits are in kcb06/limits.py and
documented in docs/api.md."""

import json
import time
from urllib.parse import urlencode

import pytest
from django.test import Client

from kcb06 import limits
from tests.platform.test_bad_input import assert_api_error, assert_no_trace

pytestmark = pytest.mark.django_db

TOO_BIG_ID = 2**64 + 1


def post_json(client, path, body, **extra):
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(path, raw, content_type="application/json", **extra)


# --- sizes ---------------------------------------------------------------------------------


def test_a_3_mb_json_body_answers_413_in_both_languages(api_client):
    body = {"name": "Nguyễn " * (3 * 1024 * 1024 // 10)}
    error = assert_api_error(
        post_json(api_client, "/api/v1/patients/search", body), 413, "request_too_large"
    )
    assert "quá lớn" in error["message_vi"]


def test_a_3_mb_json_body_from_a_logged_in_page_answers_413(login):
    client = login("tiepdon")
    body = json.dumps({"name": "x" * (3 * 1024 * 1024)})
    assert_api_error(post_json(client, "/api/v1/patients/search", body), 413, "request_too_large")


def test_a_too_large_form_answers_413_with_a_vietnamese_page(login):
    client = login("bacsi")
    form = urlencode({"department": "1", "padding": "x" * (2 * limits.MAX_FORM_BYTES)})
    response = client.post("/clinic/next/", form, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    body = response.content.decode()
    assert "quá lớn" in body and "request_too_large" in body
    assert_no_trace(response)


# --- JSON content --------------------------------------------------------------------------


def test_a_too_large_upload_answers_413(login):
    client = login("tiepdon")
    response = client.post(
        "/kiosk/step/", {"step": "scan", "padding": "x" * (limits.MAX_UPLOAD_BYTES + 1)}
    )
    assert response.status_code == 413
    assert "request_too_large" in response.content.decode()


def test_a_lone_surrogate_in_json_is_refused_with_400(api_client):
    raw = '{"name": "Nguy\\ud800n"}'
    error = assert_api_error(
        post_json(api_client, "/api/v1/patients/search", raw), 400, "invalid_json"
    )
    assert "Unicode" in error["message_en"]


@pytest.mark.parametrize("path", ["/api/v1/patients/search", "/api/v1/patients/lookup"])
def test_a_nul_character_in_json_is_removed_not_a_500(api_client, path):
    """Found by schemathesis on PostgreSQL: text cannot hold U+0000 (DataError, a 500)."""
    field = "name" if path.endswith("search") else "identifier"
    raw = '{"FIELD": "Nguy\\u0000en \\u0000"}'.replace("FIELD", field)
    response = post_json(api_client, path, raw)
    assert response.status_code == 200, response.content[:300]
    assert response.json() == []


def test_malformed_json_is_400_not_500(api_client):
    assert_api_error(
        post_json(api_client, "/api/v1/patients/search", '{"name": '), 400, "invalid_json"
    )


# --- ids -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/patients/{id}"),
        ("get", "/api/v1/visits/{id}"),
        ("get", "/api/v1/interchange/visits/{id}"),
        ("get", "/api/v1/patients/{id}/healthbook"),
        ("post", "/api/v1/interchange/files/{id}/resend"),
        ("post", "/api/v1/healthbook/consents/{id}/revoke"),
    ],
)
@pytest.mark.parametrize("bad_id", [TOO_BIG_ID, -1, 0])
def test_ids_beyond_64_bits_or_not_positive_are_422(api_client, method, path, bad_id):
    response = getattr(api_client, method)(path.format(id=bad_id))
    assert_api_error(response, 422, "invalid_request")


def test_an_id_in_a_body_beyond_64_bits_is_422(api_client):
    body = {"scan": "027070000010", "department": "K01", "link_patient_id": TOO_BIG_ID}
    assert_api_error(post_json(api_client, "/api/v1/check-ins", body), 422, "invalid_request")


def test_a_visit_id_beyond_64_bits_in_a_page_url_is_404(login):
    response = login("bacsi").get(f"/healthbook/visits/{TOO_BIG_ID}/close/")
    assert response.status_code == 404
    assert_no_trace(response)


# --- anonymous and CSRF --------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/check-ins", "/api/v1/patients/search", "/api/v1/eligibility/checks"]
)
def test_anonymous_unsafe_api_call_is_401_not_a_csrf_403(org, path):
    client = Client(enforce_csrf_checks=True)
    error = assert_api_error(post_json(client, path, {}), 401, "unauthorized")
    assert "xác thực" in error["message_vi"]


def test_logged_in_page_without_csrf_token_gets_403_in_vietnamese(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org["users"]["tiepdon"])
    error = assert_api_error(
        post_json(client, "/api/v1/patients/search", {"name": "a"}), 403, "csrf_failed"
    )
    assert "CSRF" not in error["message_vi"] and "tải lại trang" in error["message_vi"]


# --- search --------------------------------------------------------------------------------


@pytest.mark.parametrize("words", [1_000, 10_000])
def test_patient_search_with_thousands_of_words_is_refused_at_once(api_client, words):
    started = time.monotonic()
    response = post_json(api_client, "/api/v1/patients/search", {"name": " ".join(["an"] * words)})
    assert time.monotonic() - started < 2
    assert_api_error(response, 422, "invalid_request")


def test_patient_search_with_a_1_mb_name_is_refused_at_once(api_client):
    started = time.monotonic()
    response = post_json(api_client, "/api/v1/patients/search", {"name": "a" * 1_000_000})
    assert time.monotonic() - started < 2
    assert response.status_code in (413, 422)


def test_patient_search_service_refuses_a_long_text_and_matches_at_most_8_words(org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kcb06.errors import DomainError
    from kcb06.facilities.services import principal_for_user
    from kcb06.patients.services import search

    principal = principal_for_user(org["users"]["tiepdon"])
    with pytest.raises(DomainError) as caught:
        search(principal, "a" * 1_000_000)
    assert caught.value.code == "search_too_long" and caught.value.status == 400
    words = [f"w{i}" for i in range(40)]  # 40 distinct words within 200 characters
    with CaptureQueriesContext(connection) as queries:
        assert search(principal, " ".join(words)) == []
    likes = max(q["sql"].upper().count("LIKE") for q in queries.captured_queries)
    assert 1 <= likes <= limits.SEARCH_MAX_WORDS


def test_patient_search_with_many_words_still_finds_the_patient(api_client, portal):
    from tests.visits.helpers import VALID

    post_json(api_client, "/api/v1/check-ins", {"scan": VALID, "department": "K01"})
    name = "nguyen van hop le demo " + " ".join(f"x{i}" for i in range(20))
    response = post_json(api_client, "/api/v1/patients/search", {"name": name})
    assert response.status_code == 200
    # Only the first 8 words are matched: the 5 of the name and 3 that match nobody.
    assert response.json() == []
    response = post_json(api_client, "/api/v1/patients/search", {"name": "hop le demo van nguyen"})
    assert [p["full_name"] for p in response.json()] == ["Nguyễn Văn Hợp Lệ Demo"]


# --- pages: non-integer and oversized form fields ------------------------------------------


@pytest.mark.parametrize("department", ["abc", "1.5", str(TOO_BIG_ID), "-3"])
def test_clinic_next_with_a_bad_department_is_a_clear_4xx(login, department):
    response = login("bacsi").post("/clinic/next/", {"department": department})
    assert response.status_code == 400
    assert "Khoa/phòng không hợp lệ" in response.content.decode()
    assert_no_trace(response)


@pytest.fixture
def open_visit(org):
    from tests.healthbook import factories as f

    return f.visit(f.patient())


@pytest.mark.parametrize("field", ["rx_rows", "res_rows"])
@pytest.mark.parametrize("value", ["abc", "2.5", "-1"])
def test_closure_form_with_non_integer_row_count_is_400(login, open_visit, field, value):
    response = login("bacsi").post(f"/healthbook/visits/{open_visit.pk}/close/", {field: value})
    assert response.status_code == 400
    assert "Số dòng" in response.content.decode()
    assert_no_trace(response)


def test_closure_form_with_200000_rows_is_refused_at_once(login, open_visit):
    started = time.monotonic()
    response = login("bacsi").post(
        f"/healthbook/visits/{open_visit.pk}/close/", {"rx_rows": "200000", "res_rows": "200000"}
    )
    assert time.monotonic() - started < 2
    assert response.status_code == 400
    assert f"tối đa {limits.CLOSURE_MAX_ROWS}" in response.content.decode()


def test_closure_form_with_a_non_integer_version_is_a_4xx(login, open_visit):
    client = login("bacsi")
    form = {
        "main_icd10": "J06.9",
        "weight_kg": "58",
        "outcome": "2",
        "discharge_type": "1",
        "rx_rows": "0",
        "res_rows": "0",
    }
    url = f"/healthbook/visits/{open_visit.pk}/close/"
    assert client.post(url, form).status_code == 302
    response = client.post(url, {**form, "version": "abc"})
    assert response.status_code in (400, 409, 422)
    assert "Phiên bản" in response.content.decode()
    assert_no_trace(response)


def test_closure_api_with_a_non_integer_version_is_422(api_client, open_visit):
    body = {
        "main_icd10": "J06.9",
        "weight_kg": "58",
        "outcome": "2",
        "discharge_type": "1",
        "version": "abc",
    }
    response = post_json(api_client, f"/api/v1/visits/{open_visit.pk}/closure", body)
    assert_api_error(response, 422, "invalid_request")


def test_closure_api_with_too_many_rows_is_422(api_client, open_visit):
    body = {
        "main_icd10": "J06.9",
        "weight_kg": "58",
        "outcome": "2",
        "discharge_type": "1",
        "prescriptions": [{}] * (limits.CLOSURE_MAX_ROWS + 1),
    }
    response = post_json(api_client, f"/api/v1/visits/{open_visit.pk}/closure", body)
    assert_api_error(response, 422, "invalid_request")


def test_closure_service_refuses_too_many_rows(org, open_visit):
    from kcb06.errors import DomainError
    from kcb06.healthbook import closing

    data = {
        "main_icd10": "J06.9",
        "weight_kg": "58",
        "outcome": "2",
        "discharge_type": "1",
        "results": [{"indicator_name": "x"}] * (limits.CLOSURE_MAX_ROWS + 1),
    }
    with pytest.raises(DomainError) as caught:
        closing.clean_closure(open_visit, data)
    assert caught.value.code == "too_many_rows" and "kết quả" in caught.value.message_vi


# --- NUL characters (PostgreSQL text cannot hold them: a DataError, a 500) -----------------


def test_a_nul_character_in_a_page_form_is_removed_and_the_form_saved(login, open_visit):
    from kcb06.healthbook.models import VisitClosure

    form = {
        "main_icd10": "J06.9",
        "weight_kg": "58",
        "outcome": "2",
        "discharge_type": "1",
        "note": "Uống\x00 nhiều nước",
        "rx_rows": "0",
        "res_rows": "0",
    }
    response = login("bacsi").post(f"/healthbook/visits/{open_visit.pk}/close/", form)
    assert response.status_code == 302
    assert VisitClosure.objects.get(visit=open_visit).note == "Uống nhiều nước"


@pytest.mark.parametrize("path", ["/api/v1/icd10?q=J0%00", "/healthbook/icd10/?q=J0%00"])
def test_a_nul_character_in_a_query_string_is_removed(login, path):
    response = login("bacsi").get(path)
    assert response.status_code == 200
    assert "J00" in response.content.decode()


@pytest.mark.parametrize("value", ["\u0000", "   ", "\u0000 "])
def test_a_lookup_of_nothing_is_refused_as_the_schema_says(api_client, value):
    """schemathesis found "\\u0000" schema-valid (one character) yet refused once NUL was
    removed: the schema now states that at least one visible character is needed."""
    response = api_client.post(
        "/api/v1/patients/lookup",
        json.dumps({"identifier": value}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
