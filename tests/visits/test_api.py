"""POST /api/v1/check-ins and friends, as a HIS calls them with a Bearer key."""

import json

import pytest

from kcb06.visits.models import Visit
from tests.visits.helpers import INVALID, VALID

pytestmark = pytest.mark.django_db


def post(client, body):
    return client.post("/api/v1/check-ins", json.dumps(body), content_type="application/json")


def test_check_in_201_then_200_with_same_visit_and_ticket(api_client, portal):
    r1 = post(api_client, {"scan": VALID, "department": "K01"})
    assert r1.status_code == 201, r1.content
    body = r1.json()
    assert body["patient"]["id"] and body["patient"]["full_name"] == "Nguyễn Văn Hợp Lệ Demo"
    assert body["visit"]["ma_lk"].startswith("27901")
    assert body["eligibility"]["outcome"] == "valid" and body["eligibility"]["reason_vi"]
    assert body["ticket"]["number"] == 1 and body["ticket"]["department"] == "K01"
    assert "027085000001" not in json.dumps(body["ticket"])
    r2 = post(api_client, {"scan": VALID, "department": "K01"})
    assert r2.status_code == 200
    assert r2.json()["visit"]["ma_lk"] == body["visit"]["ma_lk"]
    assert r2.json()["ticket"]["number"] == 1
    # visit and ticket by opaque id
    v = api_client.get(f"/api/v1/visits/{body['visit']['id']}")
    assert v.status_code == 200 and v.json()["ticket"]["number"] == 1
    t = api_client.get(f"/api/v1/tickets/{body['ticket']['token']}")
    assert t.status_code == 200 and t.json()["ma_lk"] == body["visit"]["ma_lk"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"scan": "8934673123457", "department": "K01"}, 400, None),
        ({"scan": "PARK|B1-0234|29A12345|2026-11-23T07:14", "department": "K01"}, 400, None),
        ({"scan": VALID, "department": "K99"}, 404, "department_unknown"),
        ({"scan": "027070000010", "department": "K01"}, 409, "needs_details"),
        ({"department": "K01"}, 422, "invalid_request"),
    ],
)
def test_check_in_errors_are_4xx_with_vi_and_en(api_client, portal, body, status, code):
    r = post(api_client, body)
    assert r.status_code == status, r.content
    err = r.json()["error"]
    assert err["message_vi"] and err["message_en"]
    if code:
        assert err["code"] == code
    assert not Visit.objects.exists()


def test_typed_number_with_details_and_invalid_verdict(api_client, portal):
    r = post(
        api_client,
        {
            "scan": "027070000010",
            "department": "K01",
            "full_name": "Bùi Văn Hết Hạn Demo",
            "date_of_birth": "1970-09-09",
            "sex": "male",
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["eligibility"]["outcome"] == "invalid"
    assert r.json()["visit"]["uses_bhyt"] is False
    # second scan of the chip card of the same person: same patient, same visit
    r2 = post(api_client, {"scan": INVALID, "department": "K01"})
    assert r2.status_code == 200 and r2.json()["patient"]["id"] == r.json()["patient"]["id"]


def test_departments_today(api_client, org):
    from kcb06.visits.models import DepartmentClosure
    from tests.visits.helpers import today

    dep = org["facilities"]["27901"].departments.get(code="K33")
    DepartmentClosure.objects.create(department=dep, day=today())
    r = api_client.get("/api/v1/departments")
    assert r.status_code == 200
    rows = {d["code"]: d for d in r.json()}
    assert set(rows) == {"K01", "K02", "K19", "K28", "K33"}
    assert rows["K33"]["open_today"] is False and rows["K01"]["open_today"] is True


def test_patient_lookup_by_post_body_and_search(api_client, portal):
    post(api_client, {"scan": VALID, "department": "K01"})
    r = api_client.post(
        "/api/v1/patients/lookup",
        json.dumps({"identifier": "027085000001"}),
        content_type="application/json",
    )
    assert r.status_code == 200 and len(r.json()) == 1
    pid = r.json()[0]["id"]
    r = api_client.post(
        "/api/v1/patients/search",
        json.dumps({"name": "van nguyen hop le demo", "birth_year": 1985}),
        content_type="application/json",
    )
    assert [p["id"] for p in r.json()] == [pid]
    r = api_client.get(f"/api/v1/patients/{pid}")
    assert r.status_code == 200 and r.json()["identifiers"]


def test_unauthenticated(client):
    r = post(client, {"scan": VALID, "department": "K01"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"


def test_database_lost_before_the_write_answers_503_not_500(api_client, org, monkeypatch):
    """The database goes away while the check-in reads (before its transaction): the HIS gets
    503 database_unavailable in both languages, not an internal error, and nothing is written."""
    from django.db import OperationalError

    from kcb06.visits import services

    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "department_for", lost)
    r = api_client.post(
        "/api/v1/check-ins",
        {"scan": VALID, "department": "K01"},
        content_type="application/json",
    )
    assert r.status_code == 503
    error = r.json()["error"]
    assert error["code"] == "database_unavailable"
    assert "cơ sở dữ liệu" in error["message_vi"] and "Database" in error["message_en"]
    assert not Visit.objects.exists()


def test_api_key_calls_skip_the_page_middleware_but_not_its_checks(api_client, client, org):
    """kcb06.plumbing.apikeypath: a Bearer call goes straight to the API. It keeps the security headers,
    sets no cookie, and the key is still checked on every call; a wrong key is 401 in both
    languages. A call from a logged-in page (session cookie) takes the whole chain."""
    r = api_client.get("/api/v1/departments")
    assert r.status_code == 200 and {d["code"] for d in r.json()} >= {"K01", "K19"}
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert int(r.headers["Content-Length"]) == len(r.content)
    assert "Set-Cookie" not in r.headers and not r.cookies
    bad = client.get("/api/v1/departments", HTTP_AUTHORIZATION="Bearer kcb06_demo0001_wrong")
    assert bad.status_code == 401
    assert bad.json()["error"]["message_vi"] and bad.json()["error"]["message_en"]
    client.force_login(org["users"]["tiepdon"])
    page = client.get("/api/v1/departments")
    assert page.status_code == 200 and page.headers["X-Frame-Options"] == "DENY"


def test_likely_duplicate_answers_409_with_the_candidates_to_choose_from(api_client, org, portal):
    from kcb06.patients.models import Patient, PatientFacility
    from kcb06.patients.names import name_key
    from tests.visits.helpers import today

    old = Patient.objects.create(
        full_name="Nguyen Van Hop Le Demo",
        name_key=name_key("Nguyen Van Hop Le Demo"),
        date_of_birth=today().replace(year=1985, month=8, day=15),
        birth_year=1985,
        sex="male",
    )
    PatientFacility.objects.create(patient=old, facility=org["facilities"]["27901"])
    r = post(api_client, {"scan": VALID, "department": "K01"})
    assert r.status_code == 409, r.content
    body = r.json()
    assert body["error"]["code"] == "possible_duplicates" and body["error"]["message_vi"]
    assert [c["id"] for c in body["candidates"]] == [old.pk]
    assert not Visit.objects.exists()
