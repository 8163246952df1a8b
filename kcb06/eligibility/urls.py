from django.urls import path

from kcb06.eligibility import views

app_name = "eligibility"
urlpatterns = [
    path("reconciliation/", views.reconciliation_page, name="reconciliation"),
]
