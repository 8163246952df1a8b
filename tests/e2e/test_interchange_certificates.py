"""The facility admin installs the facility's signing certificate in Chromium: a certificate
that may not sign (key usage) and one of another facility are refused with the reason; the
facility's own is installed and becomes the trust list `kcb06 xml verify --facility` uses."""

import json

from cryptography import x509
from typer.testing import CliRunner

from tests.e2e.conftest import DESK


def _interchange(page):
    base = page.url.split("/", 3)[0] + "//" + page.url.split("/")[2]
    page.goto(base + "/interchange/")


def _submit(page, p12, password):
    page.set_input_files("input[name=p12]", str(p12))
    page.focus("input[name=password]")
    page.keyboard.type(password)
    with page.expect_navigation():  # the form posts and the page comes back with the result
        page.keyboard.press("Enter")


def test_admin_installs_the_signing_certificate_and_files_verify_against_it(
    logged_in_page, screenshot, e2e_org, tmp_path
):
    from kcb06.interchange.cli import app
    from kcb06.interchange.core import certs, package, signing
    from kcb06.interchange.core.samples import outpatient_visit

    signing.forget()
    files = {}
    no_signing = x509.KeyUsage(False, False, True, False, False, False, False, False, False)
    for name, code, usage in (
        ("weak", "27901", no_signing),
        ("other", "27902", certs.SIGNING_USAGE),
        ("own", "27901", certs.SIGNING_USAGE),
    ):
        key, cert = certs.make_certificate(code, "TTYT e2e", key_usage=usage)
        files[name] = (tmp_path / f"{name}.p12", key, cert)
        files[name][0].write_bytes(certs.pkcs12_bytes(key, cert, "dung"))

    admin = logged_in_page("quantri", DESK)
    _interchange(admin)
    form = admin.locator("[data-testid=certificate-form]")
    _submit(admin, files["weak"][0], "dung")
    assert "không được phép dùng để ký" in form.inner_text()
    _submit(admin, files["other"][0], "dung")
    assert "không phải của cơ sở 27901" in form.inner_text()
    _submit(admin, files["own"][0], "dung")
    shown = admin.locator("[data-testid=certificate]").inner_text()
    assert "MA_CSKCB:27901" in shown
    screenshot("interchange-certificate-installed", admin)

    # The trust list now holds the installed certificate, and only it.
    _, key, cert = files["own"]
    tables = package.build_claim(outpatient_visit())[0]
    path = tmp_path / "claim.xml"
    path.write_bytes(package.sign_claim("27901", tables, signing.Signer(key, cert)))
    result = CliRunner().invoke(app, ["verify", str(path), "--facility", "27901"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["trust"]["basis"] == "registered"
    stranger_key, stranger = certs.make_certificate("27901", "Tự ký")
    path.write_bytes(package.sign_claim("27901", tables, signing.Signer(stranger_key, stranger)))
    result = CliRunner().invoke(app, ["verify", str(path), "--facility", "27901"])
    assert result.exit_code == 1
    assert json.loads(result.output)["trust"]["basis"] == "refused"
    signing.forget()
