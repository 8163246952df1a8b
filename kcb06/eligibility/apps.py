from django.apps import AppConfig


class EligibilityConfig(AppConfig):
    """BHYT entitlement checks against the BHXH portal."""

    name = "kcb06.eligibility"
    label = "eligibility"
    verbose_name = "Kiểm tra thẻ BHYT"
