from django.urls import path

from kcb06.patients import views

app_name = "patients"
urlpatterns: list = [
    path("identity/", views.changes, name="identity_changes"),
    path("<int:patient_id>/identity/", views.patient_identity, name="identity"),
    path("<int:patient_id>/identity/correct/", views.correct, name="identity_correct"),
    path("identity/<int:change_id>/revert/", views.revert, name="identity_revert"),
]
