from django.apps import AppConfig


class HealthbookConfig(AppConfig):
    """Electronic health book."""

    name = "kcb06.healthbook"
    label = "healthbook"
    verbose_name = "Sổ sức khỏe điện tử"

    def ready(self):
        from kcb06.healthbook import receivers

        receivers.connect()
