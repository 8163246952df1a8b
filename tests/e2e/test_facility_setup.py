"""The facility admin's set-up check (/facility/setup/) in Chromium: accounts that cannot check
cards, choosing the kiosk's lookup officer, testing the portal connection, the certificate's
expiry 30 days ahead, staff without a CCCD."""

from datetime import timedelta

import pytest


@pytest.fixture
def setup_page(e2e_org, logged_in_page):
    def _open():
        page = logged_in_page("quantri")
        page.goto(page.kcb06_url + "/")
        page.click("nav.mainnav >> text=Kiểm tra cấu hình")
        page.locator("[data-testid=lookup-accounts]").wait_for()
        return page

    return _open


def _reception_without_cccd(org):
    from django.contrib.auth import get_user_model

    from kcb06.facilities.models import Role, StaffProfile

    user = get_user_model().objects.create_user("tiepdon9", password="demo-pass-123")
    StaffProfile.objects.create(
        user=user, facility=org["facilities"]["27901"], role=Role.RECEPTION,
        full_name="Mai Thị Chưa Có Số",
    )  # fmt: skip


def test_admin_sees_who_cannot_look_up_and_chooses_the_kiosk_officer(
    e2e_org, setup_page, screenshot
):
    from kcb06.facilities.models import Facility
    from kcb06.visits.demo import _kiosk_user

    ttyt = e2e_org["facilities"]["27901"]
    _kiosk_user(ttyt)
    _reception_without_cccd(e2e_org)
    Facility.objects.filter(pk=ttyt.pk).update(lookup_officer=None)
    page = setup_page()
    warnings = page.locator("[data-testid=lookup-warning]")
    assert sorted(w.get_attribute("data-username") for w in warnings.all()) == [
        "kiosk",
        "tiepdon9",
    ]
    kiosk_warning = page.locator("[data-testid=lookup-warning][data-username=kiosk]")
    assert "chưa chỉ định cán bộ tra cứu" in kiosk_warning.inner_text()
    missing = page.locator("[data-testid=staff-without-id-row]")
    assert [m.get_attribute("data-username") for m in missing.all()] == ["tiepdon9"]
    screenshot("facility-setup-warnings", page)
    # The admin follows the link and picks the registered reception officer.
    page.click("text=Chọn cán bộ tra cứu")
    page.select_option("#id_lookup_officer", label="Nguyễn Thị Tiếp Đón (Tiếp đón, 27901 — "
                       "Trung tâm Y tế khu vực Từ Sơn (demo))")  # fmt: skip
    page.click("input[name=_save]")
    page.goto(page.kcb06_url + "/facility/setup/")
    usernames = [
        w.get_attribute("data-username") for w in page.locator("[data-testid=lookup-warning]").all()
    ]
    assert usernames == ["tiepdon9"]  # the kiosk now checks under the officer
    assert "Nguyễn Thị Tiếp Đón" in page.locator("[data-testid=lookup-officer]").inner_text()


def test_admin_tests_the_portal_connection(e2e_org, setup_page, portal, screenshot):
    page = setup_page()
    page.click("[data-testid=portal-test-run]")
    result = page.locator("[data-testid=portal-test-result]")
    result.wait_for()
    steps = {
        s.get_attribute("data-step"): s.get_attribute("data-ok")
        for s in page.locator("[data-testid=portal-test-step]").all()
    }
    assert steps == {"officer": "1", "token": "1", "lookup": "1"}, result.inner_text()
    assert result.get_attribute("data-ok") == "1"
    screenshot("facility-setup-portal-ok", page)

    # An officer BHXH does not know (not on the facility's registered list): the lookup fails
    # with the portal's reason, the login itself still works.
    from kcb06.facilities.models import Facility, StaffProfile

    auditor = StaffProfile.objects.get(user__username="kiemtra")
    Facility.objects.filter(pk=e2e_org["facilities"]["27901"].pk).update(lookup_officer=auditor)
    page.click("[data-testid=portal-test-run]")
    result = page.locator("[data-testid=portal-test-result]")
    result.wait_for()
    assert result.get_attribute("data-ok") == "0"
    lookup = page.locator("[data-testid=portal-test-step][data-step=lookup]")
    assert lookup.get_attribute("data-ok") == "0"
    assert "chưa có trong danh sách cán bộ tra cứu" in lookup.inner_text()
    assert "(mã 054)" in lookup.inner_text()
    token = page.locator("[data-testid=portal-test-step][data-step=token]")
    assert token.get_attribute("data-ok") == "1"


def test_admin_sees_the_certificate_expiry_30_days_ahead(e2e_org, setup_page):
    from django.utils import timezone

    from kcb06.interchange.models import FacilityCertificate

    now = timezone.now()
    FacilityCertificate.objects.create(
        facility=e2e_org["facilities"]["27901"],
        subject="CN=Trung tâm Y tế khu vực Từ Sơn (demo) 27901",
        serial_hex="01",
        fingerprint="ab" * 32,
        not_before=now - timedelta(days=300),
        not_after=now + timedelta(days=20, hours=1),
    )
    page = setup_page()
    row = page.locator("[data-testid=certificate-row]")
    expected = (now + timedelta(days=20, hours=1)).astimezone(timezone.get_current_timezone())
    assert expected.strftime("%d/%m/%Y") in row.inner_text()
    assert page.locator("[data-testid=certificate-expiring]").inner_text() == (
        "Sắp hết hạn: còn 20 ngày. Hãy gia hạn và cài chứng thư mới."
    )
