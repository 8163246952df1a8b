"""Password guessing at the login form, as a person at a browser would do it."""

from tests.e2e.conftest import DESK, login_through_form


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(new_page, screenshot):
    page = new_page(DESK)
    for _ in range(4):
        login_through_form(page, "bacsi", "doan-sai-mat-khau")
        assert (
            "Tên đăng nhập hoặc mật khẩu không đúng"
            in page.locator("[data-testid=login-error]").inner_text()
        )
    login_through_form(page, "bacsi", "doan-sai-mat-khau")
    locked = page.locator("[data-testid=error-page]")
    assert locked.get_attribute("data-code") == "locked_out"
    assert "Tài khoản tạm khóa" in locked.inner_text()
    screenshot("login-locked-out", page)
    # Now even the right password is refused, and the page says why.
    login_through_form(page, "bacsi", "demo")
    assert page.locator("[data-testid=error-page]").get_attribute("data-code") == "locked_out"
    assert page.locator("[data-testid=user-name]").count() == 0
    # The lock is per account and address: a colleague at the same desk still logs in.
    login_through_form(page, "tiepdon", "demo")
    assert page.locator("[data-testid=user-name]").count() == 1
