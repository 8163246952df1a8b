from django.urls import path

from kcb06.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.upload, name="upload"),
    path("import/<int:batch_id>/", views.preview, name="preview"),
    path("import/<int:batch_id>/confirm/", views.confirm, name="confirm"),
    path("import/<int:batch_id>/discard/", views.discard, name="discard"),
    path("search/<str:slug>/", views.search, name="search"),
    path("<str:slug>/", views.rows, name="rows"),
    path("<str:slug>/export.xlsx", views.export, name="export"),
]
