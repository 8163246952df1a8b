from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("", views.bills, name="bills"),
    path("visits/<int:visit_id>/bill/", views.issue, name="issue"),
    path("bills/<int:bill_id>/", views.bill, name="bill"),
    path("bills/<int:bill_id>/state/", views.bill_state, name="bill_state"),
    path("bills/<int:bill_id>/cash/", views.cash, name="cash"),
]
