"""Readiness per facility (each item with its date), the admin's confirmations and the reminder
letter to the lagging facilities."""

import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from kcb06.facilities.models import Device, Facility
from kcb06.reports import readiness, rollups
from kcb06.reports.models import ReadinessConfirmation
from tests.reports import factories as f


def _row(rows, code):
    return next(r for r in rows if r["code"] == code)


def _item(row, key):
    return next(i for i in row["items"] if i["key"] == key)


def test_readiness_reads_scans_kiosks_portal_and_confirmations(login, org):
    today = timezone.localdate()
    f.visit(day=today - timedelta(days=2), method="cccd_qr")
    f.visit("27903", day=today - timedelta(days=20), method="vneid_qr")
    rollups.rebuild(today - timedelta(days=30), today)
    fac = Facility.objects.get(code="27901")
    Device.objects.filter(facility__code="27903", kind="kiosk").delete()
    ReadinessConfirmation.objects.create(
        facility=fac,
        item="plan_submitted",
        confirmed_on=today - timedelta(days=5),
        confirmed_by="quantri",
    )
    rows = readiness.table(list(Facility.objects.filter(code__startswith="279").order_by("code")))
    a, c = _row(rows, "27901"), _row(rows, "27903")
    assert _item(a, "qr_reader")["ok"] and _item(a, "qr_reader")["date"] == today - timedelta(
        days=2
    )
    assert not _item(c, "qr_reader")["ok"]  # last scan 20 days ago
    assert _item(c, "qr_reader")["date"] == today - timedelta(days=20)
    assert not _item(c, "kiosks")["ok"] and _item(c, "kiosks")["detail"] == "0/1 theo kế hoạch"
    plan = _item(a, "plan_submitted")
    assert plan["ok"] and plan["date"] == today - timedelta(days=5)
    assert not _item(c, "plan_submitted")["ok"]
    assert {i["key"] for i in c["lacking"]} >= {"qr_reader", "kiosks", "plan_submitted"}


def test_the_admin_confirms_an_item_with_a_date(login, org):
    client = login("quantri")
    day = timezone.localdate() - timedelta(days=1)
    response = client.post("/reports/readiness/", {"item": "staff_trained", "on": day.isoformat()})
    assert response.status_code == 302
    c = ReadinessConfirmation.objects.get()
    assert (c.facility.code, c.item, c.confirmed_on, c.confirmed_by) == (
        "27901",
        "staff_trained",
        day,
        "quantri",
    )
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    bad = client.post("/reports/readiness/", {"item": "staff_trained", "on": future})
    assert bad.status_code == 400 and "không được sau hôm nay" in bad.content.decode()
    # The department sees it but cannot confirm for a facility.
    refused = login("soyte").post("/reports/readiness/", {"item": "plan_submitted", "on": day})
    assert refused.status_code == 400 and ReadinessConfirmation.objects.count() == 1


def test_the_department_prints_the_reminder_letter_to_lagging_facilities(login, org):
    page = login("soyte").get("/reports/readiness/").content.decode()
    assert 'data-testid="letter"' in page and "27904" in page
    response = login("soyte").get("/reports/readiness/letter/")
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(
        subprocess.run(
            ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
        )
        .stdout.decode()
        .split()
    )
    for words in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "/SYT-NVY",
        "V/v đôn đốc",
        "Kính gửi:",
        "Trạm y tế phường Phù Khê",
        "Nơi nhận",
        "Đã gửi kế hoạch",
    ):
        assert words in text, words


@pytest.mark.parametrize("username", ["quantri"])
def test_only_the_department_makes_the_letter(login, org, username):
    assert login(username).get("/reports/readiness/letter/").status_code == 404
