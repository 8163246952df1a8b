from django.apps import AppConfig


class VisitsConfig(AppConfig):
    """Check-in, visits (MA_LK) and queue tickets."""

    name = "kcb06.visits"
    label = "visits"
    verbose_name = "Tiếp đón"

    def ready(self) -> None:
        from kcb06.eligibility.signals import verdict_resolved
        from kcb06.visits import receivers  # noqa: F401 - a merge moves the patient's visits
        from kcb06.visits.services import on_verdict_resolved

        verdict_resolved.connect(on_verdict_resolved, dispatch_uid="visits.verdict_resolved")

        from django.db.models.signals import post_delete, post_save

        from kcb06.facilities.models import Department, Facility
        from kcb06.visits.departments import DEPARTMENTS
        from kcb06.visits.models import DepartmentClosure

        # A department, its closure or its facility changed: forget the cached departments.
        for model in (Department, DepartmentClosure, Facility):
            for signal in (post_save, post_delete):
                signal.connect(DEPARTMENTS.clear, sender=model, weak=False)
