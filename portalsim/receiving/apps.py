from django.apps import AppConfig


class ReceivingConfig(AppConfig):
    name = "portalsim.receiving"
    label = "portalsim_receiving"
