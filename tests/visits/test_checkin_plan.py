"""The check-in plan (kcb06.visits.checkin.plan) is pure: built from what was read, it says
which of the four writes the check-in does. No database here: unsaved records only."""

from datetime import date

from kcb06.patients.models import IdentifierKind, Patient
from kcb06.patients.names import name_key
from kcb06.patients.services import PersonData
from kcb06.visits.checkin import Case, plan
from kcb06.visits.standing import Standing

ID = "027085000001"
PERSON = PersonData(
    "Nguyễn Văn Hợp Lệ Demo", date(1985, 8, 15), "male", id_number=ID, address="Thôn Demo"
)
RECORD = Patient(
    pk=7,
    full_name="Nguyễn Văn Hợp Lệ Demo",
    name_key=name_key("Nguyễn Văn Hợp Lệ Demo"),
    date_of_birth=date(1985, 8, 15),
    birth_year=1985,
    sex="male",
    address="Thôn Demo",
)
HELD = frozenset({(IdentifierKind.ID_NUMBER.value, ID)})


def test_nobody_holds_the_numbers_new_record_with_the_scanned_identifiers():
    p = plan(None, None, PERSON, None, "cccd_qr")
    assert p.case is Case.NEW and p.patient_id is None
    assert p.identifiers == HELD


def test_known_here_and_the_scan_changes_nothing_returning_unchanged():
    p = plan(RECORD, 7, PERSON, Standing(HELD, known=True, visit_id=None), "cccd_qr")
    assert p.case is Case.RETURNING_UNCHANGED and p.patient_id == 7
    assert p.identifiers == HELD  # XML0 needs no read of them


def test_a_new_card_a_new_facility_or_a_new_address_returning_changed():
    card = PersonData(**{**PERSON.__dict__, "card_number": "HC4272700000000"})
    moved = PersonData(**{**PERSON.__dict__, "address": "Thôn Mới"})
    for person, standing in (
        (card, Standing(HELD, known=True, visit_id=None)),  # a new number
        (PERSON, Standing(HELD, known=False, visit_id=None)),  # not linked here yet
        (moved, Standing(HELD, known=True, visit_id=None)),  # a chip QR is evidence
    ):
        p = plan(RECORD, 7, person, standing, "cccd_qr")
        assert p.case is Case.RETURNING_CHANGED and p.identifiers is None
    # A record the clerk linked by id, or a retry: read again under the row lock.
    assert plan(None, 7, PERSON, None).case is Case.RETURNING_CHANGED
    assert plan(RECORD, 7, PERSON, None).case is Case.RETURNING_CHANGED


def test_todays_visit_already_there_race_returns_it():
    p = plan(RECORD, 7, PERSON, Standing(HELD, known=True, visit_id=42), "cccd_qr")
    assert p.case is Case.RACE and p.visit_id == 42
