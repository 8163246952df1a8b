"""Reception desk, ticket print, kiosk steps, clinic calls and board state (Django client)."""

import io

import pytest
import segno

from kcb06.visits.models import Ticket, Visit
from tests.visits.helpers import NO_CARD, UNVERIFIED, VALID

pytestmark = pytest.mark.django_db


def test_reception_scan_shows_patient_verdict_and_departments(login, portal):
    c = login("tiepdon")
    page = c.get("/reception/")
    assert page.status_code == 200 and b'data-testid="scan-field"' in page.content
    r = c.post("/reception/scan/", {"scan": VALID})
    html = r.content.decode()
    assert "Nguyễn Văn Hợp Lệ Demo" in html and 'data-outcome="valid"' in html
    assert "Khoa Nhi" in html and not Visit.objects.exists()  # preview writes nothing
    r = c.post("/reception/check-in/", {"scan": VALID, "department": "K19"})
    assert 'data-testid="ticket-number">1<' in r.content.decode()
    ticket = Ticket.objects.get()
    html = c.get(f"/tickets/{ticket.token}/").content.decode()
    assert "027085000001" not in html and "NVHLD" in html and "<svg" in html
    pdf = c.get(f"/tickets/{ticket.token}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_reception_errors_are_shown_not_500(login, portal):
    c = login("tiepdon")
    r = c.post("/reception/scan/", {"scan": "8934673123457"})
    assert r.status_code == 200 and 'data-testid="scan-error"' in r.content.decode()
    r = c.post("/reception/scan/", {"scan": "027070000010"})
    assert 'data-testid="details-form"' in r.content.decode()
    r = c.post(
        "/reception/scan/",
        {
            "scan": "027070000010",
            "full_name": "Bùi Văn Hết Hạn Demo",
            "date_of_birth": "1970-09-09",
            "sex": "male",
        },
    )
    assert 'data-outcome="invalid"' in r.content.decode()


def test_reception_forbidden_for_clinician(login):
    assert login("bacsi").get("/reception/").status_code == 403


def test_kiosk_flow_scan_confirm_department_ticket(login, portal):
    c = login("tiepdon")
    assert b'data-idle-seconds="60"' in c.get("/kiosk/").content
    r = c.post("/kiosk/step/", {"step": "scan", "scan": UNVERIFIED}).content.decode()
    assert "kiosk-step-confirm" in r and "Phan Văn Máy Chủ Demo" in r and "03/01/1977" in r
    r = c.post("/kiosk/step/", {"step": "departments", "scan": UNVERIFIED}).content.decode()
    assert "kiosk-dep-K01" in r and "kiosk-back" in r
    r = c.post("/kiosk/step/", {"step": "ticket", "scan": UNVERIFIED, "department": "K01"})
    assert 'data-testid="kiosk-ticket-number">1<' in r.content.decode()


def test_kiosk_camera_frame_is_decoded_server_side(login, portal):
    c = login("tiepdon")
    buf = io.BytesIO()
    segno.make(NO_CARD, error="m").save(buf, kind="png", scale=6)
    buf.seek(0)
    buf.name = "frame.png"
    r = c.post("/kiosk/step/", {"step": "scan", "image": buf}).content.decode()
    assert "kiosk-step-confirm" in r and "Ngô Thị Chưa Thẻ Demo" in r
    blank = io.BytesIO()
    segno.make("x").save(blank, kind="png")  # a QR, but not an ID
    blank.seek(0)
    blank.name = "x.png"
    r = c.post("/kiosk/step/", {"step": "scan", "image": blank}).content.decode()
    assert "kiosk-error" in r
    junk = io.BytesIO(b"not an image")
    junk.name = "x.jpg"
    r = c.post("/kiosk/step/", {"step": "scan", "image": junk}).content.decode()
    assert 'data-code="image_invalid"' in r


def test_kiosk_sends_typed_numbers_to_the_desk(login, portal):
    c = login("tiepdon")
    r = c.post("/kiosk/step/", {"step": "scan", "scan": "027070000010"})
    assert 'data-testid="kiosk-step-dob"' in r.content.decode()  # no name: the DOB first
    r = c.post("/kiosk/step/", {"step": "dob", "scan": "027070000010", "dob": "09091970"})
    assert 'data-code="kiosk_needs_desk"' in r.content.decode()  # not known here


def test_clinic_calls_and_board_shows_the_number(login, portal, client):
    c = login("tiepdon")
    for scan in (VALID, NO_CARD):
        c.post("/reception/check-in/", {"scan": scan, "department": "K01"})
    dep = Ticket.objects.first().department
    c = login("bacsi")
    r = c.post("/clinic/next/", {"department": dep.pk}).content.decode()
    assert 'data-testid="clinic-calling">1<' in r
    state = c.get("/board/state/").json()
    k01 = next(x for x in state["rooms"] if x["department"] == "K01")
    assert k01["calling"] == 1 and k01["waiting"] == 1 and k01["room"] == "1"
    seq = k01["call_seq"]
    c.post("/clinic/recall/", {"department": dep.pk})
    k01 = next(x for x in c.get("/board/state/").json()["rooms"] if x["department"] == "K01")
    assert k01["calling"] == 1 and k01["call_seq"] != seq  # a recall is announced again
    c.post("/clinic/absent/", {"department": dep.pk})
    r = c.post("/clinic/next/", {"department": dep.pk}).content.decode()
    assert 'data-testid="clinic-calling">2<' in r
    r = c.post("/clinic/next/", {"department": dep.pk}).content.decode()
    assert "Không còn người chờ" in r
    assert list(Ticket.objects.order_by("number").values_list("status", flat=True)) == [
        "absent",
        "done",
    ]
    assert "Đang mời số" in c.get("/board/").content.decode()


@pytest.mark.parametrize("typed", ["02/03/1999", "02031999", "02.03.1999", "1999-03-02"])
def test_details_birth_date_is_read_day_first_whatever_the_browser(login, portal, typed):
    """The details form's date is a text field read day first (a browser's date input followed
    the browser's locale: month first in an English one, so 02031999 became 3 February)."""
    c = login("tiepdon")
    body = {"scan": "027099000123", "full_name": "Trần Thị Thử Demo", "sex": "female"}
    html = c.post("/reception/scan/", {**body, "date_of_birth": typed}).content.decode()
    assert "02/03/1999" in html and 'data-testid="verdict"' in html


def test_details_birth_date_unreadable_asks_again(login, portal):
    c = login("tiepdon")
    body = {"scan": "027099000123", "full_name": "Trần Thị Thử Demo", "sex": "female"}
    html = c.post("/reception/scan/", {**body, "date_of_birth": "31/02/1999"}).content.decode()
    assert 'data-testid="details-form"' in html and 'data-testid="verdict"' not in html
