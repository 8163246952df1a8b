"""Logging in through the real form in Chromium, the home page, and the layout at two sizes."""

from tests.e2e.conftest import DESK, KIOSK, login_through_form


def test_login_shows_home_with_facility_user_and_role_navigation(logged_in_page, screenshot):
    page = logged_in_page("quantri", DESK)
    assert page.locator("h1").inner_text().startswith("Xin chào")
    header = page.locator("[data-testid=facility-name]")
    assert "Trung tâm Y tế khu vực Từ Sơn" in header.inner_text()
    assert "27901" in header.inner_text()
    assert "Phạm Văn Quản Trị" in page.locator("[data-testid=user-name]").inner_text()
    nav = page.locator("nav.mainnav").inner_text()
    assert "Nhật ký truy cập" in nav and "Quản trị" in nav
    assert "Thu ngân" not in nav  # cashier pages are not for a facility admin
    screenshot("home-1366x768", page)


def test_home_on_a_portrait_kiosk_screen(logged_in_page, screenshot):
    page = logged_in_page("kiemtra", KIOSK)
    assert "Vũ Văn Kiểm Tra" in page.locator("[data-testid=user-name]").inner_text()
    assert page.locator("nav.mainnav a", has_text="Nhật ký truy cập").is_visible()
    # Nothing overflows sideways on the narrow portrait screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= KIOSK["width"]
    screenshot("home-1080x1920", page)


def test_wrong_password_shows_vietnamese_error(new_page, screenshot):
    page = new_page(DESK)
    login_through_form(page, "tiepdon", "sai-mat-khau")
    error = page.locator("[data-testid=login-error]")
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in error.inner_text()
    assert "/login/" in page.url
    screenshot("login-error", page)


def test_login_page(new_page, screenshot):
    page = new_page(DESK)
    page.goto(page.kcb06_url + "/login/")
    assert page.locator("h1").inner_text() == "Đăng nhập kcb06"
    screenshot("login-1366x768", page)


def test_audit_log_page_filters_by_user(logged_in_page, screenshot):
    page = logged_in_page("kiemtra", DESK)
    page.goto(page.kcb06_url + "/audit/")
    page.fill("#id_username", "kiemtra")
    # The filter posts the form and the page reloads: count the rows of the new page, not the
    # old one still on screen (a count taken mid-navigation read 0 rows once in CI).
    with page.expect_navigation():
        page.click("[data-testid=audit-filter] button[type=submit]")
    rows = page.locator("[data-testid=audit-rows] tbody tr")
    assert rows.count() >= 1
    assert "Đăng nhập" in page.locator("[data-testid=audit-rows]").inner_text()
    screenshot("audit-log-1366x768", page)
