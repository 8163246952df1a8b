"""Master patient index: hard key, identifier history, search, likely duplicates, merge/undo."""

from datetime import date

import pytest

from kcb06.audit.models import AuditEntry
from kcb06.errors import DomainError
from kcb06.patients import services as mpi
from kcb06.patients.duplicates import likely_duplicates
from kcb06.patients.models import Patient, PatientFacility, PatientIdentifier
from kcb06.patients.signals import patients_merged
from tests.visits.helpers import principal

pytestmark = pytest.mark.django_db


def person(name="Nguyễn Thị Mai Demo", dob=date(1990, 5, 1), **kw):
    return mpi.PersonData(full_name=name, date_of_birth=dob, sex="female", **kw)


def make(org, p, facility="27901"):
    patient = mpi.safe_create(p)
    PatientFacility.objects.create(patient=patient, facility=org["facilities"][facility])
    return patient


def test_id_number_is_the_hard_key_and_history_is_kept(org):
    a = make(org, person(id_number="027190000201", card_number="GD4272700000201"))
    assert mpi.find_known(person(id_number="027190000201")) == a
    assert mpi.find_known(mpi.PersonData("", None, "", card_number="GD4272700000201")) == a
    # new card: old one stays as inactive history
    mpi.add_identifier(a, "bhyt_card", "GD4272700000299")
    rows = {(i.value, i.is_active) for i in PatientIdentifier.objects.filter(kind="bhyt_card")}
    assert rows == {("GD4272700000201", False), ("GD4272700000299", True)}
    b = make(org, person(name="Người Khác Demo"))
    with pytest.raises(DomainError) as exc:
        mpi.add_identifier(b, "id_number", "027190000201")
    assert exc.value.code == "id_number_other_patient"


def test_search_by_name_without_diacritics_any_order_and_year(org):
    a = make(org, person())
    make(org, person(dob=date(1991, 5, 1)))
    make(org, person(name="Lê Văn Khác Demo"), facility="27903")
    p = principal(org)
    assert mpi.search(p, "nguyen thi mai demo", 1990) == [a]
    assert mpi.search(p, "Mai Nguyen Thi Demo", 1990) == [a]
    assert len(mpi.search(p, "NGUYEN THI MAI DEMO")) == 2
    assert mpi.search(p, "mai", 1990) == [a]  # words contained, fallback
    assert mpi.search(p, "Le Van Khac Demo") == []  # other facility: not visible
    assert AuditEntry.objects.filter(object_type="patient_search").exists()


def test_likely_duplicates_by_folded_name_dob_sex_address(org):
    a = make(org, person(name="Nguyen Thi Mai Demo", address="Thôn 2, xã Tam Sơn"))
    cands = likely_duplicates(person(address="thon 2 xa tam son", id_number="027190000202"))
    assert cands[0].patient == a and cands[0].score == 100
    # a record that already holds another ID number is another person
    mpi.add_identifier(a, "id_number", "027190000203")
    assert likely_duplicates(person(id_number="027190000202")) == []


def test_merge_moves_everything_and_undo_restores(org, portal):
    from kcb06.visits import services as visits
    from tests.visits.helpers import VALID

    moved = []
    patients_merged.connect(
        lambda sender, source, target, merge, **kw: moved.append(merge.pk),
        weak=False,
        dispatch_uid="t",
    )
    try:
        r = visits.check_in(VALID, "K01", principal(org))
        dup = make(
            org,
            person(
                name="Nguyễn Văn Hợp Lệ Demo", dob=date(1985, 8, 15), card_number="HC4272700009999"
            ),
        )
        admin = principal(org, "quantri")
        with pytest.raises(DomainError):
            mpi.merge(principal(org), dup.pk, r.patient.pk)  # reception may not merge
        m = mpi.merge(admin, dup.pk, r.patient.pk, reason="trùng hồ sơ")
    finally:
        patients_merged.disconnect(dispatch_uid="t")
    assert moved == [m.pk]
    dup.refresh_from_db()
    assert dup.merged_into_id == r.patient.pk
    assert mpi.find_known(mpi.PersonData("", None, "", card_number="HC4272700009999")) == r.patient
    assert AuditEntry.objects.filter(action="merge").count() == 1
    mpi.undo_merge(admin, m.pk)
    dup.refresh_from_db()
    assert dup.merged_into_id is None
    assert PatientIdentifier.objects.get(value="HC4272700009999").patient_id == dup.pk
    assert AuditEntry.objects.filter(action="unmerge").count() == 1
    with pytest.raises(DomainError):
        mpi.undo_merge(admin, m.pk)


def test_two_id_numbers_cannot_be_merged(org):
    a = make(org, person(id_number="027190000210"))
    b = make(org, person(id_number="027190000211"))
    with pytest.raises(DomainError) as exc:
        mpi.merge(principal(org, "quantri"), a.pk, b.pk)
    assert exc.value.code == "merge_two_id_numbers"
    assert Patient.objects.filter(merged_into__isnull=False).count() == 0


def _checked_in_and_paper_record(org):
    from kcb06.visits import services as visits
    from tests.visits.helpers import VALID

    r = visits.check_in(VALID, "K01", principal(org))
    paper = make(org, person(name="Nguyễn Văn Hợp Lệ Demo", dob=date(1985, 8, 15)))
    return r.patient, r.visit, paper


def test_merge_moves_the_visits_through_the_signal_and_undo_moves_them_back(org, portal):
    from kcb06.visits.models import Visit

    source, visit, target = _checked_in_and_paper_record(org)
    admin = principal(org, "quantri")
    m = mpi.merge(admin, source.pk, target.pk)
    assert Visit.objects.get(pk=visit.pk).patient_id == target.pk
    m.refresh_from_db()
    assert m.moved["visits"] == [visit.pk]  # recorded by the visits receiver, for the undo
    mpi.undo_merge(admin, m.pk)
    assert Visit.objects.get(pk=visit.pk).patient_id == source.pk


def test_a_failing_listener_rolls_the_whole_merge_back(org, portal):
    """A receiver of patients_merged runs inside the merge's transaction: when one fails after
    the visits moved, nothing of the merge stays (visits, identifiers, pointer, merge row)."""
    from kcb06.patients.models import PatientMerge
    from kcb06.visits.models import Visit

    source, visit, target = _checked_in_and_paper_record(org)
    identifiers = set(source.identifiers.values_list("pk", flat=True))

    def fail(sender, **kwargs):
        raise RuntimeError("a listener failed")

    patients_merged.connect(fail, weak=False, dispatch_uid="fails")
    try:
        with pytest.raises(RuntimeError):
            mpi.merge(principal(org, "quantri"), source.pk, target.pk)
    finally:
        patients_merged.disconnect(dispatch_uid="fails")
    source.refresh_from_db()
    assert source.merged_into_id is None
    assert Visit.objects.get(pk=visit.pk).patient_id == source.pk
    assert set(source.identifiers.values_list("pk", flat=True)) == identifiers
    assert not PatientMerge.objects.exists()
    assert not AuditEntry.objects.filter(action="merge").exists()
