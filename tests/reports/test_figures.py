"""Figures added to the dashboard: cashless share by number and value, the on-time share and the
weekly trend lines (server-side SVG)."""

from datetime import timedelta

from django.utils import timezone

from kcb06.facilities.models import Facility
from kcb06.payments.models import Payment
from kcb06.reports import rollups
from tests.reports import factories as f


def _pay(code, method, amount):
    return Payment.objects.create(
        facility=Facility.objects.get(code=code), method=method, amount=amount
    )


def test_cashless_share_by_number_and_by_value(login, org):
    _pay("27901", "vietqr", 300_000)
    _pay("27901", "cash", 50_000)
    _pay("27901", "cash", 50_000)
    _pay("27903", "vietqr", 100_000)
    rollups.refresh_recent()
    body = login("soyte").get("/api/v1/reports/targets?period=today").json()
    a = next(r for r in body["facilities"] if r["code"] == "27901")
    assert (a["payments"], a["payments_cashless"]) == (3, 1)
    assert a["cashless_share"] == 33.3 and a["cashless_value_share"] == 75.0
    assert body["total"]["cashless_share"] == 50.0  # 2 of 4 payments
    assert body["total"]["cashless_value_share"] == 80.0  # 400 000 of 500 000 đồng
    cashless = next(t for t in body["targets"] if t["key"] == "cashless")
    assert cashless["value_percent"] == 50.0
    page = login("soyte").get("/reports/?period=today").content.decode()
    assert "2/4 lần thanh toán" in page and "80,0 %" in page


def test_on_time_share_and_late_count_on_the_dashboard(login, org):
    f.visit(ended_hours_ago=30, accepted_after_hours=1)
    f.visit(ended_hours_ago=30, accepted_after_hours=30)
    f.visit(ended_hours_ago=30)
    rollups.refresh_recent()
    page = login("soyte").get("/reports/?period=today").content.decode()
    assert "Tiếp nhận trong 24 giờ sau khi kết thúc" in page
    assert "33,3 %" in page and "(1/3)" in page and "/interchange/overdue/" in page


def test_weekly_trend_lines_show_twelve_weeks_against_the_targets(login, org):
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    f.visit(day=monday - timedelta(weeks=2), method="cccd_qr")
    f.visit(day=monday - timedelta(weeks=2), method="id_number")
    f.visit(day=today, method="cccd_qr", ended_hours_ago=30, accepted_after_hours=1)
    rollups.rebuild(monday - timedelta(weeks=12), today)
    body = login("soyte").get("/api/v1/reports/targets").json()
    trend = body["trend"]
    assert len(trend) == 12 and trend[-1]["week"] == monday.isoformat()
    assert trend[-3]["chip_share"] == 50.0 and trend[-1]["chip_share"] == 100.0
    assert trend[-2]["chip_share"] is None  # no visit that week: a gap, not a zero
    page = login("soyte").get("/reports/").content.decode()
    assert 'data-testid="chart-trend"' in page
    chip_series = page.split('data-testid="trend-chip_share"')[1].split("</g>")[0]
    # Two runs: the week with 50 % stands alone, the gap breaks the line before this week.
    assert chip_series.count("<polyline") == 2 and chip_series.count("<circle") == 2
    assert 'data-testid="trend-target"' in page.split('data-testid="trend-health_book_share"')[1]


def test_portal_availability_latency_and_the_mismatch_list_are_counted(login, org):
    from kcb06.eligibility import portalstats
    from kcb06.eligibility.models import ReconciliationEntry

    fac = Facility.objects.get(code="27901")
    now, today = timezone.now(), timezone.localdate()
    # 20 card checks: 17 answered between 80 and 280 ms, one "server failure" answer, one
    # timeout at the 3 s deadline and one refused at once by the open breaker (no latency).
    for n in range(17):
        portalstats.record(fac.pk, 0.08 + n * 0.0125)
    portalstats.record(fac.pk, 0.4, "server")
    portalstats.record(fac.pk, 3.01, "timeout")
    portalstats.record(fac.pk, 0.0, "breaker_open")
    portalstats.record(fac.pk, 0.0, "not_configured")  # not asked: not counted
    for n, sent in enumerate((True, False)):
        ReconciliationEntry.objects.create(
            facility=fac,
            day=today,
            person_key=f"02709501234{n}",
            name_id_card="X",
            dob_id_card="01/01/1980",
            kinds="dob",
            sent_at=now if sent else None,
        )
    rollups.refresh_recent()
    body = login("soyte").get("/api/v1/reports/targets?period=today").json()
    t = body["total"]
    assert (t["portal_checks"], t["portal_unanswered"], t["portal_timeouts"]) == (20, 3, 1)
    assert t["portal_availability"] == 85.0 and t["portal_timed"] == 19
    # 19 timed calls: the 10th is ≤ 200 ms, the 19th (p95) the timeout, above 3000 ms.
    assert (t["portal_p50_ms"], t["portal_p95_ms"]) == (200, 5000)
    assert (t["mismatch_listed"], t["mismatch_sent"]) == (2, 1)
    page = " ".join(login("soyte").get("/reports/?period=today").content.decode().split())
    assert "85,0 %" in page and "20 lượt hỏi, 3 không trả lời" in page
    assert "≤ 200 ms" in page and "≤ 5000 ms" in page
    row = page.split('data-code="27901"')[1].split("</tr>")[0]
    assert '<td class="num">85,0 %</td><td class="num">5000</td>' in row


def test_claim_errors_are_counted_by_rule(login, org):
    from kcb06.interchange.models import OutboxItem

    v = f.visit()
    for n, codes in enumerate((["XML1.MA_THE", "XML2.SO_LUONG"], ["XML1.MA_THE"])):
        OutboxItem.objects.create(
            facility=v.facility,
            visit=v,
            ma_lk=f"{v.ma_lk}{n}",
            kind="claim",
            state="invalid",
            content_hash=f"{n:064d}",
            errors=[{"table": c.split(".")[0], "code": c, "message_vi": "…"} for c in codes],
        )
    body = login("soyte").get("/api/v1/reports/targets?period=today").json()
    assert body["claim_errors"][0] == {"table": "XML1", "rule": "XML1.MA_THE", "files": 2}
    assert {"table": "XML2", "rule": "XML2.SO_LUONG", "files": 1} in body["claim_errors"]
    page = login("soyte").get("/reports/?period=today").content.decode()
    assert 'data-rule="XML1.MA_THE"' in page and v.ma_lk not in page
