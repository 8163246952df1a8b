"""Every page, as each role, in Chromium under the Content-Security-Policy: the browser reports
no violation (an inline script, an inline handler, htmx eval, a <style> without the nonce, a
script from a CDN would each show up as "Refused to ..." in the console), and the pages that
need JavaScript still work (the clinic's department select submits, the ICD-10 look-up
answers, the API docs render Swagger UI from our own static files).
"""

import pytest
from django.urls import reverse

from tests.healthbook import factories as f

ROLES = ["tiepdon", "bacsi", "thungan", "quantri", "soyte", "kiemtra"]


def _watch(page) -> list[str]:
    """Collects CSP violations: Chromium's console messages and the DOM's own event."""
    found: list[str] = []

    def on_console(msg):
        if "Content Security Policy" in msg.text or "Refused to" in msg.text:
            found.append(f"{page.url}: {msg.text}")

    page.on("console", on_console)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Refused to (securitypolicyviolation) ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return found


def _nav_urls(page) -> list[str]:
    page.goto(page.kcb06_url + "/?stay=1")
    hrefs = page.eval_on_selector_all(
        "nav.mainnav a", "els => els.map(a => a.getAttribute('href'))"
    )
    return hrefs


@pytest.fixture
def book(e2e_org):
    from kcb06.healthbook import icd10
    from kcb06.visits.models import Ticket

    icd10.import_rows([("J06.9", "Nhiễm trùng hô hấp trên cấp, không đặc hiệu")])
    p = f.patient("Trịnh Thị An Ninh")
    v = f.visit(p, reason="Ho")
    ticket = Ticket.objects.create(
        visit=v, department=v.department, day=v.visit_date, number=7, token="csptesttoken0001"
    )
    from kcb06.healthbook import services

    return {"visit": v, "token": services.book_of(p).token, "ticket": ticket}


def _extra_pages(username: str, book) -> list[str]:
    token = book["token"]
    pages = {
        "bacsi": [
            reverse("healthbook:book", kwargs={"token": token}),
            reverse("healthbook:print", kwargs={"token": token}),
            reverse("healthbook:close", kwargs={"visit_id": book["visit"].pk}),
            reverse("visits:clinic"),
        ],
        "tiepdon": [reverse("visits:ticket", kwargs={"token": book["ticket"].token})],
        "quantri": [
            "/admin/",
            "/admin/facilities/staffprofile/",
            "/admin/facilities/staffprofile/add/",
            reverse("visits:kiosk"),
        ],
    }
    return pages.get(username, []) + ["/api/v1/docs"]


@pytest.mark.parametrize("username", ROLES)
def test_every_page_of_each_role_runs_under_the_csp(logged_in_page, book, username):
    page = logged_in_page(username)
    violations = _watch(page)
    urls = _nav_urls(page) + _extra_pages(username, book)
    assert urls
    for url in urls:
        resp = page.goto(page.kcb06_url + url)
        assert resp.status < 500, url
        assert "Content-Security-Policy" in {k.title(): v for k, v in resp.headers.items()}, url
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)  # htmx polling and deferred scripts
    assert violations == []


def test_login_page_and_api_docs_anonymous(new_page):
    page = new_page()
    violations = _watch(page)
    page.goto(page.kcb06_url + "/login/")
    page.goto(page.kcb06_url + "/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info", timeout=15_000)  # rendered from /static/
    assert "kcb06 API" in page.inner_text(".swagger-ui .info")
    assert violations == []


def test_scripts_that_moved_to_static_files_still_work(logged_in_page, book):
    page = logged_in_page("bacsi")
    violations = _watch(page)
    # ICD-10 look-up while typing (was htmx js: values, needs eval) and picking a code.
    page.goto(page.kcb06_url + reverse("healthbook:close", kwargs={"visit_id": book["visit"].pk}))
    page.fill("[data-testid=main-icd10]", "")
    page.type("[data-testid=main-icd10]", "J06")
    page.click("#icd-main-results [data-icd-code='J06.9']")
    assert page.input_value("[data-testid=main-icd10]") == "J06.9"
    # The clinic's department select submits its form on change (was onchange=...).
    page.goto(page.kcb06_url + reverse("visits:clinic"))
    options = page.eval_on_selector_all(
        "[data-testid=clinic-department] option", "els => els.map(o => o.value)"
    )
    if len(options) > 1:
        with page.expect_navigation():
            page.select_option("[data-testid=clinic-department]", options[1])
        assert f"department={options[1]}" in page.url
    assert violations == []
