"""The targets dashboard and its JSON: who sees which facilities, what the shares say."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kcb06.reports import rollups
from tests.reports import factories as f


@pytest.fixture
def figures(org):
    """This week at 27901: 3 chip-card/VNeID visits of 4, 2 accepted by the portal; at 27903 one
    typed-number visit; 27902 and 27904 none."""
    today = timezone.localdate()
    f.visit(method="cccd_qr", ended_hours_ago=30, accepted_after_hours=1)
    f.visit(method="vneid_qr", ended_hours_ago=30, accepted_after_hours=30)
    f.visit(method="cccd_qr")
    f.visit(method="id_number")
    f.visit("27903", method="id_number")
    f.visit("27903", method="cccd_qr", day=today - timedelta(days=40))  # outside this month
    rollups.rebuild(today - timedelta(days=40), today)


def _row(rows, code):
    return next(r for r in rows if r["code"] == code)


def test_health_department_sees_every_facility_under_it_against_the_targets(login, figures):
    body = login("soyte").get("/api/v1/reports/targets?period=week").json()
    assert [r["code"] for r in body["facilities"]] == ["27901", "27902", "27903", "27904"]
    a = _row(body["facilities"], "27901")
    assert (a["visits"], a["by_chip"], a["chip_share"]) == (4, 3, 75.0)
    assert (a["accepted"], a["health_book_share"], a["late"]) == (2, 50.0, 1)
    assert _row(body["facilities"], "27902")["chip_share"] is None
    assert body["total"]["visits"] == 5
    assert body["total"]["facilities_by_chip"] == 1
    targets = {t["key"]: t for t in body["targets"]}
    assert targets["chip_facilities"]["value_percent"] == 25.0
    assert targets["chip_facilities"]["target_percent"] == 100
    assert targets["health_book"]["value_percent"] == 40.0
    assert targets["health_book"]["target_percent"] == 80
    assert targets["cashless"]["value_percent"] is None
    assert targets["cashless"]["target_percent"] == 50


def test_facility_admin_sees_own_facility_only(login, figures):
    body = login("quantri").get("/api/v1/reports/targets").json()
    assert [r["code"] for r in body["facilities"]] == ["27901"]
    response = login("quantri").get("/api/v1/reports/facilities/27903")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "facility_not_found"


@pytest.mark.parametrize("username", ["tiepdon", "bacsi", "thungan", "kiemtra"])
def test_other_roles_are_refused(login, figures, username):
    client = login(username)
    assert client.get("/reports/").status_code == 403
    response = client.get("/api/v1/reports/targets")
    assert response.status_code == 403
    assert response.json()["error"]["message_vi"]


def test_bad_period_is_a_clear_error_not_a_500(login, figures):
    response = login("soyte").get("/api/v1/reports/targets?period=year")
    assert response.status_code == 422  # the schema lists the periods (today, week, month)
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and "period" in error["message_vi"]
    page = login("soyte").get("/reports/?period=year")  # the page falls back to the week
    assert page.status_code == 200


def test_month_and_today_periods(login, figures):
    month = login("soyte").get("/api/v1/reports/targets?period=month").json()
    assert _row(month["facilities"], "27903")["visits"] == 1  # the 40-day-old visit is out
    today = login("soyte").get("/api/v1/reports/targets?period=today").json()
    assert today["period"]["start"] == today["period"]["end"] == timezone.localdate().isoformat()


def test_dashboard_page_shows_targets_bars_and_drill_down(login, figures):
    html = login("soyte").get("/reports/?period=week").content.decode()
    assert "Chỉ tiêu Đề án 06" in html
    assert "chưa có dữ liệu" in html  # cashless
    assert "chỉ tiêu 80 %" in html and "chỉ tiêu 100 %" in html
    assert html.count('data-testid="bar"') == 8  # 4 facilities × 2 charts
    assert 'data-testid="target-line"' in html
    assert "/reports/facility/27901/" in html
    assert f.SECRET_NAME not in html
    assert "<script>" not in html and "onclick" not in html


def test_drill_down_to_a_facility_shows_days_not_patients(login, figures):
    response = login("soyte").get("/reports/facility/27901/?period=week")
    html = response.content.decode()
    assert response.status_code == 200
    assert "27901" in html and f.SECRET_NAME not in html
    today = timezone.localdate()
    assert today.strftime("%d/%m/%Y") in html
    days = login("soyte").get("/api/v1/reports/facilities/27901?period=week").json()
    assert days["total"]["visits"] == 4
    assert len(days["days"]) == today.weekday() + 1


def test_drill_down_outside_scope_is_not_found(login, figures):
    response = login("quantri").get("/reports/facility/27903/")
    assert response.status_code == 404
    assert "Không tìm thấy cơ sở" in response.content.decode()


def test_chart_coordinates_are_plain_numbers_whatever_the_language(login, figures):
    """Vietnamese formats 75.0 as "75,0": an SVG attribute written so is no number, and the bars
    vanished (the first version of this page)."""
    import re

    html = login("soyte").get("/reports/").content.decode()
    for attr in re.findall(r'\b(?:x|y|width|height|x1|x2|y1|y2)="([^"]*)"', html):
        assert re.fullmatch(r"-?\d+(\.\d+)?", attr), attr
    assert 'width="300.0"' in html  # 27901: 75 % of the 400-unit plot
