"""A name that reaches a patient record or an eligibility check is text: no bidi override (a
U+202E name printed reversed on the screen and the ticket), no control characters, no markup."""

import json

import pytest

from kcb06.patients.models import Patient
from kcb06.visits.models import Visit
from tests.platform.test_bad_input import assert_api_error
from tests.visits.helpers import cccd

pytestmark = pytest.mark.django_db
RLO = "\u202e"


def check_in(client, body):
    return client.post("/api/v1/check-ins", json.dumps(body), content_type="application/json")


def test_a_scanned_name_with_a_bidi_override_is_stored_without_it(api_client, portal):
    scan = cccd("027085000001", f"Nguyễn Văn {RLO}Hợp Lệ Demo", "15081985")
    response = check_in(api_client, {"scan": scan, "department": "K01"})
    assert response.status_code == 201, response.content
    assert response.json()["patient"]["full_name"] == "Nguyễn Văn Hợp Lệ Demo"
    assert Patient.objects.get().full_name == "Nguyễn Văn Hợp Lệ Demo"


def test_a_typed_name_loses_bidi_and_control_characters(api_client, portal):
    body = {
        "scan": "027070000010",
        "department": "K01",
        "full_name": f"{RLO}Bùi Văn\u200b Hết\x07 Hạn Demo",
        "date_of_birth": "1970-09-09",
        "sex": "male",
    }
    response = check_in(api_client, body)
    assert response.status_code == 201, response.content
    assert Patient.objects.get().full_name == "Bùi Văn Hết Hạn Demo"


def test_a_typed_name_with_markup_is_refused_and_nothing_is_stored(api_client, portal):
    body = {
        "scan": "027070000010",
        "department": "K01",
        "full_name": "Bùi <img src=x onerror=alert(1)> Demo",
        "date_of_birth": "1970-09-09",
        "sex": "male",
    }
    error = assert_api_error(check_in(api_client, body), 400, "name_markup")
    assert "Họ tên" in error["message_vi"]
    assert not Patient.objects.exists() and not Visit.objects.exists()


def test_a_scanned_name_with_markup_is_refused(api_client, portal):
    scan = cccd("027085000001", "Nguyễn <b>Văn</b> Demo", "15081985")
    assert_api_error(check_in(api_client, {"scan": scan, "department": "K01"}), 400, "name_markup")
    assert not Patient.objects.exists()


def test_the_eligibility_check_refuses_markup_in_the_name(api_client, portal):
    body = {"id_number": "027085000001", "full_name": "<i>A</i>", "date_of_birth": "15/08/1985"}
    response = api_client.post(
        "/api/v1/eligibility/checks", json.dumps(body), content_type="application/json"
    )
    assert_api_error(response, 400, "name_markup")


def test_the_desk_form_refuses_markup_in_a_typed_name(login, portal):
    client = login("tiepdon")
    response = client.post(
        "/reception/scan/",
        {
            "scan": "027070000010",
            "full_name": "Bùi <script>x</script>",
            "date_of_birth": "09/09/1970",
            "sex": "male",
        },
    )
    body = response.content.decode()
    assert "Họ tên không được chứa" in body
    assert "<script>x" not in body
