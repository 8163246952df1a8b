from axes import apps as axes_apps
from django.apps import AppConfig


class WebConfig(AppConfig):
    """Base pages and layout."""

    name = "kcb06.web"
    label = "web"
    verbose_name = "Giao diện"


class AxesConfig(axes_apps.AppConfig):
    """django-axes (login lock-out) under a Vietnamese name in the admin."""

    verbose_name = "Khóa đăng nhập"
