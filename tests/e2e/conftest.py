"""Browser tests: a live kcb06 server and Debian's Chromium driven by Playwright.

Fixtures every area reuses (tests in tests/e2e/ are marked `e2e` automatically):

    def test_reception(logged_in_page, screenshot):
        page = logged_in_page("tiepdon")                  # real login form, 1366x768
        page.goto(page.kcb06_url + "/reception/")
        screenshot("reception", page)                     # test-artifacts/reception.png

    kiosk = logged_in_page("quantri", viewport=KIOSK)     # 1080x1920 portrait
    anon = new_page()                                     # not logged in, same sizes

- `live_url`: base URL of a live server (pytest-django's live_server: a thread in this
  process on the test database, so rows made in the test are visible to the browser and the
  other way round; works on SQLite — in-memory test DB shared with the server thread — and on
  PostgreSQL). The demo organisation is seeded (`e2e_org`).
- `browser`: one Chromium for the session (/usr/bin/chromium, headless, flags below).
- `new_page(viewport=DESK)`, `logged_in_page(username, viewport=DESK)`: fresh contexts,
  closed after the test. Each page has `.kcb06_url`.
- `screenshot(name, page, full_page=False)`: PNG into test-artifacts/; with
  KCB06_UPDATE_SCREENSHOTS=1 also into docs/screenshots/ for the README (keep them few).

Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls there
unless DJANGO_ALLOW_ASYNC_UNSAFE is set, which is safe here because the loop never awaits
Django code.
"""

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent.parent
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
DESK = {"width": 1366, "height": 768}
KIOSK = {"width": 1080, "height": 1920}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def e2e_org(transactional_db):
    """The demo organisation, committed so that the live server thread sees it."""
    from kcb06.facilities.demo import seed

    return seed()


@pytest.fixture
def live_url(live_server, e2e_org) -> str:
    return live_server.url


@pytest.fixture
def new_page(browser, live_url):
    contexts = []

    def _new_page(viewport: dict | None = None):
        context = browser.new_context(
            viewport=viewport or DESK, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.kcb06_url = live_url
        return page

    yield _new_page
    for context in contexts:
        context.close()


def login_through_form(page, username: str, password: str = "demo") -> None:  # noqa: S107
    page.goto(page.kcb06_url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("domcontentloaded")


@pytest.fixture
def logged_in_page(new_page):
    """logged_in_page("bacsi") -> a page logged in through the real login form."""

    def _logged_in(username: str, viewport: dict | None = None, password: str = "demo"):  # noqa: S107
        page = new_page(viewport)
        login_through_form(page, username, password)
        assert "/login/" not in page.url, f"login as {username} failed: {page.url}"
        return page

    return _logged_in


@pytest.fixture
def screenshot(artifacts_dir):
    def _shot(name: str, page, full_page: bool = False) -> Path:
        path = artifacts_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        if os.environ.get("KCB06_UPDATE_SCREENSHOTS") == "1":
            DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS_SCREENSHOTS / f"{name}.png")
        return path

    return _shot
