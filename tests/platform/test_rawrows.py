"""kcb06.plumbing.rawrows builds and stores rows past the ORM on the check-in path: what it stores must
be what `Model(**values).save()` stores, on SQLite and on PostgreSQL alike."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.forms.models import model_to_dict

from kcb06.patients.models import Patient, PatientIdentifier
from kcb06.plumbing import rawrows
from kcb06.visits.models import Visit, VisitStatus


def _values(org, patient, ma_lk, **extra):
    dep = org["facilities"]["27901"].departments.get(code="K01")
    return {
        "ma_lk": ma_lk,
        "facility": dep.facility,
        "patient": patient,
        "department": dep,
        "arrived_at": datetime(2026, 3, 2, 7, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
        "visit_date": date(2026, 3, 2),
        "reason": "Ho, sốt",
        "card_valid_from": date(2026, 1, 1),
        "eligibility_detail": {"outcome": "valid", "mismatches": []},
        "created_by": org["users"]["tiepdon"],
        **extra,
    }


def _patient(name="Phạm Thị Mẫu Demo"):
    patient = rawrows.new(Patient, full_name=name, name_key="demo", birth_year=1990, sex="female")
    rawrows.insert(patient)
    return patient


def test_new_builds_what_the_model_would(org):
    patient = _patient()
    built = rawrows.new(Visit, **_values(org, patient, "X1"))
    model = Visit(**_values(org, patient, "X1"))
    assert model_to_dict(built) == model_to_dict(model)
    assert built.status == VisitStatus.OPEN and built.visit_type == "01"  # defaults
    assert built.patient is patient  # the related object is cached, not fetched again
    assert built._state.adding


def test_new_calls_a_callable_default_for_each_instance(org):
    patient = _patient()
    values = _values(org, patient, "X2")
    del values["eligibility_detail"]  # JSONField(default=dict)
    first, second = rawrows.new(Visit, **values), rawrows.new(Visit, **values)
    assert first.eligibility_detail == {} == Visit(**values).eligibility_detail
    first.eligibility_detail["changed"] = True
    assert second.eligibility_detail == {}  # not one dict shared between visits


def test_new_takes_a_field_given_by_name_or_attname_over_its_default(org):
    patient = _patient()
    built = rawrows.new(Visit, **_values(org, patient, "X3", status=VisitStatus.CLOSED))
    assert built.status == VisitStatus.CLOSED
    values = _values(org, patient, "X4")
    clerk = values.pop("created_by")
    by_attname = rawrows.new(Visit, **values, created_by_id=clerk.pk)
    assert by_attname.created_by_id == clerk.pk and by_attname.created_by == clerk


def test_new_keys_a_related_object_by_the_relation_s_target_field(db):
    patient = _patient()  # Django names the target in PatientIdentifier.patient.to_fields
    built = rawrows.new(PatientIdentifier, patient=patient, kind="cccd", value="079000000001")
    model = PatientIdentifier(patient=patient, kind="cccd", value="079000000001")
    assert model_to_dict(built) == model_to_dict(model)
    assert built.patient_id == patient.pk and built.patient is patient


def test_new_takes_pk_and_attnames(org):
    patient = _patient()
    built = rawrows.new(
        PatientIdentifier, pk=987654, patient_id=patient.pk, kind="bhxh_number", value="2799000000"
    )
    assert built.pk == 987654 and built.patient_id == patient.pk


def test_new_falls_back_to_the_model_for_unknown_arguments():
    try:
        rawrows.new(Patient, not_a_field=1)
    except TypeError as exc:
        assert "not_a_field" in str(exc)
    else:
        raise AssertionError("an unknown argument must be refused as Model() refuses it")


def test_insert_stores_what_save_stores(org):
    patient = _patient()
    odd = {"uses_bhyt": 1, "eligibility_check_id": "42", "status": VisitStatus.CLOSED}
    fast = rawrows.new(Visit, **_values(org, patient, "FAST", **odd))
    rawrows.insert(fast)
    slow = Visit(**_values(org, patient, "SLOW", **odd))
    slow.save()
    a, b = (model_to_dict(Visit.objects.get(ma_lk=k)) for k in ("FAST", "SLOW"))
    for row in (a, b):
        row.pop("id"), row.pop("ma_lk")
    assert a == b
    stored = Visit.objects.get(ma_lk="FAST")
    # Values of another Python type than the field's go through the field's conversion.
    assert stored.uses_bhyt is True and stored.eligibility_check_id == 42
    assert stored.arrived_at == fast.arrived_at and stored.status == "closed"
