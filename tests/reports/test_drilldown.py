"""Drill-down from the province to a facility and a department (counts only), and the rows
behind a facility's own figures, which only that facility's administrator opens."""

import re

from django.utils import timezone

from kcb06.facilities.models import Facility
from kcb06.payments.models import Payment
from kcb06.reports import rollups
from kcb06.reports.models import VISIT_FIELDS, DepartmentDay, FacilityDay
from tests.reports import factories as f


def _departments(code="27901"):
    first, second = Facility.objects.get(code=code).departments.order_by("sort_order")[:2]
    return first, second


def _seed():
    """27901 today: 3 visits in its first department (one by typed ID number, one ended 30 h
    ago and never accepted: late), 2 in its second (one by typed ID number); two cash
    payments and one VietQR; 27903: one visit of its own."""
    first, second = _departments()
    f.visit(department=first, method="cccd_qr")
    f.visit(department=first, method="id_number")
    late = f.visit(department=first, method="vneid_qr", ended_hours_ago=30)
    f.visit(department=second, method="id_number")
    f.visit(department=second, method="bhyt_card", status="cancelled")  # not counted
    f.visit(department=second, method="bhyt_card")
    facility = Facility.objects.get(code="27901")
    for method, amount in (("cash", 50_000), ("cash", 70_000), ("vietqr", 200_000)):
        Payment.objects.create(facility=facility, method=method, amount=amount)
    other = f.visit("27903", method="id_number")
    today = timezone.localdate()
    rollups.rebuild(today, today)
    return first, second, late, other


def _number(page: str, testid: str) -> int:
    return int(re.search(rf'data-testid="{testid}">(\d+)<', page).group(1))


def test_a_departments_days_add_up_to_its_facilitys(org):
    first, second, _late, _other = _seed()
    day = FacilityDay.objects.get(facility__code="27901")
    parts = DepartmentDay.objects.filter(facility__code="27901")
    assert {p.department_id: p.visits for p in parts} == {first.pk: 3, second.pk: 2}
    for name in VISIT_FIELDS:
        assert sum(getattr(p, name) for p in parts) == getattr(day, name), name


def test_the_department_drills_down_to_a_facility_then_a_department_counts_only(login, org):
    first, second, late, _other = _seed()
    client = login("soyte")
    page = client.get("/reports/facility/27901/?period=today").content.decode()
    table = page.split('data-testid="department-table"')[1].split("</table>")[0]
    assert first.name in table and second.name in table
    link = f"/reports/facility/27901/khoa/{second.pk}/?period=today"
    assert link in page
    # The health department reads counts: no number opens a list of visits.
    assert 'data-testid="trace-' not in page and late.ma_lk not in page
    department = client.get(link).content.decode()
    assert second.name in department and late.ma_lk not in department
    total = department.split('data-testid="total-row"')[1].split("</tr>")[0]
    assert re.findall(r'class="num">(\d+)<', total)[:6] == ["2", "0", "0", "1", "1", "0"]
    api = client.get(f"/api/v1/reports/facilities/27901/departments/{second.pk}?period=today")
    assert api.status_code == 200 and api.json()["total"]["by_id_number"] == 1
    # Another facility's department through this facility's code: not found.
    other_dept = Facility.objects.get(code="27903").departments.first()
    assert client.get(f"/reports/facility/27901/khoa/{other_dept.pk}/").status_code == 404
    # And never the rows behind a figure.
    assert client.get("/reports/facility/27901/rows/by_id_number/").status_code == 403


def test_the_facility_head_opens_the_rows_behind_each_figure_and_their_count_is_it(login, org):
    first, second, late, other = _seed()
    client = login("quantri")
    page = client.get("/reports/facility/27901/?period=today").content.decode()
    assert 'data-testid="trace-by_id_number"' in page
    for figure, expected in (
        ("by_id_number", 2),
        ("visits", 5),
        ("late", 1),
        ("payments_cash", 2),
        ("payments_cashless", 1),
    ):
        rows = client.get(f"/reports/facility/27901/rows/{figure}/?period=today")
        body = rows.content.decode()
        assert rows.status_code == 200, (figure, body[:300])
        count = body.count('data-testid="trace-row"')
        assert count == expected == _number(body, "rows-figure") == _number(body, "rows-count")
    # The list says how each visit was checked in, in the page's words, not the stored codes.
    by_id = client.get("/reports/facility/27901/rows/by_id_number/?period=today").content.decode()
    assert by_id.count("<td>Nhập số ĐD</td>") == 2 and "<td>id_number</td>" not in by_id
    late_list = client.get("/reports/facility/27901/rows/late/?period=today").content.decode()
    assert late.ma_lk in late_list and f'href="/healthbook/visits/{late.pk}/"' in late_list
    # One department's share of a figure, and one day.
    one = client.get(
        f"/reports/facility/27901/rows/by_id_number/?period=today&department={second.pk}"
        f"&day={timezone.localdate().isoformat()}"
    ).content.decode()
    assert one.count('data-testid="trace-row"') == 1 == _number(one, "rows-figure")
    # Another facility's rows: not found (its code cannot be probed), as is a made-up figure.
    assert client.get("/reports/facility/27903/rows/visits/?period=today").status_code == 404
    assert client.get("/reports/facility/27901/rows/patients/").status_code == 404
    assert other.ma_lk not in client.get("/reports/facility/27901/rows/visits/").content.decode()
    bad = client.get("/reports/facility/27901/rows/visits/?day=31-12-2026&department=x")
    assert bad.status_code in (400, 404) and "Không" in bad.content.decode()
