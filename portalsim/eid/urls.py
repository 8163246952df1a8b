from django.urls import path

from portalsim.eid import views

urlpatterns = [path("eid/v1/authenticate", views.authenticate)]
