from django.urls import path

from kcb06.healthbook import views

app_name = "healthbook"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("icd10/", views.icd10_search, name="icd10_search"),
    path("b/<str:token>/", views.book, name="book"),
    path("b/<str:token>/entries/", views.entry_add, name="entry_add"),
    path(
        "b/<str:token>/entries/<int:entry_id>/correct/", views.entry_correct, name="entry_correct"
    ),
    path(
        "b/<str:token>/entries/<int:entry_id>/history/", views.entry_history, name="entry_history"
    ),
    path("b/<str:token>/visits/", views.timeline_more, name="timeline_more"),
    path("b/<str:token>/sections/<str:kind>/", views.section, name="section"),
    path("b/<str:token>/print/", views.print_view, name="print"),
    path("b/<str:token>/pdf/", views.pdf, name="pdf"),
    path("b/<str:token>/consents/", views.consent_add, name="consent_add"),
    path(
        "b/<str:token>/consents/<int:consent_id>/revoke/",
        views.consent_revoke,
        name="consent_revoke",
    ),
    path("visits/<int:visit_id>/", views.visit_book, name="visit_book"),
    path("visits/<int:visit_id>/close/", views.close, name="close"),
]
