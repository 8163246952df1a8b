"""The health department checks the weekly Project 06 targets in Chromium: target cards, bars per
facility against the target line, drill-down to one facility's days — and never a patient."""

from datetime import timedelta

from django.utils import timezone

from tests.e2e.conftest import DESK


def test_department_checks_the_weekly_targets(logged_in_page, screenshot, e2e_org):
    from kcb06.reports import jobs
    from tests.reports import factories as f

    # This week at 27901: three chip-card/VNeID check-ins of four, two accepted by the portal
    # (one in time); at 27903 one typed-number check-in; 27902 and 27904 none.
    f.visit(method="cccd_qr", ended_hours_ago=30, accepted_after_hours=1)
    f.visit(method="vneid_qr", ended_hours_ago=30, accepted_after_hours=30)
    f.visit(method="cccd_qr")
    f.visit(method="id_number")
    f.visit("27903", method="id_number")
    f.visit("27901", method="cccd_qr")
    jobs.refresh_rollups()  # what the worker does every few minutes

    page = logged_in_page("soyte", DESK)
    page.goto(page.kcb06_url + "/?stay=1")
    page.get_by_role("link", name="Chỉ tiêu Đề án 06").first.click()
    page.wait_for_url("**/reports/")
    assert page.locator("[data-testid=period-week]").get_attribute("aria-current") == "page"
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    assert monday.strftime("%d/%m/%Y") in page.locator("[data-testid=period]").inner_text()

    chip = page.locator("[data-testid=target-chip_facilities]").inner_text()
    assert "chỉ tiêu 100 %" in chip and "1/4 cơ sở" in chip
    book = page.locator("[data-testid=target-health_book]").inner_text()
    assert "chỉ tiêu 80 %" in book
    cashless = page.locator("[data-testid=target-cashless]").inner_text()
    assert "chưa có dữ liệu" in cashless and "chỉ tiêu 50 %" in cashless

    chart = page.locator("[data-testid=chart-chip]")
    assert chart.locator("[data-testid=bar]").count() == 4
    assert chart.locator("[data-testid=target-line]").count() == 1
    bars = chart.text_content()
    assert "27901" in bars and "80,0 %" in bars  # 4 of 5 visits this week by chip card/VNeID
    assert "chưa có lượt khám" in bars  # 27902 and 27904
    # The bar is drawn to scale: 80 % of the 400-unit plot, the target line at 100 %.
    assert chart.locator("rect").first.get_attribute("width") == "320.0"
    assert chart.locator("[data-testid=target-line]").get_attribute("x1") == "660.0"
    box = chart.locator("rect").first.bounding_box()
    assert box is not None and box["width"] > 100
    row = page.locator("[data-testid=facility-row][data-code='27901']").inner_text()
    assert "27901" in row
    screenshot("reports-weekly-targets", page, full_page=True)

    page.locator("[data-testid=facility-row][data-code='27901'] a").click()
    page.wait_for_url("**/reports/facility/27901/**")
    assert "27901" in page.locator("[data-testid=facility-title]").inner_text()
    days = page.locator("[data-testid=day-table]").inner_text()
    assert timezone.localdate().strftime("%d/%m/%Y") in days
    assert f.SECRET_NAME not in page.content()
    screenshot("reports-facility-drill-down", page)
