"""kcb06.plumbing.shortcache: the API key and the department of a call are kept a few seconds per
process. A change made through kcb06 counts at once; one made behind its back (another server
process, raw SQL) within the cache's seconds."""

import json
import time

import pytest
from django.db import connection

from kcb06.facilities.models import ApiKey, Department
from kcb06.facilities.services import API_KEYS, revoke_api_key
from kcb06.visits.departments import DEPARTMENTS, local_day
from kcb06.visits.models import DepartmentClosure
from tests.visits.helpers import VALID, synthetic

pytestmark = pytest.mark.django_db


def _departments(api_client):
    return api_client.get("/api/v1/departments").status_code


def _check_in(api_client, department, scan=VALID):
    body = json.dumps({"scan": scan, "department": department})
    return api_client.post("/api/v1/check-ins", body, content_type="application/json")


def test_a_revoked_key_is_refused_at_once(api_client, org):
    assert _departments(api_client) == 200
    revoke_api_key(ApiKey.objects.get())
    assert _departments(api_client) == 401


def test_a_key_revoked_by_another_process_is_refused_within_seconds(api_client, org, monkeypatch):
    monkeypatch.setattr(API_KEYS, "seconds", 0.2)
    assert _departments(api_client) == 200
    with connection.cursor() as cursor:  # as another server process would: no signal here
        cursor.execute("UPDATE facilities_apikey SET revoked_at = CURRENT_TIMESTAMP")
    time.sleep(0.25)
    assert _departments(api_client) == 401


def test_a_department_closed_for_today_refuses_check_ins_at_once(api_client, org, portal):
    assert _check_in(api_client, "K28").status_code == 201  # K28 is now in the cache
    dep = Department.objects.get(facility__code="27901", code="K28")
    DepartmentClosure.objects.create(department=dep, day=local_day(), reason="Mất điện")
    r = _check_in(api_client, "K28")
    assert r.status_code == 409 and r.json()["error"]["code"] == "department_closed"


def test_a_closure_written_by_another_process_counts_within_seconds(
    api_client, org, portal, monkeypatch
):
    monkeypatch.setattr(DEPARTMENTS, "seconds", 0.2)
    assert _check_in(api_client, "K28").status_code == 201  # K28 is now in the cache
    dep = Department.objects.get(facility__code="27901", code="K28")
    with connection.cursor() as cursor:  # no save signal, as from another process
        cursor.execute(
            "INSERT INTO visits_departmentclosure (department_id, day, reason) VALUES (%s, %s, %s)",
            [dep.pk, local_day(), "Mất điện"],
        )
    time.sleep(0.25)
    r = _check_in(api_client, "K28")
    assert r.status_code == 409 and r.json()["error"]["code"] == "department_closed"


def test_the_next_call_reads_neither_key_nor_department_again(api_client, org, portal):
    from django.test.utils import CaptureQueriesContext

    assert _check_in(api_client, "K28").status_code == 201
    with CaptureQueriesContext(connection) as queries:
        assert _check_in(api_client, "K28", synthetic(1)).status_code == 201
    read = " ".join(q["sql"] for q in queries.captured_queries)
    assert "facilities_apikey" not in read and "FROM facilities_department" not in read
