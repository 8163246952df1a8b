"""Test-only URL conf: the project's URLs plus a view that fails, to see the 500 page."""

from django.urls import include, path


def boom(request):
    raise RuntimeError("boom-secret-detail")


urlpatterns = [path("boom/", boom), path("", include("kcb06.urls"))]

handler500 = "kcb06.web.views.server_error"
handler404 = "kcb06.web.views.page_not_found"
