from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Targets and reports for health departments."""

    name = "kcb06.reports"
    label = "reports"
    verbose_name = "Báo cáo"
