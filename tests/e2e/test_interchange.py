"""Interchange pages in Chromium: the billing clerk sees which field of which table blocks a
visit and why; the facility admin installs a certificate and is told about a wrong password."""

from tests.e2e.conftest import DESK


def test_clerk_sees_the_failing_field_and_admin_installs_a_certificate(
    logged_in_page, screenshot, e2e_org, tmp_path
):
    from kcb06.interchange import outbox
    from kcb06.interchange.core import certs, signing
    from kcb06.interchange.core.samples import outpatient_visit

    signing.forget()
    v = outpatient_visit(ma_lk="27901.E2E000001")
    v.main_icd = "VIEMHONG"
    item = outbox.enqueue_claim_data(e2e_org["facilities"]["27901"], None, v)

    page = logged_in_page("thungan", DESK)
    page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/")[2] + "/interchange/")
    rows = page.locator("[data-testid=outbox-rows]").inner_text()
    assert "27901.E2E000001" in rows and "MA_BENH_CHINH" in rows
    page.click("text=27901.E2E000001")
    errors = page.locator("[data-testid=item-errors]").inner_text()
    assert "XML1" in errors and "MA_BENH_CHINH" in errors and "ICD-10" in errors
    screenshot("interchange-invalid-file", page)
    assert item.pk

    key, cert = certs.make_certificate("27901", "TTYT e2e")
    p12 = tmp_path / "27901.p12"
    p12.write_bytes(certs.pkcs12_bytes(key, cert, "dung"))
    admin = logged_in_page("quantri", DESK)
    admin.goto(admin.url.split("/", 3)[0] + "//" + admin.url.split("/")[2] + "/interchange/")
    assert "chưa đăng ký chứng thư số" in admin.locator("[data-testid=certificate]").inner_text()
    admin.set_input_files("input[name=p12]", str(p12))
    admin.fill("input[name=password]", "sai")
    with admin.expect_navigation():  # the form posts and the page reloads
        admin.click("[data-testid=certificate-form] button[type=submit]")
    assert "không đúng" in admin.locator("[data-testid=certificate-form]").inner_text()
    admin.set_input_files("input[name=p12]", str(p12))
    admin.fill("input[name=password]", "dung")
    with admin.expect_navigation():
        admin.click("[data-testid=certificate-form] button[type=submit]")
    assert "MA_CSKCB:27901" in admin.locator("[data-testid=certificate]").inner_text()
    screenshot("interchange-certificate", admin)
    signing.forget()
