from django.urls import path

from portalsim.receiving import control, views

urlpatterns = [
    # The endpoint names the regulation the file is judged under (versions.py).
    path("api/qd130/checkInKcbQd4750", views.checkin, {"regulation": "4750"}),
    path("api/qd130/guiHoSoXmlQD4750", views.claim, {"regulation": "4750"}),
    path("api/qd130/checkInKcbQd3176", views.checkin, {"regulation": "3176"}),
    path("api/qd130/guiHoSoXmlQD3176", views.claim, {"regulation": "3176"}),
    path("_control/receiving/certificates", control.certificates),
    path("_control/receiving/certificates/clear", control.clear_certificates),
    path("_control/receiving/reset", control.reset),
    path("_control/receiving/stats", control.stats),
    path("_control/receiving/rules", control.published_rules),
]
