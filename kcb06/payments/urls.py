from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("", views.bills, name="bills"),
    path("visits/<int:visit_id>/bill/", views.issue, name="issue"),
    path("bills/<int:bill_id>/", views.bill, name="bill"),
    path("bills/<int:bill_id>/state/", views.bill_state, name="bill_state"),
    path("bills/<int:bill_id>/cash/", views.cash, name="cash"),
    path("bills/<int:bill_id>/confirm/", views.confirm, name="confirm"),
    path("bills/<int:bill_id>/refund/", views.refund, name="refund"),
    path("bills/<int:bill_id>/receipt.pdf", views.receipt, name="receipt"),
    path("unmatched/", views.unmatched, name="unmatched"),
    path("unmatched/<int:payment_id>/attach/", views.attach, name="attach"),
    path("statements/", views.statements_page, name="statements"),
    path("statements/<int:statement_id>/", views.statement, name="statement"),
    path("statement-lines/<int:line_id>/confirm/", views.confirm_line, name="confirm_line"),
    path("report/", views.cash_report, name="report"),
    path("kiosk/", views.kiosk_pay, name="kiosk_pay"),
    path("kiosk/<str:reference>/state/", views.kiosk_state, name="kiosk_state"),
    path("kiosk/<str:reference>/receipt.pdf", views.kiosk_receipt, name="kiosk_receipt"),
]
