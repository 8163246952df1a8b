from django.apps import AppConfig


class BhxhConfig(AppConfig):
    """The one client of the BHXH portal (token, deadline, circuit breaker, every endpoint),
    below eligibility and interchange, which both use it."""

    name = "kcb06.bhxh"
    label = "bhxh"
    verbose_name = "Cổng BHXH"
