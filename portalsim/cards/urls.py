from django.urls import path

from portalsim.cards import views

urlpatterns = [path("api/egw/KQNhanLichSuKCB2024", views.card_check)]
