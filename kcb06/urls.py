from django.contrib import admin
from django.urls import include, path

from kcb06.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("kcb06.web.urls")),
    path("facilities/", include("kcb06.facilities.urls")),
    path("patients/", include("kcb06.patients.urls")),
    path("eligibility/", include("kcb06.eligibility.urls")),
    path("", include("kcb06.visits.urls")),
    path("catalogue/", include("kcb06.catalogue.urls")),
    path("healthbook/", include("kcb06.healthbook.urls")),
    path("interchange/", include("kcb06.interchange.urls")),
    path("payments/", include("kcb06.payments.urls")),
    path("reports/", include("kcb06.reports.urls")),
    path("audit/", include("kcb06.web.auditlog")),
]

handler400 = "kcb06.web.views.bad_request"
handler403 = "kcb06.web.views.permission_denied"
handler404 = "kcb06.web.views.page_not_found"
handler500 = "kcb06.web.views.server_error"
