from django.urls import path

from kcb06.audit import views

app_name = "audit"
urlpatterns = [path("", views.log, name="log")]
