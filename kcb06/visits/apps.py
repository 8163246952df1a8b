from django.apps import AppConfig


class VisitsConfig(AppConfig):
    """Check-in, visits (MA_LK) and queue tickets."""

    name = "kcb06.visits"
    label = "visits"
    verbose_name = "Tiếp đón"
