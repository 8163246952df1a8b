"""check_in as reception, kiosk and API use it: one scan → patient, verdict, visit, ticket."""

import re

import pytest
from django.db import connection

from kcb06.audit.models import AuditEntry
from kcb06.errors import DomainError
from kcb06.patients.models import Patient, PatientIdentifier
from kcb06.visits import departments, services
from kcb06.visits.models import DailyCheckIn, DailyCounter, DepartmentClosure, Ticket, Visit
from kcb06.visits.signals import visit_checked_in
from tests.visits.helpers import INVALID, NO_CARD, UNVERIFIED, VALID, principal, today

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("checkin_writer")]


def test_valid_card_creates_patient_visit_and_ticket(org, portal):
    seen = []
    visit_checked_in.connect(
        lambda sender, visit, principal, **kw: seen.append(visit.pk), weak=False, dispatch_uid="t1"
    )
    try:
        r = services.check_in(VALID, "K01", principal(org))
    finally:
        visit_checked_in.disconnect(dispatch_uid="t1")
    assert r.created and r.verdict["outcome"] == "valid"
    assert r.patient.full_name == "Nguyễn Văn Hợp Lệ Demo"
    assert re.fullmatch(rf"27901{today():%Y%m%d}\d{{6}}", r.visit.ma_lk)
    assert r.visit.uses_bhyt and r.visit.card_number == "HC4272700000000"
    assert r.visit.card_valid_from is not None and r.visit.visit_type == "01"
    assert r.ticket.number == 1 and r.ticket.department.code == "K01"
    assert seen == [r.visit.pk]
    # identifiers: ID number and the card from the portal's answer
    kinds = set(PatientIdentifier.objects.filter(patient=r.patient).values_list("kind", flat=True))
    assert {"id_number", "bhyt_card"} <= kinds
    assert r.patient.facility_links.filter(facility__code="27901").exists()


def test_same_scan_same_department_same_day_returns_same_visit_and_ticket(org, portal):
    p = principal(org)
    first = services.check_in(VALID, "K01", p)
    again = services.check_in("\ufeff" + VALID + "\r\n", "K01", p)
    assert not again.created
    assert again.visit.pk == first.visit.pk and again.ticket.number == first.ticket.number
    other = services.check_in(VALID, "K19", p)
    assert other.created and other.visit.pk != first.visit.pk and other.ticket.number == 1
    assert Visit.objects.count() == 2 and Patient.objects.count() == 1


@pytest.mark.parametrize(
    ("scan", "outcome", "uses_bhyt"),
    [(INVALID, "invalid", False), (NO_CARD, "no_card", False), (UNVERIFIED, "unverified", False)],
)
def test_other_verdicts_register_under_normal_procedure(org, portal, scan, outcome, uses_bhyt):
    r = services.check_in(scan, "K01", principal(org))
    assert r.verdict["outcome"] == outcome
    assert r.verdict["reason_vi"]
    assert r.visit.eligibility_outcome == outcome and r.visit.uses_bhyt is uses_bhyt
    assert r.ticket.number == 1


def test_unverified_visit_is_updated_when_the_verdict_resolves(org, portal):
    from kcb06.eligibility.services import Verdict
    from kcb06.eligibility.signals import verdict_resolved

    r = services.check_in(UNVERIFIED, "K01", principal(org))
    assert r.visit.eligibility_outcome == "unverified"
    assert r.visit.eligibility_check_id

    class Check:
        pk = r.visit.eligibility_check_id

    verdict = Verdict("invalid", "070", "Thẻ hết hạn.", "Khám theo dịch vụ.", None)
    verdict_resolved.send(sender=None, check=Check(), verdict=verdict)
    r.visit.refresh_from_db()
    assert r.visit.eligibility_outcome == "invalid"
    assert r.visit.eligibility_detail["reason_vi"] == "Thẻ hết hạn."


@pytest.mark.parametrize(
    "scan",
    [
        "8934673123457",  # a product barcode (EAN-13)
        "027085000001||Nguyễn Văn Hợp",  # half a QR
        "PARK|B1-0234|29A12345|2026-11-23T07:14|GATE2",  # a parking ticket QR
        "",
    ],
)
def test_not_an_id_is_a_clear_error_and_writes_nothing(org, portal, scan):
    with pytest.raises(DomainError) as exc:
        services.check_in(scan, "K01", principal(org))
    assert exc.value.message_vi and exc.value.status == 400
    assert not Visit.objects.exists() and not Patient.objects.exists()


def test_department_closed_today(org, portal):
    dep = org["facilities"]["27901"].departments.get(code="K28")
    DepartmentClosure.objects.create(department=dep, day=today(), reason="bác sĩ đi tập huấn")
    with pytest.raises(DomainError) as exc:
        services.check_in(VALID, "K28", principal(org))
    assert exc.value.code == "department_closed" and "tập huấn" in exc.value.message_vi
    assert not Visit.objects.exists() and not Patient.objects.exists()
    deps = {d["code"]: d for d in departments.departments_today(principal(org))}
    assert deps["K28"]["open_today"] is False and deps["K01"]["open_today"] is True


def test_unknown_department_and_wrong_role(org, portal):
    with pytest.raises(DomainError) as exc:
        services.check_in(VALID, "K99", principal(org))
    assert exc.value.code == "department_unknown"
    with pytest.raises(DomainError) as exc:
        services.check_in(VALID, "K01", principal(org, "bacsi"))
    assert exc.value.status == 403


def test_typed_id_number_unknown_asks_for_details_then_checks_in(org, portal):
    p = principal(org)
    with pytest.raises(services.NeedsDetails):
        services.check_in("027070000010", "K01", p)
    assert not Patient.objects.exists()
    r = services.check_in(
        "027070000010",
        "K01",
        p,
        confirm={"full_name": "Bùi Văn Hết Hạn Demo", "date_of_birth": "1970-09-09", "sex": "male"},
    )
    assert r.created and r.patient.full_name == "Bùi Văn Hết Hạn Demo"
    assert r.verdict["outcome"] == "invalid"


def test_typed_id_number_of_known_patient_uses_stored_data(org, portal):
    p = principal(org)
    first = services.check_in(VALID, "K01", p)
    r = services.check_in("027085000001", "K19", p)
    assert r.patient.pk == first.patient.pk and r.verdict["outcome"] == "valid"
    # the typed BHYT number of the same person finds the same record
    r2 = services.check_in("HC4272700000000", "K01", p)
    assert r2.patient.pk == first.patient.pk and not r2.created


def test_likely_duplicate_without_id_number_needs_the_clerks_choice(org, portal):
    from kcb06.patients.models import PatientFacility
    from kcb06.patients.names import name_key

    p = principal(org)
    old = Patient.objects.create(
        full_name="Nguyen Van Hop Le Demo",
        name_key=name_key("Nguyen Van Hop Le Demo"),
        date_of_birth=today().replace(year=1985, month=8, day=15),
        birth_year=1985,
        sex="male",
    )
    PatientFacility.objects.create(patient=old, facility=org["facilities"]["27901"])
    with pytest.raises(DomainError) as exc:
        services.check_in(VALID, "K01", p)
    assert exc.value.code == "possible_duplicates"
    assert exc.value.candidates[0]["id"] == old.pk
    assert not Visit.objects.exists()
    r = services.check_in(VALID, "K01", p, confirm={"link_patient_id": old.pk})
    assert r.patient.pk == old.pk
    # the card QR is authoritative for the name once linked
    old.refresh_from_db()
    assert old.full_name == "Nguyễn Văn Hợp Lệ Demo"


def test_lost_database_connection_writes_nothing(transactional_db, org, portal):
    """The connection dies in the middle of the write: a clear 503, no row survives."""

    def kill(sender, visit, principal, **kw):
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        from django.db import OperationalError

        raise OperationalError("server closed the connection unexpectedly")

    visit_checked_in.connect(kill, weak=False, dispatch_uid="kill")
    try:
        with pytest.raises(DomainError) as exc:
            services.check_in(NO_CARD, "K01", principal(org))
    finally:
        visit_checked_in.disconnect(dispatch_uid="kill")
    assert exc.value.code == "database_unavailable" and exc.value.status == 503
    connection.ensure_connection()
    assert not Visit.objects.exists() and not Ticket.objects.exists()
    assert not Patient.objects.exists()
    # the ticket counter rolled back with the check-in (the MA_LK counter may keep a gap)
    assert not DailyCounter.objects.filter(scope__startswith="ticket:").exists()
    # and the next check-in works and gets number 1 (no gap)
    r = services.check_in(NO_CARD, "K01", principal(org))
    assert r.ticket.number == 1


def test_second_department_same_day_asks_no_portal_and_few_queries(org, portal, checkin_writer):
    """The commonest check-in of all: a patient already seen today goes to another department.
    The morning's verdict (asked by ID number) serves the card kcb06 now knows, and the whole
    check-in stays a short, fixed list of statements."""
    import httpx
    from django.test.utils import CaptureQueriesContext

    def portal_checks():
        return httpx.get(f"{portal.url}/_control/stats").json()["calls"].get("card_check", 0)

    p = principal(org)
    first = services.check_in(VALID, "K01", p)
    before = portal_checks()
    last_audit = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    with CaptureQueriesContext(connection) as queries:
        second = services.check_in(VALID, "K19", p)
    assert second.created and second.verdict["outcome"] == "valid"
    assert second.verdict["from_cache"] and second.visit.eligibility_check_id == (
        first.visit.eligibility_check_id
    )
    assert portal_checks() == before
    # The verdict read from the cache is audited in the visit's own entry, not apart.
    new = list(AuditEntry.objects.filter(pk__gt=last_audit))
    assert [(e.purpose, e.object_id) for e in new] == [("check_in", str(second.visit.pk))]
    assert new[0].detail["eligibility_check"] == first.visit.eligibility_check_id
    assert new[0].detail["eligibility"]["outcome"] == "valid"
    # 14 statements with PostgreSQL's writer; 19 with the portable one on SQLite (its audit
    # append is 3 statements, and savepoints stand in for the transactions inside the test's
    # own), 18 on PostgreSQL: a fixed list.
    limit = {"pg": 14, "orm": 19 if connection.vendor == "sqlite" else 18}[checkin_writer]
    assert len(queries.captured_queries) <= limit, "\n".join(q["sql"][:90] for q in queries)


def test_visit_without_a_ticket_today_is_not_the_patients_ticket(org, portal):
    """A visit recorded today without a queue ticket (imported, or the demo's closed visits)
    is not "already checked in": the scan issues a ticket, and the clerk's panel lists only
    visits that have a number."""
    p = principal(org)
    first = services.check_in(VALID, "K01", p)
    # Made into an imported visit: no ticket, and so no DailyCheckIn row (only check-in makes
    # those, with the ticket).
    Visit.objects.filter(pk=first.visit.pk).update(status="closed")
    Ticket.objects.filter(visit=first.visit).delete()
    DailyCheckIn.objects.filter(patient=first.patient).delete()
    again = services.check_in(VALID, "K01", p)
    assert again.created and again.ticket.number == 2 and again.visit.pk != first.visit.pk
    shown = services.preview(VALID, p).existing
    assert [v.pk for v in shown] == [again.visit.pk]
