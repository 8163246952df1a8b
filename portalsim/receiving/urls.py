from django.urls import path

from portalsim.receiving import control, views

urlpatterns = [
    path("api/qd130/checkInKcbQd4750", views.checkin),
    path("api/qd130/guiHoSoXmlQD4750", views.claim),
    # QĐ 3176 names of the same endpoints.
    path("api/qd130/checkInKcbQd3176", views.checkin),
    path("api/qd130/guiHoSoXmlQD3176", views.claim),
    path("_control/receiving/certificates", control.certificates),
    path("_control/receiving/certificates/clear", control.clear_certificates),
    path("_control/receiving/reset", control.reset),
    path("_control/receiving/stats", control.stats),
    path("_control/receiving/rules", control.published_rules),
]
