"""Keeps a patient's visits with the surviving record when two records are merged, and moves
them back on undo. patients/ announces the merge (kcb06.patients.signals) inside its
transaction and does not know visits exist: a receiver that fails rolls the whole merge back.
"""

from django.dispatch import receiver

from kcb06.patients.signals import patients_merged, patients_unmerged
from kcb06.visits.models import Visit

KEY = "visits"  # merge.moved["visits"]: the ids of the visits moved, for the undo


@receiver(patients_merged, dispatch_uid="visits_merge")
def on_merged(sender, source, target, merge, **kwargs):
    ids = list(Visit.objects.filter(patient=source).order_by("pk").values_list("pk", flat=True))
    Visit.objects.filter(pk__in=ids).update(patient=target)
    merge.moved = {**(merge.moved or {}), KEY: ids}


@receiver(patients_unmerged, dispatch_uid="visits_unmerge")
def on_unmerged(sender, source, target, merge, **kwargs):
    ids = (merge.moved or {}).get(KEY, [])
    Visit.objects.filter(pk__in=ids).update(patient=source)
