"""Queue numbers: per department per day, no gap and no duplicate under concurrency."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection, connections

from kcb06.visits import numbers, services
from kcb06.visits.models import Ticket, Visit
from tests.visits.helpers import principal, synthetic, today

pytestmark = pytest.mark.usefixtures("checkin_writer")

N = 16
ROOT = Path(__file__).resolve().parents[2]


def test_concurrent_check_ins_on_a_sqlite_file_get_exactly_1_to_n(portal, tmp_path):
    """Several clerks/kiosks/workers at once on SQLite (a real file, its own process)."""
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update({"KCB06_DATA_DIR": str(tmp_path), "KCB06_PORTAL_URL": portal.url})
    out = subprocess.run(
        [sys.executable, "-m", "tests.visits.race_probe", str(N)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    assert result["numbers"] == list(range(1, N + 1))


def test_concurrent_check_ins_get_exactly_1_to_n(transactional_db, org, portal):
    """Threads in this process: the PostgreSQL case (SQLite runs in the probe above)."""
    if connection.vendor != "postgresql":
        pytest.skip("in-memory SQLite test DB has no real concurrency; see the file probe")
    p = principal(org)
    scans = [synthetic(i) for i in range(N)]
    services.check_in(scans[0], "K19", p)  # warm up: portal token, first counter row
    barrier = threading.Barrier(N - 1)
    errors = []

    def worker(scan):
        try:
            barrier.wait(10)
            services.check_in(scan, "K19", p)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(s,)) for s in scans[1:]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    numbers = sorted(
        Ticket.objects.filter(department__code="K19", day=today()).values_list("number", flat=True)
    )
    assert numbers == list(range(1, N + 1)), connection.vendor
    ma_lk = list(Visit.objects.values_list("ma_lk", flat=True))
    assert len(set(ma_lk)) == N


def _scan_at_once(scan: str, department: str, principal_, n: int = 4):
    """n threads check the same scan in at the same instant: (results, errors)."""
    barrier = threading.Barrier(n)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(10)
            results.append(services.check_in(scan, department, principal_))
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results, errors


def test_two_scans_in_quick_succession_give_one_visit(transactional_db, org, portal):
    """A scanner that fires twice (or two clerks with the same patient) → one visit, one ticket."""
    if connection.vendor != "postgresql":
        pytest.skip("in-memory SQLite test DB has no real concurrency; see the file probe")
    results, errors = _scan_at_once(synthetic(99), "K01", principal(org))
    assert errors == []
    assert Visit.objects.count() == 1 and Ticket.objects.count() == 1
    assert {r.ticket.number for r in results} == {1}
    assert sum(r.created for r in results) == 1


def test_known_patient_scanned_twice_at_once_for_a_new_department_gets_one_visit(
    transactional_db, org, portal
):
    """The race the patient's row lock settles: a returning patient, two scans at the same
    moment for a department not yet visited today. The read after the lock must see the
    other's visit, and the visit id the lock's statement reserves must not be reused."""
    if connection.vendor != "postgresql":
        pytest.skip("in-memory SQLite test DB has no real concurrency; see the file probe")
    p = principal(org)
    scan = synthetic(98)
    services.check_in(scan, "K01", p)
    for department in ("K19", "K28", "K33"):
        results, errors = _scan_at_once(scan, department, p)
        assert errors == []
        assert Visit.objects.filter(department__code=department).count() == 1
        assert {r.visit.pk for r in results} == {results[0].visit.pk}
        assert sum(r.created for r in results) == 1


@pytest.mark.django_db
def test_counter_is_per_department_and_day(org):
    from datetime import date

    from django.db import transaction

    with transaction.atomic():
        a = [numbers.bump_counter("ticket:1", date(2026, 1, 1)) for _ in range(3)]
        b = numbers.bump_counter("ticket:2", date(2026, 1, 1))
        c = numbers.bump_counter("ticket:1", date(2026, 1, 2))
    assert a == [1, 2, 3] and b == 1 and c == 1
    assert numbers.make_ma_lk("27901", date(2026, 1, 2), 42) == "2790120260102000042"


@pytest.mark.parametrize("new_address", [False, True], ids=["same-card-data", "new-address"])
def test_check_in_racing_a_merge_lands_on_the_surviving_record(
    transactional_db, org, portal, new_address
):
    """A returning patient scanned while a facility admin merges the record into another: the
    check-in read the record before the merge committed, so it must not put the new visit on
    the record merged away (it would vanish from the survivor's history). With a new address
    on the card the check-in takes the patient's row lock; without, it takes none."""
    if connection.vendor != "postgresql":
        pytest.skip("in-memory SQLite test DB has no real concurrency; see the file probe")
    from django.db import transaction

    from kcb06.patients import services as mpi
    from kcb06.patients.models import PatientFacility

    scan = synthetic(97)
    source = services.check_in(scan, "K01", principal(org)).patient
    if new_address:
        scan = scan.replace("Thôn Demo", "Xóm Mới Demo")
    target = mpi.safe_create(
        mpi.PersonData(source.full_name, source.date_of_birth, source.sex, card_number="")
    )
    PatientFacility.objects.create(
        patient=target, facility_id=source.facility_links.get().facility_id
    )
    merged, finish, results, errors = threading.Event(), threading.Event(), [], []

    def merge():
        try:
            with transaction.atomic():  # the merge holds both rows locked until this commits
                mpi.merge(principal(org, "quantri"), source.pk, target.pk)
                merged.set()
                finish.wait(20)
        finally:
            connections.close_all()

    def check_in():
        try:
            results.append(services.check_in(scan, "K19", principal(org)))
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    merger = threading.Thread(target=merge)
    merger.start()
    assert merged.wait(20)
    scanner = threading.Thread(target=check_in)
    scanner.start()
    with connection.cursor() as cursor:  # until the check-in waits on the merge's row lock
        for _ in range(400):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
            if cursor.fetchone()[0] or not scanner.is_alive():
                break
            threading.Event().wait(0.05)
    finish.set()
    merger.join(30)
    scanner.join(30)
    assert errors == []
    assert results[0].patient.pk == target.pk
    assert Visit.objects.get(department__code="K19").patient_id == target.pk
    assert not Visit.objects.filter(patient_id=source.pk).exists()


@pytest.mark.django_db
def test_daily_check_in_rows_of_past_days_are_pruned(org):
    from datetime import timedelta

    from kcb06.patients import services as mpi
    from kcb06.visits.jobs import prune_daily_check_ins
    from kcb06.visits.models import DailyCheckIn

    patient = mpi.safe_create(mpi.PersonData("Lê Văn Cũ Demo", today(), "male"))
    department = org["facilities"]["27901"].departments.get(code="K01")
    for age in range(4):
        DailyCheckIn.objects.create(
            patient=patient, department=department, day=today() - timedelta(days=age)
        )
    assert prune_daily_check_ins() == 2
    kept = sorted(DailyCheckIn.objects.values_list("day", flat=True))
    assert kept == [today() - timedelta(days=1), today()]
    assert prune_daily_check_ins() == 0


@pytest.mark.django_db
def test_the_database_itself_refuses_a_second_visit_key_or_ticket_token(org, portal):
    """MA_LK links the XML tables and the ticket token is what the QR shows: both stay unique
    in the database (constraints, not only unique=True), whatever code writes the row."""
    from django.db import IntegrityError, transaction

    first = services.check_in(synthetic(1), "K19", principal(org))
    second = services.check_in(synthetic(2), "K19", principal(org))
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.filter(pk=second.visit.pk).update(ma_lk=first.visit.ma_lk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=second.ticket.pk).update(token=first.ticket.token)
    assert Visit.objects.get(pk=second.visit.pk).ma_lk == second.visit.ma_lk
