"""Province federation: a facility's own kcb06 sends its daily counts to the province's kcb06
over an authenticated, idempotent POST; the same day twice updates, never doubles."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kcb06.facilities.services import ensure_api_key
from kcb06.reports import federation, rollups
from kcb06.reports.models import FacilityDay
from tests.reports import factories as f

PUSH_KEY = "kcb06_push0001_FacilityPushKeyForTests000000000"  # noqa: S105 - test data


@pytest.fixture
def push_client(org):
    ensure_api_key(org["facilities"]["27901"], "kcb06 của cơ sở", org["users"]["quantri"], PUSH_KEY)
    return Client(HTTP_AUTHORIZATION=f"Bearer {PUSH_KEY}")


def _row(day, visits, **more):
    return {
        "facility": "27901",
        "day": day.isoformat(),
        "visits": visits,
        "by_cccd_qr": visits,
        **more,
    }


def test_the_same_day_sent_twice_updates_and_never_doubles(login, push_client):
    day = timezone.localdate() - timedelta(days=1)
    first = push_client.post(
        "/api/v1/reports/facility-days",
        {"rows": [_row(day, 40, accepted=30)]},
        content_type="application/json",
    )
    assert first.status_code == 200 and first.json() == {"written": 1}
    # The portal's calls travel too: 10 asked, 1 timed out, latencies in three buckets.
    portal = {
        "portal_checks": 10,
        "portal_unanswered": 1,
        "portal_timeouts": 1,
        "portal_latency_ms": 5200,
        "portal_ms_le_200": 6,
        "portal_ms_le_500": 3,
        "portal_ms_le_5000": 1,
    }
    again = push_client.post(
        "/api/v1/reports/facility-days",
        {"rows": [_row(day, 42, accepted=35, **portal)]},
        content_type="application/json",
    )
    assert again.status_code == 200
    row = FacilityDay.objects.get(facility__code="27901", day=day)
    assert (row.visits, row.accepted, row.received_at is not None) == (42, 35, True)
    assert (row.portal_checks, row.portal_timeouts, row.portal_ms_le_500) == (10, 1, 3)
    # The province's own rebuild leaves the received row alone.
    rollups.rebuild(day, day)
    assert FacilityDay.objects.get(facility__code="27901", day=day).visits == 42
    body = login("soyte").get("/api/v1/reports/targets?period=month").json()
    if day.month == timezone.localdate().month:
        mine = next(r for r in body["facilities"] if r["code"] == "27901")
        assert mine["visits"] == 42 and mine["portal_availability"] == 90.0
        assert (mine["portal_p50_ms"], mine["portal_p95_ms"]) == (200, 5000)


def test_a_key_sends_only_its_own_facility(push_client, api_client):
    day = timezone.localdate()
    other = push_client.post(
        "/api/v1/reports/facility-days",
        {"rows": [_row(day, 1), {**_row(day, 5), "facility": "27903"}]},
        content_type="application/json",
    )
    assert other.status_code == 403
    assert other.json()["error"]["code"] == "facility_not_yours"
    assert "27903" in other.json()["error"]["message_vi"]
    assert not FacilityDay.objects.exists()  # refused whole
    # The demo key acts as a desk clerk: not allowed to send figures at all.
    clerk = api_client.post(
        "/api/v1/reports/facility-days", {"rows": [_row(day, 1)]}, content_type="application/json"
    )
    assert clerk.status_code == 403 and not FacilityDay.objects.exists()
    bad = push_client.post(
        "/api/v1/reports/facility-days", {"rows": [_row(day, -1)]}, content_type="application/json"
    )
    assert bad.status_code == 422


@pytest.mark.django_db(transaction=True)
def test_push_sends_this_installations_days_over_http(live_server, org):
    ensure_api_key(org["facilities"]["27901"], "kcb06 của cơ sở", org["users"]["quantri"], PUSH_KEY)
    f.visit(method="cccd_qr")
    rollups.refresh_recent()
    assert FacilityDay.objects.get().received_at is None
    today = timezone.localdate()
    assert federation.push(live_server.url, PUSH_KEY, today - timedelta(days=7), today) == 1
    assert federation.push(live_server.url, PUSH_KEY, today - timedelta(days=7), today) == 0
    row = FacilityDay.objects.get()  # one row: written in place by (facility, day)
    assert row.visits == 1 and row.received_at is not None
