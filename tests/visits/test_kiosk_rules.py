"""Kiosk rules the pages cannot be trusted to enforce alone (a forged POST skips a step): the
date-of-birth gate of a typed number at every step, self-service departments only, and the
kiosk account's reach (kiosk pages, not the desk)."""

import pytest

from kcb06.visits.models import Visit
from kcb06.visits.services import check_in
from tests.visits.helpers import VALID, principal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("checkin_writer")]


@pytest.fixture
def kiosk_client(org, client):
    from kcb06.visits.demo import _kiosk_user

    client.force_login(_kiosk_user(org["facilities"]["27901"]))
    return client


def _step(c, **data):
    return c.post("/kiosk/step/", data).content.decode()


def test_a_typed_number_never_skips_the_date_of_birth(org, kiosk_client, portal):
    check_in(VALID, "K01", principal(org))
    before = Visit.objects.count()
    for step in ("departments", "ticket"):
        html = _step(kiosk_client, step=step, scan="027085000001", department="K19")
        assert 'data-code="kiosk_needs_desk"' in html and "Hợp Lệ" not in html
    html = _step(kiosk_client, step="ticket", scan="027085000001", dob="15/08/1985",
                 department="K19")  # fmt: skip
    assert 'data-testid="kiosk-step-ticket"' in html
    assert Visit.objects.count() == before + 1


def test_unknown_number_and_wrong_date_get_the_same_answer(org, kiosk_client, portal):
    check_in(VALID, "K01", principal(org))
    wrong = _step(kiosk_client, step="dob", scan="027085000001", dob="01011990")
    unknown = _step(kiosk_client, step="dob", scan="027099000123", dob="15081985")
    assert 'data-code="kiosk_needs_desk"' in wrong and 'data-code="kiosk_needs_desk"' in unknown
    assert wrong == unknown  # nothing tells whether the number exists


def test_no_ticket_for_a_department_that_is_not_self_service(kiosk_client, portal):
    html = _step(kiosk_client, step="ticket", scan=VALID, department="K02")
    assert 'data-code="department_not_self_service"' in html
    assert not Visit.objects.exists()


def test_the_kiosk_account_opens_the_kiosk_not_the_desk(kiosk_client):
    assert kiosk_client.get("/").url == "/kiosk/"
    assert kiosk_client.get("/kiosk/").status_code == 200
    assert kiosk_client.get("/reception/").status_code == 403
    assert kiosk_client.get("/patients/").status_code in (403, 404)
