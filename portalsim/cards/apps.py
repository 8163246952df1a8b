from django.apps import AppConfig


class CardsConfig(AppConfig):
    name = "portalsim.cards"
    label = "portalsim_cards"
