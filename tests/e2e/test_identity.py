"""Identity data in Chromium (issue #15, "Trust"): the desk sees where a chip-card QR differs
from the record (which stays as it was), a clerk corrects from documents with a reason, the
facility admin reverts a change with a reason, and the auditor reads the history."""

from datetime import date

from tests.e2e.conftest import DESK
from tests.e2e.test_reception import scan
from tests.visits.helpers import cccd

ID = "027085000001"
STORED = "Nguyễn Văn Hợp Lệ Demo"


def _patient_at_27901(org):
    """A patient 27901 knows, as a real chip-card scan created them."""
    from kcb06.facilities.models import Facility
    from kcb06.patients import services as mpi
    from kcb06.patients.models import PatientFacility

    p = mpi.safe_create(
        mpi.PersonData(
            full_name=STORED,
            date_of_birth=date(1985, 8, 15),
            sex="male",
            address="Thôn Demo, phường Tam Sơn, tỉnh Bắc Ninh",
            id_number=ID,
        )
    )
    PatientFacility.objects.create(patient=p, facility=Facility.objects.get(code="27901"))
    return p


def test_admin_reverts_a_clerks_identity_correction(logged_in_page, e2e_org, portal, screenshot):
    p = _patient_at_27901(e2e_org)
    # The desk: a QR with another date of birth; the panel shows both, the record is kept.
    desk = logged_in_page("tiepdon", DESK)
    desk.goto(desk.kcb06_url + "/reception/")
    scan(desk, cccd(ID, STORED, "15081995"))
    table = desk.locator("[data-testid=identity-differences]")
    table.wait_for()
    row = desk.locator("[data-testid=identity-difference][data-field=date_of_birth]")
    assert "15/08/1985" in row.inner_text() and "15/08/1995" in row.inner_text()
    assert "giữ nguyên" in row.inner_text()
    screenshot("identity-desk-difference", desk, full_page=True)
    # The clerk corrects the record (keyboard only) from the documents, with a reason.
    desk.goto(desk.kcb06_url + f"/patients/{p.pk}/identity/")
    desk.locator("[data-testid=correct-dob]").focus()
    desk.keyboard.type("1995-08-15")
    desk.keyboard.press("Tab")
    desk.keyboard.press("Tab")
    desk.keyboard.press("Tab")
    desk.keyboard.type("Theo CCCD bản gốc người bệnh xuất trình")
    desk.keyboard.press("Enter")
    desk.locator(".msg.success").wait_for()
    assert desk.locator("[data-testid=identity-dob]").inner_text() == "15/08/1995"

    # The admin finds the change from the menu, sees old and new values, and reverts it.
    admin = logged_in_page("quantri", DESK)
    admin.goto(admin.kcb06_url + "/")
    admin.locator("nav.mainnav").get_by_role("link", name="Thay đổi định danh").click()
    listing = admin.locator("[data-testid=identity-change-row]")
    listing.first.wait_for()  # the link navigates; count on the new page
    assert listing.count() == 1
    assert "15/08/1985" in listing.inner_text() and "15/08/1995" in listing.inner_text()
    admin.locator("[data-testid=identity-open]").click()
    change = admin.locator("[data-testid=identity-change][data-evidence=clerk_correction]")
    assert "Theo CCCD bản gốc" in change.inner_text()
    assert "Nguyễn Thị Tiếp Đón" in change.inner_text()
    admin.locator("[data-testid=revert-reason]").fill("Khách đưa nhầm CCCD của người nhà")
    admin.locator("[data-testid=revert-button]").click()
    admin.locator(".msg.success").wait_for()
    assert admin.locator("[data-testid=identity-dob]").inner_text() == "15/08/1985"
    reverted = admin.locator("[data-testid=identity-change][data-evidence=revert]")
    assert "Khách đưa nhầm" in reverted.inner_text()
    assert "Đã hoàn tác" in change.inner_text()
    screenshot("identity-admin-reverted", admin, full_page=True)


def test_revert_without_a_reason_is_refused_in_vietnamese(logged_in_page, e2e_org):
    from kcb06.facilities.services import principal_for_user
    from kcb06.patients import identity

    p = _patient_at_27901(e2e_org)
    identity.correct(
        principal_for_user(e2e_org["users"]["tiepdon"]),
        p.pk,
        {"address": "Số 7 đường Mới"},
        "theo giấy xác nhận cư trú",
    )
    admin = logged_in_page("quantri", DESK)
    admin.goto(admin.kcb06_url + f"/patients/{p.pk}/identity/")
    reason = admin.locator("[data-testid=revert-reason]")
    reason.fill("x")
    reason.evaluate("el => el.removeAttribute('minlength')")  # what the server says, not the form
    admin.locator("[data-testid=revert-button]").click()
    admin.locator(".msg.error").wait_for()
    assert "lý do" in admin.locator(".msg.error").inner_text()
    assert "Số 7 đường Mới" in admin.locator("[data-testid=identity-address]").inner_text()


def test_auditor_reads_the_identity_history_without_changing_it(logged_in_page, e2e_org):
    from kcb06.facilities.services import principal_for_user
    from kcb06.patients import identity

    p = _patient_at_27901(e2e_org)
    identity.correct(
        principal_for_user(e2e_org["users"]["tiepdon"]),
        p.pk,
        {"full_name": "Nguyễn Văn Hợp Lệ Demo Mới"},
        "đổi tên theo quyết định",
    )
    auditor = logged_in_page("kiemtra", DESK)
    auditor.goto(auditor.kcb06_url + "/")
    auditor.locator("nav.mainnav").get_by_role("link", name="Thay đổi định danh").click()
    row = auditor.locator("[data-testid=identity-change-row]")
    assert STORED in row.inner_text() and "đổi tên theo quyết định" in row.inner_text()
    auditor.locator("[data-testid=identity-open]").click()
    history = auditor.locator("[data-testid=identity-history]")
    assert "Nhân viên sửa theo giấy tờ" in history.inner_text()
    assert auditor.locator("[data-testid=revert-form]").count() == 0
    assert auditor.locator("[data-testid=identity-correct]").count() == 0
