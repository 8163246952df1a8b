from django.apps import AppConfig


class FacilitiesConfig(AppConfig):
    """Facilities, departments, devices, staff and roles."""

    name = "kcb06.facilities"
    label = "facilities"
    verbose_name = "Cơ sở y tế"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from kcb06.facilities.models import ApiKey, Facility, StaffProfile
        from kcb06.facilities.services import API_KEYS

        # A changed key, user, role or facility: forget the cached API keys (kcb06.plumbing.shortcache).
        for model in (ApiKey, get_user_model(), StaffProfile, Facility):
            for signal in (post_save, post_delete):
                signal.connect(API_KEYS.clear, sender=model, weak=False)
