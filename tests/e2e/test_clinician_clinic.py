"""The clinician's room in Chromium (issue #16, clinic): the call screen shows the called
patient's name with links straight to the health book and the close form, and remembers the
room; the worklist shows waiting / called / in examination / closed, filters by department
and searches by name without diacritics."""

from kcb06.facilities.models import Department
from kcb06.visits.departments import local_day
from kcb06.visits.models import Ticket, Visit
from kcb06.visits.numbers import issue_ticket
from tests.healthbook import factories as f


def _checked_in(name: str, dep: Department, reason="Ho, sốt") -> Visit:
    visit = f.visit(f.patient(name), reason=reason)
    Visit.objects.filter(pk=visit.pk).update(department=dep)
    visit.department = dep
    issue_ticket(visit, dep, local_day())
    return visit


def test_call_screen_names_the_patient_links_the_book_and_remembers_the_room(
    e2e_org, logged_in_page, screenshot
):
    k19 = Department.objects.get(facility__code="27901", code="K19")
    first = _checked_in("Phan Thị Được Gọi", k19, reason="Sốt cao")
    _checked_in("Võ Văn Chờ Sau", k19)

    page = logged_in_page("bacsi")
    page.goto(page.kcb06_url + "/clinic/")
    # Keyboard: choose the room, confirm, call the next number.
    page.focus("[data-testid=clinic-department]")
    with page.expect_navigation():  # the room is chosen as soon as it changes
        page.select_option("[data-testid=clinic-department]", str(k19.pk))
    assert page.input_value("[data-testid=clinic-department]") == str(k19.pk)
    page.focus("[data-testid=call-next]")
    page.keyboard.press("Enter")
    page.locator("[data-testid=clinic-patient]", has_text="Phan Thị Được Gọi").wait_for()
    assert "Sốt cao" in page.inner_text("[data-testid=clinic-patient]")
    assert page.inner_text("[data-testid=clinic-calling]") == "1"
    screenshot("clinic-called-patient", page)

    # Straight to the book of the called patient.
    page.click("[data-testid=clinic-book]")
    page.wait_for_selector("[data-testid=hb-summary]")
    assert "Phan Thị Được Gọi" in page.inner_text("h1")

    # Next time the call screen opens, it is the same room, still showing the called patient.
    page.goto(page.kcb06_url + "/clinic/")
    assert page.input_value("[data-testid=clinic-department]") == str(k19.pk)
    page.click("[data-testid=clinic-close]")
    page.wait_for_selector("form.hb-close")
    assert "Phan Thị Được Gọi" in page.inner_text("h1")
    assert page.url.endswith(f"/healthbook/visits/{first.pk}/close/")


def test_worklist_states_department_filter_and_search(e2e_org, logged_in_page, screenshot):
    from kcb06.healthbook import services

    k01 = Department.objects.get(facility__code="27901", code="K01")
    k28 = Department.objects.get(facility__code="27901", code="K28")
    waiting = _checked_in("Trần Văn Đang Chờ", k01)
    called = _checked_in("Lê Thị Đang Gọi", k01)
    examining = _checked_in("Hồ Văn Đang Khám", k01)
    closed = _checked_in("Bùi Thị Đã Xong", k01)
    other = _checked_in("Trần Thị Tai Mũi", k28)
    Ticket.objects.filter(visit=examining).update(status="done")
    Ticket.objects.filter(visit=called).update(status="called")
    services.close_visit(f.principal(e2e_org), closed, f.CLOSE)

    page = logged_in_page("bacsi")
    page.goto(page.kcb06_url + "/healthbook/")

    def rows() -> dict[str, str]:
        out = {}
        for row in page.locator("[data-testid=worklist-row]").all():
            cells = row.locator("td").all_inner_texts()
            out[cells[2]] = cells[6]
        return out

    assert rows() == {
        "Trần Văn Đang Chờ": "Đang chờ",
        "Lê Thị Đang Gọi": "Đang gọi",
        "Hồ Văn Đang Khám": "Đang khám",
        "Bùi Thị Đã Xong": "Đã khám xong",
        "Trần Thị Tai Mũi": "Đang chờ",
    }
    screenshot("clinician-worklist", page)

    # Department K28 only.
    page.select_option("[data-testid=worklist-department]", str(k28.pk))
    page.focus("[data-testid=worklist-q]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert list(rows()) == ["Trần Thị Tai Mũi"]

    # Search without diacritics, all departments.
    page.select_option("[data-testid=worklist-department]", "")
    page.fill("[data-testid=worklist-q]", "tran")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert sorted(rows()) == ["Trần Thị Tai Mũi", "Trần Văn Đang Chờ"]

    # By state.
    page.fill("[data-testid=worklist-q]", "")
    page.select_option("[data-testid=worklist-state]", "examining")
    page.focus("[data-testid=worklist-q]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert list(rows()) == ["Hồ Văn Đang Khám"]
    assert waiting.pk and other.pk
