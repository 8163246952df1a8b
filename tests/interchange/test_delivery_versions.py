"""Delivery by regulation version, over real HTTP to portalsim (issue #19): each file goes to
the endpoint of the version it was built under (OutboxItem.version), whatever today's date, and
portalsim judges it under that version; a file built under the wrong version is refused by
portalsim with its reason. Runs the PostgreSQL claim path too (DATABASE_URL)."""

from datetime import date

import pytest
from django.utils import timezone

from kcb06.healthbook import services
from kcb06.interchange import jobs, outbox
from kcb06.interchange.core import versions
from kcb06.interchange.models import OutboxItem, OutboxKind, OutboxState
from tests.healthbook import factories as f
from tests.interchange.claimhelpers import TRANSFER, referred_visit
from tests.portalsim.sending import outcome, send

OLD_DAY, NEW_DAY = date(2024, 11, 20), date(2025, 3, 4)


@pytest.fixture(autouse=True)
def _db(transactional_db):
    """Real commits: the worker's claims and updates are separate transactions."""


def _queued(org, day, ma_lk, version=None):
    facility, v = org["facilities"]["27901"], referred_visit(day, ma_lk)
    claim = outbox.enqueue_claim_data(facility, None, v, version=version)
    checkin = outbox.enqueue_checkin_data(facility, None, v, version=version)
    return claim, checkin


def _delivered(*items):
    jobs.deliver_pending()
    for item in items:
        item.refresh_from_db()
    return items


def test_a_4750_visit_and_a_3176_visit_each_go_to_their_own_endpoint_and_are_accepted(
    org, signer_27901, receiving
):
    old = _delivered(*_queued(org, OLD_DAY, "27901.D000001"))
    new = _delivered(*_queued(org, NEW_DAY, "27901.D000002"))
    for items, code in ((old, "qd4750"), (new, "qd3176")):
        for item in items:
            assert item.version == code
            assert item.state == OutboxState.ACCEPTED, item.last_error
    assert receiving.get("/_control/receiving/stats").json()["claim"]["accepted_visits"] == 2
    # portalsim takes each only on its own endpoint: the other one refuses it.
    for (claim, checkin), other in ((old, versions.QD3176), (new, versions.QD4750)):
        refused = send(receiving, bytes(claim.signed), version=other)
        assert outcome(refused) == ("400", "wrong_regulation"), refused["thongDiep"]
        refused = send(receiving, bytes(checkin.signed), "checkin", version=other)
        assert outcome(refused) == ("400", "wrong_regulation"), refused["thongDiep"]


def test_a_2024_visit_re_sent_today_goes_to_4750_rebuilt_and_validated_under_it(
    org, signer_27901, receiving
):
    visit = f.visit(f.patient(), days_ago=(timezone.localdate() - OLD_DAY).days)
    # No drug: the factory's typed drug line has no tender details (TT_THAU), which the
    # portal's published rules ask for; the services and the referral are what this is about.
    services.close_visit(f.principal(org), visit, {**TRANSFER, "prescriptions": []})
    item = OutboxItem.objects.filter(visit=visit, kind=OutboxKind.CLAIM).latest("pk")
    receiving.post(
        "/_control/faults", json={"mode": "code:400", "endpoints": ["xml_claim"], "count": 1}
    )
    (item,) = _delivered(item)
    assert (item.state, item.version) == (OutboxState.REJECTED, "qd4750")
    (item,) = _delivered(outbox.resend(item))
    assert item.state == OutboxState.ACCEPTED, item.result_message
    assert item.version == "qd4750" and "<MA_NOI_DEN>27001</MA_NOI_DEN>" in item.tables["XML13"]


@pytest.mark.parametrize(
    ("day", "built_under", "belongs"),
    [
        (NEW_DAY, versions.QD4750, "guiHoSoXmlQD3176"),
        (OLD_DAY, versions.QD3176, "guiHoSoXmlQD4750"),
    ],
)
def test_a_file_built_under_the_wrong_version_is_refused_by_portalsim_with_its_reason(
    org, signer_27901, receiving, day, built_under, belongs
):
    claim, _ = _delivered(*_queued(org, day, "27901.D000003", version=built_under))
    assert claim.version == built_under.code
    assert (claim.state, claim.result_code) == (OutboxState.REJECTED, "400")
    assert f"NGAY_VAO {day:%d/%m/%Y}" in claim.result_message and belongs in claim.result_message
    assert receiving.get("/_control/receiving/stats").json()["claim"]["versions"] == 0
