"""What the reception desk's browser tests share: the desk page with printing observed, a
scanner that types, and a key counter for "how many keys beyond the typed data"."""

from tests.e2e.conftest import DESK

# window.print in every frame (the ticket's hidden frame included) counts instead of printing.
COUNT_PRINTS = """
window.print = function () {
  var top = window.top; top.__prints = (top.__prints || 0) + 1;
  top.__printed = (top.__printed || []).concat([window.location.pathname]);
};
"""


def desk(logged_in_page, username: str = "tiepdon", path: str = "/reception/"):
    page = logged_in_page(username, DESK)
    page.add_init_script(COUNT_PRINTS)
    page.goto(page.kcb06_url + path)
    return page


def wait_focus(page, testid: str) -> None:
    page.wait_for_function(
        f"() => document.activeElement === document.querySelector('[data-testid={testid}]')",
        timeout=5000,
    )


def scan(page, text: str) -> None:
    """Type like a keyboard-wedge scanner: the text then Enter, into the focused scan field."""
    wait_focus(page, "scan-field")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


class Keys:
    """Presses keys and counts them (the typed number, name, date and sex are not counted)."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def press(self, key: str) -> None:
        self.count += 1
        self.page.keyboard.press(key)


def prints(page) -> int:
    return page.evaluate("window.__prints || 0")
