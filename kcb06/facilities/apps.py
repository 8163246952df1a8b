from django.apps import AppConfig


class FacilitiesConfig(AppConfig):
    """Facilities, departments, devices, staff and roles."""

    name = "kcb06.facilities"
    label = "facilities"
    verbose_name = "Cơ sở y tế"
