"""From real visits to the outbox: check-in and closing write their rows in the same
transaction; a correction replaces the pending file; a rolled-back closing leaves nothing."""

import pytest
from django.db import transaction
from lxml import etree

from kcb06.healthbook import services
from kcb06.interchange import jobs
from kcb06.interchange.models import OutboxItem, OutboxKind, OutboxState
from kcb06.visits.models import Visit
from kcb06.visits.signals import visit_checked_in
from tests.healthbook import factories as f

CLOSE = dict(f.CLOSE, weight_kg="58.5")


@pytest.fixture
def bacsi(org):
    return f.principal(org)


def _claims(visit):
    return OutboxItem.objects.filter(visit=visit, kind=OutboxKind.CLAIM).order_by("pk")


@pytest.mark.django_db
def test_check_in_signal_writes_the_xml0_row(org, bacsi):
    visit = f.visit(f.patient())
    with transaction.atomic():
        visit_checked_in.send(sender=Visit, visit=visit, principal=bacsi)
    item = OutboxItem.objects.get(visit=visit, kind=OutboxKind.CHECKIN)
    assert item.state == OutboxState.WAITING, item.errors
    row = etree.fromstring(item.tables["XML0"].encode()).find(".//TRANG_THAI_KCB")
    assert row.findtext("MA_LK") == visit.ma_lk
    assert row.findtext("MA_DICH_VU")  # the examination: first cost of an outpatient visit


@pytest.mark.django_db
def test_closing_writes_a_valid_claim_and_a_correction_supersedes_it(org, drug_catalogue, bacsi):
    visit = f.visit(f.patient())
    services.close_visit(bacsi, visit, dict(CLOSE))
    (item,) = _claims(visit)
    assert item.state == OutboxState.WAITING, item.errors
    xml1 = etree.fromstring(item.tables["XML1"].encode())
    assert xml1.findtext("MA_BENH_CHINH") == "J06.9"
    assert xml1.findtext("MA_BENH_KT") == "I10"
    assert xml1.findtext("KET_QUA_DTRI") == "2"
    assert "XML2" in item.tables  # the prescription
    corrected = dict(CLOSE, main_icd10="J02.9", version=1)
    services.close_visit(bacsi, visit, corrected)
    first, second = _claims(visit)
    assert first.state == OutboxState.SUPERSEDED
    assert second.state == OutboxState.WAITING, second.errors
    assert etree.fromstring(second.tables["XML1"].encode()).findtext("MA_BENH_CHINH") == "J02.9"


@pytest.mark.django_db
def test_missing_weight_is_refused_at_closing_and_names_the_field(org, drug_catalogue, bacsi):
    from kcb06.healthbook.claimcheck import ClosureProblems

    visit = f.visit(f.patient())
    no_weight = dict(f.CLOSE, weight_kg="")  # CAN_NANG is required in XML1
    with pytest.raises(ClosureProblems) as err:
        services.close_visit(bacsi, visit, no_weight)
    assert [field for field, _ in err.value.problems] == ["weight_kg"]
    assert not _claims(visit).exists()
    services.close_visit(bacsi, visit, dict(CLOSE))
    assert _claims(visit).last().state == OutboxState.WAITING


@pytest.mark.django_db
def test_rolled_back_closing_leaves_no_outbox_row(org, bacsi):
    visit = f.visit(f.patient())
    with pytest.raises(RuntimeError), transaction.atomic():
        services.close_visit(bacsi, visit, dict(CLOSE))
        raise RuntimeError("crash after closing")
    assert not _claims(visit).exists()


def test_closed_visit_reaches_the_portal_and_its_correction_replaces_it(
    transactional_db, org, bacsi, signer_27901, receiving
):
    """The portal refuses a drug line without tender data (TT_THAU): the facility prescribes
    from its catalogue (the demo's), which carries it."""
    from kcb06.catalogue import demo as catalogue_demo

    catalogue_demo.seed()
    CLOSE = dict(
        globals()["CLOSE"],
        prescriptions=[dict(f.CLOSE["prescriptions"][0], drug_code="40.9001")],
    )
    visit = f.visit(f.patient())
    services.close_visit(bacsi, visit, dict(CLOSE))
    jobs.deliver_pending()
    (item,) = _claims(visit)
    assert item.state == OutboxState.ACCEPTED, (item.last_error, item.result_message)
    services.close_visit(bacsi, visit, dict(CLOSE, note="Uống nhiều nước", version=1))
    jobs.deliver_pending()
    first, second = _claims(visit)
    assert (first.state, second.state) == (OutboxState.ACCEPTED, OutboxState.ACCEPTED)
    versions = receiving.get(f"/_control/receiving/stats?ma_lk={visit.ma_lk}").json()["versions"]
    assert [v["current"] for v in versions if v["kind"] == "claim"] == [False, True]
