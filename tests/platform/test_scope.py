"""A user of facility A never sees a patient, visit or record that exists only at facility B.

HOW TO REGISTER YOUR ENDPOINTS (every area, in its own file — nothing to edit here):

    # tests/<area>/scope_cases.py
    from tests.platform.scope import Case, Exempt

    CASES = [
        # detail endpoint: the outsider gets 403/404 and never the patient's data
        Case("GET /api/v1/visits/{visit_id}", lambda w: f"/api/v1/visits/{w.visit.pk}",
             role="clinician"),
        # search/list: 200 is fine, but the body must not show the patient
        Case("GET /api/v1/patients", lambda w: "/api/v1/patients?q=Bí Mật",
             expect=frozenset({200})),
        # a page (URL name with namespace), POST with form data, owner answer carries no name
        Case("visits:close", lambda w: f"/visits/{w.visit.pk}/close/", method="POST",
             data=lambda w: {"icd10": "J00"}, role="clinician", via=("session",),
             control="ok"),
    ]
    EXEMPT = [Exempt("GET /api/v1/icd10", "ICD-10 catalogue, no patient data")]

    def extend_world(w):            # optional: your rows for w.patient / w.visit
        w.extra["bill"] = Bill.objects.create(visit=w.visit, ...)
        w.secrets.append("something only that bill shows")

Endpoint keys: "METHOD /api/v1/<path as declared on the router>" for the API (e.g.
"POST /api/v1/check-ins", "GET /api/v1/visits/{visit_id}") and the URL name with namespace for
pages ("patients:detail"); the test below prints every unregistered key, so copy it from there.

What is checked for each Case (with `world`: patient "Lưu Thị Bí Mật", her ID number, card and
visit exist only at facility 27903):
- a user of the same role at facility 27901, by session and (for /api/) by API key, gets a status
  in `expect` and no secret of the world in the body; never a 500;
- the health-department viewer (soyte, above both facilities) gets 403/404 or a body without any
  secret: a health department never sees a patient record;
- the owner (same role, at 27903) gets < 400 and (control="sees") at least one secret — so the
  case really reaches the data and cannot pass by requesting a wrong URL.
Besides, every GET endpoint without parameters is swept as every role of 27901 and soyte.
"""

import json

import pytest
from django.test import Client

from tests.platform.scope import (
    OTHER,
    OWN,
    all_cases,
    all_exempt,
    api_endpoints,
    build_world,
    has_parameter,
    page_endpoints,
)

CASES = all_cases()
ROLES = ["reception", "clinician", "cashier", "facility_admin", "auditor"]


@pytest.fixture
def world(org):
    return build_world(org)


def _request(client: Client, method: str, path: str, data: dict | None, api: bool):
    if api:
        body = json.dumps(data) if data is not None else ""
        if method == "GET":
            return client.get(path, data or {})
        return client.generic(method, path, body, content_type="application/json")
    if method == "GET":
        return client.get(path, data or {})
    return client.generic(
        method,
        path,
        _encode_form(data or {}),
        content_type="application/x-www-form-urlencoded",
    )


def _encode_form(data: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(data, doseq=True)


def _client_for(world, user, via: str) -> Client:
    if via == "api_key":
        return Client(HTTP_AUTHORIZATION=f"Bearer {world.api_key(user)}")
    client = Client()
    client.force_login(user)
    return client


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return ""
    return response.content.decode("utf-8", "replace")


def test_every_endpoint_has_a_scope_case_or_exemption():
    registered = {c.endpoint for c in CASES} | {e.endpoint for e in all_exempt()}
    endpoints = api_endpoints() | set(page_endpoints())
    missing = sorted(endpoints - registered)
    stale = sorted(registered - endpoints)
    assert not missing, (
        "Endpoints without a facility-scope case — add Case(...) or Exempt(...) in "
        "tests/<area>/scope_cases.py (format at the top of tests/platform/test_scope.py):\n  "
        + "\n  ".join(missing)
    )
    assert not stale, "Scope cases for endpoints that do not exist:\n  " + "\n  ".join(stale)


def test_parameterised_endpoints_are_not_silently_exempt():
    """An endpoint with a path parameter usually names a record: exempting it needs a reason."""
    for exempt in all_exempt():
        assert exempt.reason.strip(), f"{exempt.endpoint} is exempt without a reason"


def _case_params():
    params = []
    for case in CASES:
        is_api = case.endpoint.split(" ", 1)[-1].startswith("/api/")
        for via in case.via:
            if via == "api_key" and not is_api:
                continue
            params.append(pytest.param(case, via, id=f"{case.id} via {via}"))
    return params


@pytest.mark.parametrize(("case", "via"), _case_params())
def test_outsider_never_sees_the_other_facilitys_patient(world, case, via):
    is_api = case.path(world).startswith("/api/")
    data = case.data(world) if case.data else None

    outsider = world.user(OWN, case.role)
    response = _request(
        _client_for(world, outsider, via), case.method, case.path(world), data, is_api
    )
    body = _body(response)
    assert response.status_code != 500, body[:500]
    assert response.status_code in case.expect, (response.status_code, body[:500])
    assert not world.leaked(body), f"{case.id}: {world.leaked(body)} leaked to facility {OWN}"
    if is_api and response.status_code >= 400:
        assert "error" in response.json(), body[:300]

    health_dept = world.user(None, "health_dept")
    response = _request(
        _client_for(world, health_dept, via), case.method, case.path(world), data, is_api
    )
    body = _body(response)
    assert response.status_code != 500, body[:500]
    assert not world.leaked(body), f"{case.id}: {world.leaked(body)} leaked to health_dept"

    if case.control:
        owner = world.user(OTHER, case.role)
        response = _request(
            _client_for(world, owner, via), case.method, case.path(world), data, is_api
        )
        body = _body(response)
        assert response.status_code < 400, (
            f"control: the owner at {OTHER} got {response.status_code}, so this case does not "
            f"reach the data: {body[:300]}"
        )
        if case.control == "sees":
            assert world.leaked(body), f"control: the owner at {OTHER} did not see the patient"


def _parameterless_gets() -> list[str]:
    paths = []
    for key in sorted(api_endpoints()):
        method, path = key.split(" ", 1)
        if method == "GET" and not has_parameter(path):
            paths.append(path)
    for _key, route in sorted(page_endpoints().items()):
        if not has_parameter(route):
            paths.append("/" + route)
    return paths


@pytest.mark.parametrize("username", [*ROLES, "health_dept"])
def test_no_page_or_list_without_parameters_shows_the_other_patient(world, username):
    if username == "health_dept":
        user = world.user(None, "health_dept")
    else:
        user = world.user(OWN, username)
    client = _client_for(world, user, "session")
    for path in _parameterless_gets():
        if path in ("/logout/",):
            continue
        response = client.get(path, follow=False)
        body = _body(response)
        assert response.status_code != 500, (path, body[:500])
        assert not world.leaked(body), f"{path} shows {world.leaked(body)} to {username}"


def test_world_is_reachable_by_its_owner(world):
    """Sanity of the fixture itself: the patient exists only at 27903."""
    assert list(world.patient.facility_links.values_list("facility__code", flat=True)) == [OTHER]
    assert world.visit.facility.code == OTHER
