from django.apps import AppConfig


class VisitsConfig(AppConfig):
    """Check-in, visits (MA_LK) and queue tickets."""

    name = "kcb06.visits"
    label = "visits"
    verbose_name = "Tiếp đón"

    def ready(self) -> None:
        from kcb06.eligibility.signals import verdict_resolved
        from kcb06.visits.services import on_verdict_resolved

        verdict_resolved.connect(on_verdict_resolved, dispatch_uid="visits.verdict_resolved")
