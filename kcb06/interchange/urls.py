from django.urls import path

from kcb06.interchange import views

app_name = "interchange"
urlpatterns = [
    path("", views.status, name="status"),
    path("files/<int:item_id>/", views.item, name="item"),
    path("files/<int:item_id>/resend/", views.resend, name="resend"),
    path("overdue/", views.overdue, name="overdue"),
    path("rules/", views.rules, name="rules"),
    path("queue/", views.claim_queue, name="queue"),
    path("queue/export.xlsx", views.claim_queue_export, name="queue_export"),
]
