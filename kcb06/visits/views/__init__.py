"""Pages of kcb06.visits, one module per place: the reception desk, the ticket, the kiosk, the
waiting-hall board, the clinician's call page. Thin: parse the form, call
kcb06.visits.services, render."""

from kcb06.visits.views.board import board, board_state
from kcb06.visits.views.clinic import clinic, clinic_action
from kcb06.visits.views.kiosk import kiosk, kiosk_step
from kcb06.visits.views.merge import merge_do, merge_page, merge_undo
from kcb06.visits.views.reception import reception, reception_check_in, reception_scan
from kcb06.visits.views.search import patient_search, patient_search_results
from kcb06.visits.views.tickets import ticket_html, ticket_pdf_view
from kcb06.visits.views.today import today, today_cancel, today_department, today_find

__all__ = [
    "board",
    "board_state",
    "clinic",
    "clinic_action",
    "kiosk",
    "kiosk_step",
    "merge_do",
    "merge_page",
    "merge_undo",
    "patient_search",
    "patient_search_results",
    "reception",
    "reception_check_in",
    "reception_scan",
    "ticket_html",
    "ticket_pdf_view",
    "today",
    "today_cancel",
    "today_department",
    "today_find",
]
