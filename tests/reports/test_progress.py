"""Progress reports: made by the worker when due (Thursday 10:00, the 15th, 15/6 and 15/12), kept as
PDF and XLSX, downloadable by the unit that owns them, also on demand for any period."""

import io
import subprocess
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kcb06.eligibility import portalstats
from kcb06.facilities.models import Facility
from kcb06.reports import jobs, periodic, rollups
from kcb06.reports.models import ProgressReport
from tests.reports import factories as f


@pytest.fixture(autouse=True)
def reports_dir(settings, tmp_path):
    settings.KCB06_REPORTS_DIR = tmp_path / "reports"
    return settings.KCB06_REPORTS_DIR


def _local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def _department():
    return Facility.objects.get(kind="so_yte")


def pdf_text(content: bytes) -> str:
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(text.split())


def xlsx_text(content: bytes) -> str:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        " | ".join("" if c is None else str(c) for c in row)
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
    )


def test_the_weekly_report_is_due_thursday_at_ten_for_the_seven_days_before():
    before = {d.kind: d for d in periodic.latest_due(_local(2026, 12, 10, 9, 59))}
    assert (before["weekly"].start, before["weekly"].end) == (date(2026, 11, 26), date(2026, 12, 2))
    at = {d.kind: d for d in periodic.latest_due(_local(2026, 12, 10, 10, 0))}
    assert (at["weekly"].start, at["weekly"].end) == (date(2026, 12, 3), date(2026, 12, 9))
    assert at["weekly"].start.weekday() == 3  # Thursday to Wednesday


def test_the_monthly_report_runs_from_the_15th_to_the_14th_and_is_due_the_15th():
    due = {d.kind: d for d in periodic.latest_due(_local(2026, 12, 15, 8, 0))}
    assert (due["monthly"].start, due["monthly"].end) == (date(2026, 11, 15), date(2026, 12, 14))
    assert (due["pilot"].start, due["pilot"].end) == (date(2026, 6, 15), date(2026, 12, 14))
    january = {d.kind: d for d in periodic.latest_due(_local(2027, 1, 14, 8, 0))}
    assert (january["monthly"].start, january["monthly"].end) == (
        date(2026, 11, 15),
        date(2026, 12, 14),
    )
    june = {d.kind: d for d in periodic.latest_due(_local(2027, 6, 15, 8, 0))}
    assert (june["pilot"].start, june["pilot"].end) == (date(2026, 12, 15), date(2027, 6, 14))


def test_the_worker_files_the_due_reports_once(org, reports_dir, monkeypatch):
    today = timezone.localdate()
    f.visit(
        day=today - timedelta(days=1), method="cccd_qr", ended_hours_ago=30, accepted_after_hours=1
    )
    rollups.rebuild(today - timedelta(days=60), today)
    jobs.generate_due_reports()
    kinds = sorted(ProgressReport.objects.values_list("kind", flat=True))
    assert kinds == ["monthly", "pilot", "weekly"]
    assert all(
        r.owner.kind == "so_yte" and r.generated_by == "" for r in ProgressReport.objects.all()
    )
    for r in ProgressReport.objects.all():
        assert periodic.file_path(r, "pdf").read_bytes().startswith(b"%PDF")
        assert periodic.file_path(r, "xlsx").read_bytes().startswith(b"PK")
    jobs.generate_due_reports()  # the next round: nothing new is due
    assert ProgressReport.objects.count() == 3


def test_report_layout_one_section_per_target_a_table_per_facility_and_the_change(login, org):
    start = date(2026, 11, 30)
    for day in (start, start + timedelta(days=2)):
        f.visit(day=day, method="cccd_qr", ended_hours_ago=30, accepted_after_hours=1)
    f.visit(day=start, method="id_number")
    f.visit("27903", day=start - timedelta(days=3), method="cccd_qr")  # the week before
    a = Facility.objects.get(code="27901").pk
    for seconds, failure in ((0.15, None), (0.45, None), (3.0, "timeout")):
        portalstats.record(a, seconds, failure, day=start + timedelta(days=1))
    rollups.rebuild(start - timedelta(days=14), start + timedelta(days=7))
    report = periodic.generate(_department(), "weekly", start, start + timedelta(days=6))
    pdf = pdf_text(periodic.file_path(report, "pdf").read_bytes())
    for words in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "/BC-SYT",
        "từ ngày 30/11/2026 đến ngày 06/12/2026",
        "1. Tiếp đón người bệnh bằng CCCD gắn chip / VNeID",
        "2. Dữ liệu lượt khám lên sổ sức khỏe điện tử",
        "3. Thanh toán không dùng tiền mặt",
        "Nơi nhận",
    ):
        assert words in pdf, words
    assert "27904" in pdf and f.SECRET_NAME not in pdf
    assert "3 lượt hỏi, 1 lượt không trả lời (trong đó 1 lượt quá thời gian chờ)" in pdf
    assert "tỷ lệ cổng trả lời: 66,7 %" in pdf and "95 % số lượt ≤ 3000 ms" in pdf
    book = load_workbook(periodic.file_path(report, "xlsx"))
    chip = book["1. CCCD gắn chip - VNeID"]
    rows = {r[0]: r for r in chip.iter_rows(min_row=5, values_only=True)}
    assert rows["27901"][2:4] == (3, 2)  # visits, by chip-card QR
    assert rows["27903"][8] is None and rows["27903"][9] == 1.0  # none now, 100 % before
    portal = {r[0]: r for r in book["4. Kiểm tra thẻ BHYT"].iter_rows(min_row=5, values_only=True)}
    # lượt hỏi, không trả lời, quá thời gian chờ, tỷ lệ trả lời, 50 % ≤, 95 % ≤ (ms)
    assert portal["27901"][6:12] == (3, 1, 1, 0.667, 500, 3000)
    summary = {r[0]: r for r in book["Tổng hợp"].iter_rows(min_row=5, values_only=True)}
    chip_row = summary["Cơ sở tiếp đón bằng CCCD gắn chip / VNeID"]
    assert (chip_row[2], chip_row[3], chip_row[4]) == (0.25, 0.25, 0.0)
    # Every figure traced to its days: the rollup rows behind it, counts only.
    days = list(book["Số liệu ngày (nguồn)"].iter_rows(min_row=5, values_only=True))
    assert [(d[1], d[2]) for d in days] == [("27901", 2), ("27901", 0), ("27901", 1)]
    assert f.SECRET_NAME not in xlsx_text(periodic.file_path(report, "xlsx").read_bytes())


def test_the_pilot_report_counts_visits_by_care_type_bhyt_and_sent(org):
    from kcb06.facilities.models import Facility

    day = date(2026, 11, 20)
    a = f.visit(day=day, ended_hours_ago=30, accepted_after_hours=1)
    a.uses_bhyt = True
    a.save()
    b = f.visit(day=day)
    b.visit_type = "03"
    b.save()
    table = periodic.pilot_table(list(Facility.objects.filter(code__startswith="279")), day, day)
    assert [
        (r["visit_type"], r["bhyt"], r["bhyt_sent"], r["other"], r["other_sent"]) for r in table
    ] == [("01", 1, 1, 0, 0), ("03", 0, 0, 1, 0)]
    report = periodic.generate(_department(), "pilot", day, day)
    text = pdf_text(periodic.file_path(report, "pdf").read_bytes())
    assert "Thí điểm sổ sức khỏe điện tử" in text and "Điều trị nội trú" in text


def test_on_demand_for_any_period_and_downloads_by_the_owning_unit(login, org):
    f.visit(method="cccd_qr")
    rollups.refresh_recent()
    soyte = login("soyte")
    today = timezone.localdate()
    response = soyte.post(
        "/reports/progress/",
        {"start": (today - timedelta(days=3)).isoformat(), "end": today.isoformat()},
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert (report.kind, report.generated_by, report.visits) == ("custom", "soyte", 1)
    page = soyte.get("/reports/progress/").content.decode()
    assert f"/reports/progress/{report.pk}/pdf/" in page
    pdf = soyte.get(f"/reports/progress/{report.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    xlsx = soyte.get(f"/reports/progress/{report.pk}/xlsx/")
    assert "attachment" in xlsx["Content-Disposition"]
    # A facility administrator does not see the department's report, nor guess its number.
    quantri = login("quantri")
    assert quantri.get(f"/reports/progress/{report.pk}/pdf/").status_code == 404
    assert (
        f"/reports/progress/{report.pk}/" not in quantri.get("/reports/progress/").content.decode()
    )
    assert soyte.get(f"/reports/progress/{report.pk}/docx/").status_code == 404


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-12-07", "2026-12-01", "không sớm hơn"),
        ("hôm qua", "2026-12-01", "Ngày không hợp lệ"),
        ("2024-01-01", "2026-12-01", "tối đa 366 ngày"),
    ],
)
def test_bad_periods_are_refused_in_vietnamese(login, org, start, end, message):
    response = login("soyte").post("/reports/progress/", {"start": start, "end": end})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("username", ["tiepdon", "bacsi", "thungan"])
def test_other_roles_cannot_open_reports(login, org, username):
    assert login(username).get("/reports/progress/").status_code == 403
