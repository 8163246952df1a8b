from django.urls import path

from portalsim.cards import control, copayments, views

urlpatterns = [
    path("api/egw/KQNhanLichSuKCB2024", views.card_check),
    path("api/TraCuuCCT/TraCuuTienMCCT", copayments.lookup),
    path("_control/copayments", control.set_copayments),
]
