from django.apps import AppConfig


class PatientsConfig(AppConfig):
    """Master patient index."""

    name = "kcb06.patients"
    label = "patients"
    verbose_name = "Người bệnh"
