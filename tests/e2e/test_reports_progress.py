"""Reports in Chromium: the weekly report the worker files on Thursday, and the facility head's
morning briefing shown full-screen."""

import os
import shutil
import subprocess
from datetime import timedelta

from django.utils import timezone

from tests.e2e.conftest import DESK, DOCS_SCREENSHOTS


def test_a_weekly_report_appears_on_thursday(
    logged_in_page, screenshot, e2e_org, artifacts_dir, settings, tmp_path
):
    from kcb06.reports import jobs, periodic, rollups
    from tests.reports import factories as f

    settings.KCB06_REPORTS_DIR = tmp_path
    weekly = next(d for d in periodic.latest_due() if d.kind == "weekly")
    for _ in range(3):
        f.visit(day=weekly.start, method="cccd_qr", ended_hours_ago=30, accepted_after_hours=1)
    f.visit("27903", day=weekly.end, method="id_number")
    rollups.rebuild(weekly.start - timedelta(days=7), timezone.localdate())
    jobs.generate_due_reports()  # what the worker does after Thursday 10:00

    page = logged_in_page("soyte", DESK)
    page.goto(page.kcb06_url + "/reports/")
    page.locator("[data-testid=progress-link]").click()
    page.wait_for_url("**/reports/progress/")
    row = page.locator("[data-testid=report-row][data-kind=weekly]")
    assert row.count() == 1
    text = row.inner_text()
    assert "Báo cáo tuần" in text and "tự động" in text
    assert f"{weekly.start:%d/%m/%Y} – {weekly.end:%d/%m/%Y}" in text
    assert "10:00" in page.locator("[data-testid=schedule]").inner_text()
    screenshot("reports-progress-list", page)

    href = row.locator("[data-testid=pdf]").get_attribute("href")
    pdf = page.request.get(page.kcb06_url + href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    body = pdf.body()
    assert body.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=body, capture_output=True, check=True
    ).stdout.decode()
    assert "BÁO CÁO" in text and "27901" in text and f.SECRET_NAME not in text
    # The first page as a picture, for the README tour.
    (artifacts_dir / "weekly.pdf").write_bytes(body)
    png = artifacts_dir / "reports-weekly-pdf"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "70",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(artifacts_dir / "weekly.pdf"),
            str(png),
        ],
        check=True,
    )
    if os.environ.get("KCB06_UPDATE_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f"{png}.png", DOCS_SCREENSHOTS / "reports-weekly-pdf.png")
    xlsx = page.request.get(
        page.kcb06_url + row.locator("[data-testid=xlsx]").get_attribute("href")
    )
    assert xlsx.ok and xlsx.body().startswith(b"PK")


def test_facility_head_runs_the_morning_briefing(logged_in_page, screenshot, e2e_org):
    from kcb06.payments.models import Payment
    from kcb06.visits.models import Ticket
    from tests.reports import factories as f

    visits = [f.visit() for _ in range(3)]
    for n, (v, status) in enumerate(zip(visits, ("waiting", "waiting", "called"), strict=True)):
        Ticket.objects.create(
            visit=v,
            department=v.department,
            day=v.visit_date,
            number=n + 1,
            token=f"e2e{n:029d}",
            status=status,
        )
    Payment.objects.create(facility=visits[0].facility, method="vietqr", amount=250_000)

    page = logged_in_page("quantri", DESK)
    page.goto(page.kcb06_url + "/reports/")
    page.locator("[data-testid=briefing-link]").click()
    page.wait_for_url("**/reports/briefing/")
    assert "3" in page.locator("[data-testid=tile-check-ins] strong").inner_text()
    waiting = page.locator("[data-testid=tile-waiting]").inner_text()
    assert "2" in waiting and "đang gọi: 1" in waiting
    assert "250.000 đ" in page.locator("[data-testid=tile-payments]").inner_text()
    assert f.SECRET_NAME not in page.content()
    page.locator("[data-testid=fullscreen]").click()
    page.wait_for_function(
        "() => document.fullscreenElement !== null"
        " || document.querySelector('.pseudo-fullscreen') !== null"
    )
    screenshot("reports-morning-briefing", page)


def test_department_sends_a_reminder_to_lagging_facilities(logged_in_page, screenshot, e2e_org):
    from kcb06.reports import rollups
    from tests.reports import factories as f

    f.visit(method="cccd_qr")  # 27901 scans chip cards today; the others never have
    rollups.refresh_recent()
    page = logged_in_page("soyte", DESK)
    page.goto(page.kcb06_url + "/reports/")
    page.locator("[data-testid=readiness-link]").click()
    page.wait_for_url("**/reports/readiness/")
    assert (
        "4/4 cơ sở còn thiếu hạng mục" in page.locator("[data-testid=lagging-count]").inner_text()
    )
    qr = page.locator("[data-testid=readiness-row][data-code='27901'] [data-item=qr_reader]")
    assert "✓" in qr.inner_text() and timezone.localdate().strftime("%d/%m/%Y") in qr.inner_text()
    other = page.locator("[data-testid=readiness-row][data-code='27904'] [data-item=qr_reader]")
    assert "chưa có lần quét nào" in other.inner_text()
    screenshot("reports-readiness", page, full_page=True)
    href = page.locator("[data-testid=letter]").get_attribute("href")
    letter = page.request.get(page.kcb06_url + href)
    assert letter.ok and letter.headers["content-type"] == "application/pdf"
    text = " ".join(
        subprocess.run(
            ["pdftotext", "-", "-"], input=letter.body(), capture_output=True, check=True
        )
        .stdout.decode()
        .split()
    )
    assert "Kính gửi:" in text and "Trạm y tế phường Phù Khê" in text
    assert "V/v đôn đốc" in text and "Nơi nhận" in text and f.SECRET_NAME not in text
