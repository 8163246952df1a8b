from django.urls import path

from portalsim.core import control

urlpatterns = [
    path("_control/faults", control.set_fault),
    path("_control/reset", control.reset),
    path("_control/stats", control.stats),
    path("_control/expire-tokens", control.expire_tokens),
]
