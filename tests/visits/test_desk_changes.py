"""What the desk changes after a ticket (kcb06.visits.changes) and how it reads what the clerk
types (kcb06.visits.details, the search field): the rules behind the browser journeys."""

from datetime import date

import pytest
from django.utils import timezone

from kcb06.errors import DomainError
from kcb06.visits import changes, queue, services
from kcb06.visits.desk import record_choice, split_query
from kcb06.visits.details import read, read_birth_date
from kcb06.visits.models import DailyCheckIn, Ticket, TicketStatus, Visit
from tests.visits.helpers import NO_CARD, VALID, principal

pytestmark = pytest.mark.django_db


def test_cancel_keeps_the_number_and_frees_the_day(org, portal):
    clerk = principal(org)
    first = services.check_in(VALID, "K01", clerk)
    with pytest.raises(DomainError) as exc:
        changes.cancel_visit(clerk, first.visit.pk, "   ")
    assert exc.value.code == "reason_required"
    changes.cancel_visit(clerk, first.visit.pk, "về")
    cancelled = Visit.objects.get(pk=first.visit.pk)
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "về")
    assert not DailyCheckIn.objects.filter(patient_id=first.patient.pk).exists()
    with pytest.raises(DomainError) as exc:
        changes.cancel_visit(clerk, first.visit.pk, "lần hai")
    assert exc.value.code == "visit_cancelled"
    again = services.check_in(VALID, "K01", clerk)
    assert again.created and again.ticket.number == 2
    # the board's queue and the call ignore the cancelled ticket
    doctor = principal(org, "bacsi")
    assert queue.call_next(doctor, first.ticket.department_id).number == 2


def test_called_visit_can_be_neither_cancelled_nor_moved(org, portal):
    clerk = principal(org)
    r = services.check_in(VALID, "K01", clerk)
    queue.call_next(principal(org, "bacsi"), r.ticket.department_id)
    for change in (
        lambda: changes.cancel_visit(clerk, r.visit.pk, "nhầm"),
        lambda: changes.change_department(clerk, r.visit.pk, "K19"),
    ):
        with pytest.raises(DomainError) as exc:
            change()
        assert exc.value.code == "visit_in_progress"


def test_move_takes_the_next_number_there_and_refuses_a_second_ticket(org, portal):
    clerk = principal(org)
    a = services.check_in(VALID, "K01", clerk)
    services.check_in(NO_CARD, "K19", clerk)
    moved = changes.change_department(clerk, a.visit.pk, "k19")
    assert (moved.department.code, moved.ticket.number) == ("K19", 2)
    assert moved.ticket.token == a.ticket.token  # the reprinted ticket is the moved one
    assert DailyCheckIn.objects.filter(patient_id=a.patient.pk, department__code="K19").exists()
    # back at K01 the same day: a new visit, since the old one left
    assert services.check_in(VALID, "K01", clerk).created
    with pytest.raises(DomainError) as exc:
        changes.change_department(clerk, a.visit.pk, "K01")
    assert exc.value.code == "already_checked_in"
    with pytest.raises(DomainError) as exc:
        changes.change_department(clerk, a.visit.pk, "K19")
    assert exc.value.code == "same_department"


def test_other_facility_cannot_touch_the_visit(org, portal):
    r = services.check_in(VALID, "K01", principal(org))
    with pytest.raises(DomainError) as exc:
        changes.cancel_visit(principal(org, "tiepdon2"), r.visit.pk, "x")
    assert exc.value.status == 404


def test_priority_by_age_and_by_the_clerk(org, portal):
    today = date(2026, 12, 7)
    assert changes.age_priority(date(2020, 12, 8), today) == "child"  # 5 years old
    assert changes.age_priority(date(2020, 12, 7), today) == ""  # 6 today
    assert changes.age_priority(date(1951, 12, 7), today) == "elderly"  # 75 today
    assert changes.age_priority(date(1951, 12, 8), today) == ""
    clerk = principal(org)
    r = services.check_in(VALID, "K01", clerk)
    assert changes.set_priority(clerk, r.ticket, r.patient, "nonsense") == ""
    assert changes.set_priority(clerk, r.ticket, r.patient, "merit") == "merit"
    assert Ticket.objects.get().priority == "merit"
    assert Ticket.objects.get().status == TicketStatus.WAITING


def test_details_name_the_wrong_field_and_keep_the_rest():
    d = read({"full_name": " Bùi  Văn A ", "date_of_birth": "31/02/1990", "sex": "nam"})
    assert d.full_name == "Bùi Văn A" and d.sex == "male" and d.date_of_birth is None
    assert set(d.errors) == {"date_of_birth"} and "28 ngày" in d.errors["date_of_birth"]
    assert read_birth_date("29022024")[0] == date(2024, 2, 29)
    assert "không có tháng 13" in read_birth_date("01/13/1990")[1]
    assert read({"full_name": "An 2", "date_of_birth": "1990-01-01", "sex": "3"}).errors.keys() == {
        "full_name",
        "sex",
    }
    assert read({"sex": "2", "full_name": "A", "date_of_birth": "01011990"}).sex == "female"


def test_one_choice_among_likely_duplicates():
    assert record_choice({"record": "new"}) == {"create_new": True}
    assert record_choice({"record": "42"}) == {"link_patient_id": 42}
    assert record_choice({}) == {}


def test_search_field_reads_date_or_year_at_the_end_never_inside_a_number():
    assert split_query("027085000001") == ("027085000001", None, None, "")
    assert split_query("nguyen van a 15-08-1985")[:3] == ("nguyen van a", date(1985, 8, 15), 1985)
    assert split_query("le van b 1950")[:3] == ("le van b", None, 1950)
    assert split_query("31021990")[3]


def test_any_entry_point_gives_a_young_child_priority(org, portal):
    from tests.visits.helpers import cccd

    r = services.check_in(cccd("027224000130", "Trịnh Bé Demo", "01012024"), "K01", principal(org))
    assert r.ticket.priority == "child" == Ticket.objects.get().priority
    adult = services.check_in(VALID, "K01", principal(org))
    assert adult.ticket.priority == ""


def test_the_database_refuses_a_cancelled_visit_without_its_bookkeeping(org, portal):
    """Cancelled, with when and why, or neither: the constraint visit_cancel_kept refuses a
    cancelled visit without its time or reason, and an open one that carries them."""
    from django.db import IntegrityError, transaction

    visit = services.check_in(VALID, "K01", principal(org)).visit
    for fields in (
        {"status": "cancelled"},
        {"status": "cancelled", "cancelled_at": timezone.now()},
        {"status": "cancelled", "cancel_reason": "Đăng ký nhầm"},
        {"cancelled_at": timezone.now(), "cancel_reason": "Đăng ký nhầm"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Visit.objects.filter(pk=visit.pk).update(**fields)
    visit.save(update_fields=visit.cancel("  Đăng ký   nhầm "))
    visit.refresh_from_db()
    assert (visit.status, visit.cancel_reason) == ("cancelled", "Đăng ký nhầm")
    assert visit.cancelled_at is not None
