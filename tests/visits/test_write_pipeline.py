"""A check-in's write arrives whole or not at all, outside any test transaction: with
PostgreSQL's writer its rows, audit entry, ticket and COMMIT go in one pipeline
(kcb06.visits.checkin.pg_writer), linked by the ids reserved ahead; the portable writer is run
against the same checks."""

import pytest
from django.db import DatabaseError, connection

from kcb06.audit.models import AuditEntry
from kcb06.audit.services import verify
from kcb06.interchange.models import OutboxItem
from kcb06.patients.models import IdentifierKind, Patient, PatientFacility, PatientIdentifier
from kcb06.visits import services
from kcb06.visits.models import DailyCounter, Ticket, Visit
from tests.visits.helpers import principal, synthetic

pytestmark = pytest.mark.usefixtures("checkin_writer")


@pytest.fixture
def pg_only(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the pipelined write is PostgreSQL's; SQLite writes statement by statement")


def test_new_then_returning_patient_arrive_whole_and_linked(pg_only, org, portal):
    p = principal(org)
    scan = synthetic(7)
    first = services.check_in(scan, "K01", p)
    patient = Patient.objects.get()
    assert first.patient.pk == patient.pk and first.visit.patient_id == patient.pk
    assert PatientIdentifier.objects.filter(
        patient=patient, kind=IdentifierKind.ID_NUMBER, is_active=True
    ).exists()
    assert PatientFacility.objects.filter(
        patient=patient, facility=org["facilities"]["27901"]
    ).exists()
    visit = Visit.objects.get(pk=first.visit.pk)
    assert visit.ma_lk == first.visit.ma_lk and visit.ticket.number == first.ticket.number == 1
    # XML0 names the reserved ids: the patient's MA_BN and the visit's MA_LK.
    xml0 = OutboxItem.objects.get(visit=visit).tables["XML0"]
    assert f"<MA_BN>BN{patient.pk:08d}</MA_BN>" in xml0 and f"<MA_LK>{visit.ma_lk}</MA_LK>" in xml0
    second = services.check_in(scan, "K19", p)
    assert second.created and second.patient.pk == patient.pk and second.ticket.number == 1
    assert Visit.objects.filter(patient=patient).count() == 2
    audited = AuditEntry.objects.filter(object_type="visit", purpose="check_in")
    assert sorted(audited.values_list("object_id", flat=True)) == sorted(
        [str(first.visit.pk), str(second.visit.pk)]
    )
    assert verify().ok


def test_a_failure_inside_the_pipeline_leaves_nothing(pg_only, org, portal):
    """The ticket's statement fails after the rows were sent: none of them survives."""
    with connection.cursor() as c:
        c.execute(
            "CREATE FUNCTION test_no_tickets() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'no tickets today'; END; $$ LANGUAGE plpgsql"
        )
        c.execute(
            "CREATE TRIGGER test_no_tickets BEFORE INSERT ON visits_ticket "
            "FOR EACH ROW EXECUTE FUNCTION test_no_tickets()"
        )
    try:
        with pytest.raises(DatabaseError):
            services.check_in(synthetic(8), "K01", principal(org))
    finally:
        with connection.cursor() as c:
            c.execute("DROP TRIGGER test_no_tickets ON visits_ticket")
            c.execute("DROP FUNCTION test_no_tickets()")
    assert not Patient.objects.exists() and not PatientIdentifier.objects.exists()
    assert not Visit.objects.exists() and not OutboxItem.objects.exists()
    assert not AuditEntry.objects.filter(purpose="check_in").exists()
    assert not Ticket.objects.exists()
    assert not DailyCounter.objects.filter(scope__startswith="ticket:").exists()
    # The next check-in goes through whole, with ticket 1.
    assert services.check_in(synthetic(8), "K01", principal(org)).ticket.number == 1
    assert verify().ok
