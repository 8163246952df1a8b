"""Demo seed (closed visits for each of the last 7 days, idempotent) and patient merge."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kcb06.healthbook import demo, services
from kcb06.healthbook.models import BookEntry, Consent, VisitClosure
from kcb06.visits.models import Visit
from tests.healthbook import factories as f


def test_demo_seed_closes_a_visit_each_of_the_last_7_days_idempotently(org):
    demo.seed({})
    today = timezone.localdate()
    days = set(
        Visit.objects.filter(
            facility__code="27901", status="closed", closure__isnull=False
        ).values_list("visit_date", flat=True)
    )
    assert days == {today - timedelta(days=d) for d in range(7)}
    n_closures, n_entries = VisitClosure.objects.count(), BookEntry.objects.count()
    demo.seed({})
    assert (VisitClosure.objects.count(), BookEntry.objects.count()) == (n_closures, n_entries)
    for v in Visit.objects.filter(closure__isnull=False):
        assert (
            v.closed_at.date() == v.visit_date or abs((v.closed_at.date() - v.visit_date).days) <= 1
        )
        assert v.diagnoses.filter(is_main=True).count() == 1 and v.prescriptions.exists()


def test_merge_moves_entries_and_consents_and_undo_moves_them_back(org):
    pytest.importorskip("kcb06.patients.services")
    from kcb06.patients import services as patients

    bacsi = f.principal(org)
    source, target = f.patient("Bùi Văn Trùng"), f.patient("Bùi Văn Trùng Lặp")
    f.visit(source)
    entry = services.add_entry(
        bacsi, source.pk, {"kind": "allergy", "title": "Tôm", "severity": "mild"}
    )
    consent = services.grant_consent(
        bacsi, source.pk, {"expires_on": (timezone.localdate() + timedelta(days=5)).isoformat()}
    )
    admin = f.principal(org, "quantri")
    merge = patients.merge(admin, source.pk, target.pk, reason="trùng")
    assert BookEntry.objects.get(pk=entry.pk).patient_id == target.pk
    assert Consent.objects.get(pk=consent.pk).patient_id == target.pk
    assert services.read_book(bacsi, target.pk).allergies[0].title == "Tôm"
    patients.undo_merge(admin, merge.pk)
    assert BookEntry.objects.get(pk=entry.pk).patient_id == source.pk
    assert Consent.objects.get(pk=consent.pk).patient_id == source.pk
