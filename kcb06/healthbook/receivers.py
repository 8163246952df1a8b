"""Keeps health-book rows with the surviving patient when reception merges two records."""

from django.dispatch import receiver

from kcb06.healthbook.models import BookEntry, Consent, HealthBook

KEY = "healthbook"


def connect() -> None:
    try:
        from kcb06.patients.signals import patients_merged, patients_unmerged
    except ImportError:  # reception's signals not there yet
        return
    receiver(patients_merged, dispatch_uid="healthbook_merge")(on_merged)
    receiver(patients_unmerged, dispatch_uid="healthbook_unmerge")(on_unmerged)


def on_merged(sender, source, target, merge, **kwargs):
    """Move the source's entries and consents; its book token keeps working as an alias is
    not needed: the source's HealthBook is left in place (merged patients are not opened)."""
    entries = list(BookEntry.objects.filter(patient=source).values_list("pk", flat=True))
    consents = list(Consent.objects.filter(patient=source).values_list("pk", flat=True))
    BookEntry.objects.filter(pk__in=entries).update(patient=target)
    Consent.objects.filter(pk__in=consents).update(patient=target)
    HealthBook.objects.get_or_create(patient=target)
    moved = dict(merge.moved or {})
    moved[KEY] = {"entries": entries, "consents": consents}
    merge.moved = moved
    if merge.pk:
        type(merge).objects.filter(pk=merge.pk).update(moved=moved)


def on_unmerged(sender, source, target, merge, **kwargs):
    rows = (merge.moved or {}).get(KEY) or {}
    BookEntry.objects.filter(pk__in=rows.get("entries", []), patient=target).update(patient=source)
    Consent.objects.filter(pk__in=rows.get("consents", []), patient=target).update(patient=source)
