from django.apps import AppConfig


class WebConfig(AppConfig):
    """Base pages and layout."""

    name = "kcb06.web"
    label = "web"
    verbose_name = "Giao diện"
