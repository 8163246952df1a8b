"""URL map of the simulated BHXH portal (paths: docs/specs/portal-api.md#hosts-and-endpoints)."""

from django.urls import include, path

from portalsim.core import views as core

urlpatterns = [
    path("health", core.health),
    path("api/token/take", core.token_take),
    path("", include("portalsim.core.urls")),
    path("", include("portalsim.cards.urls")),
    path("", include("portalsim.receiving.urls")),
    path("", include("portalsim.eid.urls")),
]
