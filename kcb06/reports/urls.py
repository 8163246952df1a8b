from django.urls import path

from kcb06.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("facility/<str:code>/", views.facility, name="facility"),
    path("facility/<str:code>/khoa/<int:department_id>/", views.department, name="department"),
    path("facility/<str:code>/rows/<str:figure>/", views.figure_rows, name="rows"),
    path("briefing/", views.briefing_view, name="briefing"),
    path("progress/", views.progress, name="progress"),
    path("readiness/", views.readiness_view, name="readiness"),
    path("readiness/letter/", views.reminder_letter, name="reminder_letter"),
    path("progress/<int:pk>/<str:fmt>/", views.progress_file, name="progress_file"),
]
