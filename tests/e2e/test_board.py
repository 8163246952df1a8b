"""The waiting-hall board shows (and announces) the number the clinician calls, live."""

import time

from tests.e2e.conftest import DESK
from tests.visits.helpers import NO_CARD, VALID, principal


def test_board_shows_the_called_number_within_a_second(e2e_org, logged_in_page, portal, screenshot):
    from kcb06.visits import services

    for scan in (VALID, NO_CARD):
        services.check_in(scan, "K01", principal(e2e_org))
    board = logged_in_page("tiepdon", {"width": 1920, "height": 1080})
    board.goto(board.kcb06_url + "/board/")
    board.click("#sound-on")  # a screen is switched on once; browsers need a gesture for audio
    cell = board.locator("[data-testid=calling-K01]")
    assert cell.inner_text() == "—"

    clinic = logged_in_page("bacsi", DESK)
    clinic.goto(clinic.kcb06_url + "/clinic/")
    clinic.click("[data-testid=call-next]")
    clinic.locator("[data-testid=clinic-calling]", has_text="1").wait_for()
    started = time.perf_counter()
    board.wait_for_function(
        "() => document.querySelector('[data-testid=calling-K01]').textContent.trim() === '1'"
    )
    assert time.perf_counter() - started < 2.0  # polls every 0.7 s
    # "Mời số 1 vào phòng khám số 1" from the shipped fragments
    board.wait_for_function("() => document.getElementById('board').dataset.lastAnnouncement")
    assert board.evaluate("document.getElementById('board').dataset.lastAnnouncement") == (
        "chime moi_so d1 vao_phong d1"
    )
    assert board.evaluate("kcb06Words(15).join(' ')") == "muoi lam"
    assert board.evaluate("kcb06Words(21).join(' ')") == "d2 muoi2 mot"
    assert board.evaluate("kcb06Words(105).join(' ')") == "d1 tram linh d5"
    screenshot("board", board)
    screenshot("clinic", clinic)

    clinic.click("[data-testid=call-next]")
    board.wait_for_function(
        "() => document.querySelector('[data-testid=calling-K01]').textContent.trim() === '2'"
    )
    # the fragments are real, decodable audio files served by kcb06 itself
    status = board.evaluate("fetch('/static/visits/sounds/moi_so.wav').then(r => r.status)")
    assert status == 200
