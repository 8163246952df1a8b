"""Demo seed (closed visits for each of the last 7 days, idempotent) and patient merge."""

from datetime import timedelta

from django.utils import timezone

from kcb06.healthbook import consent as consent_service
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


def test_merge_signal_moves_entries_and_consents_and_undo_moves_them_back(org):
    """Through the reception app's signals, as its merge service sends them (the service's own
    tests cover the rest of a merge)."""
    from kcb06.patients.models import PatientMerge
    from kcb06.patients.signals import patients_merged, patients_unmerged

    bacsi = f.principal(org)
    source, target = f.patient("Bùi Văn Trùng"), f.patient("Bùi Văn Trùng Lặp")
    f.visit(source)
    f.visit(target)
    entry = services.add_entry(
        bacsi, source.pk, {"kind": "allergy", "title": "Tôm", "severity": "mild"}
    )
    consent = consent_service.grant_consent(
        bacsi, source.pk, {"expires_on": (timezone.localdate() + timedelta(days=5)).isoformat()}
    )
    merge = PatientMerge.objects.create(source=source, target=target, moved={"visits": []})
    patients_merged.send(
        sender=PatientMerge, source=source, target=target, merge=merge, principal=bacsi
    )
    merge.save(update_fields=["moved"])
    assert BookEntry.objects.get(pk=entry.pk).patient_id == target.pk
    assert Consent.objects.get(pk=consent.pk).patient_id == target.pk
    assert services.read_book(bacsi, target.pk).allergies[0].title == "Tôm"
    merge.refresh_from_db()
    assert merge.moved["healthbook"] == {"entries": [entry.pk], "consents": [consent.pk]}
    patients_unmerged.send(
        sender=PatientMerge, source=source, target=target, merge=merge, principal=bacsi
    )
    assert BookEntry.objects.get(pk=entry.pk).patient_id == source.pk
    assert Consent.objects.get(pk=consent.pk).patient_id == source.pk
