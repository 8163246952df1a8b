from django.urls import path

from kcb06.visits import views

app_name = "visits"
urlpatterns = [
    path("reception/", views.reception, name="reception"),
    path("reception/scan/", views.reception_scan, name="reception_scan"),
    path("reception/check-in/", views.reception_check_in, name="reception_check_in"),
    path("reception/today/", views.today, name="today"),
    path("reception/today/find/", views.today_find, name="today_find"),
    path("reception/today/<int:visit_id>/cancel/", views.today_cancel, name="today_cancel"),
    path(
        "reception/today/<int:visit_id>/department/",
        views.today_department,
        name="today_department",
    ),
    path("reception/patients/", views.patient_search, name="patient_search"),
    path(
        "reception/patients/find/",
        views.patient_search_results,
        name="patient_search_results",
    ),
    path("reception/merge/", views.merge_page, name="merge"),
    path("reception/merge/do/", views.merge_do, name="merge_do"),
    path("reception/merge/<int:merge_id>/undo/", views.merge_undo, name="merge_undo"),
    path("tickets/<str:token>/", views.ticket_html, name="ticket"),
    path("tickets/<str:token>/pdf/", views.ticket_pdf_view, name="ticket_pdf"),
    path("kiosk/", views.kiosk, name="kiosk"),
    path("kiosk/step/", views.kiosk_step, name="kiosk_step"),
    path("board/", views.board, name="board"),
    path("board/state/", views.board_state, name="board_state"),
    path("clinic/", views.clinic, name="clinic"),
    path("clinic/<str:action>/", views.clinic_action, name="clinic_action"),
]
