"""In Chromium: the health department drills down from the province to a facility and one of
its departments (counts only, no list behind any number); the facility head opens the visits
and payments behind a figure of their own facility, as many rows as the figure says."""

import re

from tests.e2e.conftest import DESK


def _seed():
    """27901 this month: two departments' visits (two typed-ID check-ins, one in each), one
    visit ended 30 h ago and never accepted (late), two cash payments and one VietQR."""
    from kcb06.facilities.models import Facility
    from kcb06.payments.models import Payment
    from kcb06.reports import jobs
    from tests.reports import factories as f

    facility = Facility.objects.get(code="27901")
    first, second = facility.departments.order_by("sort_order")[:2]
    f.visit(department=first, method="cccd_qr")
    f.visit(department=first, method="id_number")
    late = f.visit(department=first, method="vneid_qr", ended_hours_ago=30)
    f.visit(department=second, method="id_number")
    for method, amount in (("cash", 50_000), ("cash", 70_000), ("vietqr", 200_000)):
        Payment.objects.create(facility=facility, method=method, amount=amount)
    jobs.refresh_rollups()  # what the worker does every few minutes
    return second, late


def _facility_page(logged_in_page, username: str):
    """The dashboard of this month, then a click on 27901."""
    page = logged_in_page(username, DESK)
    page.goto(page.kcb06_url + "/reports/?period=month")
    page.locator("[data-testid=facility-row][data-code='27901'] a").click()
    page.wait_for_url("**/reports/facility/27901/**")
    return page


def test_department_drills_down_to_a_facility_and_a_department(logged_in_page, screenshot, e2e_org):
    second, late = _seed()
    page = _facility_page(logged_in_page, "soyte")
    departments = page.locator("[data-testid=department-rows]")
    assert second.name in departments.inner_text()
    assert page.locator("[data-testid^=trace-]").count() == 0  # counts, not lists
    screenshot("reports-facility-departments", page, full_page=True)

    departments.get_by_role("link", name=re.compile(second.name)).click()
    page.wait_for_url(f"**/reports/facility/27901/khoa/{second.pk}/**")
    assert second.name in page.locator("[data-testid=department-title]").inner_text()
    total = page.locator("[data-testid=total-row]").inner_text()
    assert total.split()[:2] == ["Tổng", "1"]  # one visit this month in that department
    assert late.ma_lk not in page.content()
    assert page.locator("[data-testid^=trace-]").count() == 0

    response = page.goto(page.kcb06_url + "/reports/facility/27901/rows/late/?period=month")
    assert response.status == 403 and late.ma_lk not in page.content()


def test_facility_head_opens_the_visits_behind_a_figure(logged_in_page, screenshot, e2e_org):
    _second, late = _seed()
    page = _facility_page(logged_in_page, "quantri")
    assert page.locator("[data-testid=trace-hint]").is_visible()

    day_table = page.locator("[data-testid=day-table]")
    day_table.locator("[data-testid=total-row] [data-testid=trace-by_id_number]").click()
    page.wait_for_url("**/rows/by_id_number/**")
    figure = int(page.locator("[data-testid=rows-figure]").inner_text())
    assert figure == 2 == page.locator("[data-testid=trace-row]").count()
    assert int(page.locator("[data-testid=rows-count]").inner_text()) == figure
    screenshot("reports-figure-rows", page)

    page.go_back()
    day_table.locator("[data-testid=total-row] [data-testid=trace-late]").click()
    page.wait_for_url("**/rows/late/**")
    row = page.locator("[data-testid=trace-row]")
    assert row.count() == 1 and late.ma_lk in row.inner_text()
    row.locator("[data-testid=visit-link]").click()
    page.wait_for_url(f"**/healthbook/visits/{late.pk}/")

    page.goto(page.kcb06_url + "/reports/facility/27901/?period=month")
    day_table.locator("[data-testid=total-row] [data-testid=trace-payments_cash]").click()
    page.wait_for_url("**/rows/payments_cash/**")
    assert page.locator("[data-testid=trace-row]").count() == 2
    assert int(page.locator("[data-testid=rows-figure]").inner_text()) == 2
