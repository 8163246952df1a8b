from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Facility accounts, tokens, fault injection and the control endpoint."""

    name = "portalsim.core"
    label = "portalsim_core"
