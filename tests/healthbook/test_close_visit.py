"""Closing a visit: the contract the interchange app builds XML from."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kcb06.errors import DomainError
from kcb06.healthbook import closing, services, signals
from kcb06.healthbook.icd10 import FieldError
from kcb06.healthbook.models import Diagnosis, Prescription, Result, VisitClosure
from kcb06.visits.models import Visit
from tests.healthbook import factories as f


@pytest.fixture
def bacsi(org):
    return f.principal(org)


@pytest.fixture
def open_visit(org):
    return f.visit(f.patient())


def test_close_visit_writes_closure_diagnoses_drugs_and_signal(bacsi, open_visit):
    seen = []
    # A BHYT card: its last ten characters are the BHXH number the sick-leave paper needs.
    Visit.objects.filter(pk=open_visit.pk).update(card_number="GD4797932241231")

    def on_closed(sender, visit, principal, **kw):
        # Inside the transaction: the closure is already visible to the receiver.
        seen.append((visit.pk, VisitClosure.objects.filter(visit=visit).exists(), principal))

    signals.visit_closed.connect(on_closed)
    try:
        follow = timezone.localdate() + timedelta(days=14)
        closure = services.close_visit(
            bacsi,
            open_visit,
            {
                **f.CLOSE,
                "services": [
                    {
                        "service_code": "02.1896",
                        "service_name": "Khám Nội",
                        "group_code": "13",
                        "unit_price": "38700",
                    }
                ],
                "progress_notes": ["Sốt 38,5 độ, họng đỏ"],
                "follow_up_date": follow.isoformat(),
                "sick_leave_days": "3",
                "sick_leave_employer": "Công ty TNHH Thử Nghiệm",
                "weight_kg": "52,5",
            },
        )
    finally:
        signals.visit_closed.disconnect(on_closed)
    assert seen == [(open_visit.pk, True, bacsi)]
    v = Visit.objects.get(pk=open_visit.pk)
    assert v.status == "closed" and v.closed_at is not None
    assert v.closure.main_icd10 == "J06.9" and v.closure.version == 1
    assert v.closure.follow_up_date == follow
    assert v.closure.sick_leave_to - v.closure.sick_leave_from == timedelta(days=2)
    assert v.closure.weight_kg == Decimal("52.50")
    assert [(d.icd10, d.is_main) for d in v.diagnoses.all()] == [("J06.9", True), ("I10", False)]
    assert v.prescriptions.get().dose == "1 viên × 3 lần/ngày"
    assert v.results.get().value == "38.5"
    svc = v.services.get()
    assert (svc.service_code, svc.group_code, svc.quantity) == ("02.1896", 13, Decimal(1))
    assert v.progress_notes.get().text == "Sốt 38,5 độ, họng đỏ"
    assert closure.closed_by == bacsi.user


def test_correction_keeps_history_and_sends_visit_corrected(bacsi, open_visit):
    first = services.close_visit(bacsi, open_visit, f.CLOSE)
    got = []
    signals.visit_corrected.connect(
        lambda sender, visit, **kw: got.append(visit.pk), weak=False, dispatch_uid="t"
    )
    try:
        # Without the version a second close is a conflict, not a silent overwrite.
        with pytest.raises(DomainError) as err:
            services.close_visit(bacsi, open_visit, {**f.CLOSE, "main_icd10": "J02.9"})
        assert err.value.code == "closure_conflict"
        second = services.close_visit(
            bacsi, open_visit, {**f.CLOSE, "main_icd10": "J02.9", "version": first.version}
        )
    finally:
        signals.visit_corrected.disconnect(dispatch_uid="t")
    assert got == [open_visit.pk]
    assert second.version == 2
    assert second.history[0]["main_icd10"] == "J06.9"
    assert Diagnosis.objects.filter(visit=open_visit, is_main=True).get().icd10 == "J02.9"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"main_icd10": "Q99.99X"}, "main_icd10"),
        ({"main_icd10": "ZZZ"}, "main_icd10"),
        ({"secondary_icd10": ["I10", "X00.0"]}, "secondary_icd10.1"),
        ({"prescriptions": [{"drug_name": "Amoxicillin", "dose": ""}]}, "prescriptions.0.dose"),
        ({"outcome": "9"}, "outcome"),
        ({"discharge_type": ""}, "discharge_type"),
        ({"follow_up_date": "2001-01-01"}, "follow_up_date"),
        ({"sick_leave_days": "-2"}, "sick_leave_days"),
        ({"services": [{"service_code": "02.1896"}]}, "services.0.service_code"),
    ],
)
def test_bad_closure_names_the_field_and_saves_nothing(bacsi, open_visit, change, field):
    with pytest.raises(FieldError) as err:
        services.close_visit(bacsi, open_visit, {**f.CLOSE, **change})
    assert err.value.field == field
    assert err.value.message_vi
    assert not VisitClosure.objects.exists()
    assert not Diagnosis.objects.exists() and not Prescription.objects.exists()
    assert not Result.objects.exists()
    assert Visit.objects.get(pk=open_visit.pk).status == "open"


def test_failing_receiver_rolls_the_closure_back(bacsi, open_visit):
    def boom(**kw):
        raise RuntimeError("outbox down")

    signals.visit_closed.connect(boom, dispatch_uid="boom")
    try:
        with pytest.raises(RuntimeError):
            services.close_visit(bacsi, open_visit, f.CLOSE)
    finally:
        signals.visit_closed.disconnect(dispatch_uid="boom")
    assert not VisitClosure.objects.exists()
    assert Visit.objects.get(pk=open_visit.pk).status == "open"


def test_other_facility_clinician_cannot_close(org, open_visit):
    from kcb06.facilities.services import principal_for_user

    outsider = principal_for_user(f.clinician_at(org, "27903"))
    with pytest.raises(DomainError) as err:
        services.close_visit(outsider, open_visit, f.CLOSE)
    assert err.value.status == 404
    reception = f.principal(org, "tiepdon")
    with pytest.raises(DomainError) as err:
        services.close_visit(reception, open_visit, f.CLOSE)
    assert err.value.status == 403
    assert not VisitClosure.objects.exists()


_text = st.one_of(st.none(), st.text(max_size=12), st.integers(-5, 400).map(str))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.fixed_dictionaries(
        {
            "main_icd10": _text,
            "secondary_icd10": st.one_of(_text, st.lists(_text, max_size=3)),
            "outcome": _text,
            "discharge_type": _text,
            "follow_up_date": _text,
            "sick_leave_days": _text,
            "weight_kg": _text,
            "prescriptions": st.lists(
                st.fixed_dictionaries(
                    {"drug_name": _text, "dose": _text, "duration_days": _text, "quantity": _text}
                ),
                max_size=2,
            ),
            "services": st.lists(
                st.fixed_dictionaries(
                    {"service_code": _text, "service_name": _text, "group_code": _text}
                ),
                max_size=1,
            ),
        }
    )
)
def test_clean_closure_rejects_garbage_only_with_field_errors(open_visit, data):
    """Whatever a form or HIS sends, validation answers a FieldError (never a crash)."""
    try:
        closing.clean_closure(open_visit, data)
    except FieldError as exc:
        assert exc.field and exc.message_vi
