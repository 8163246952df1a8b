"""Sent inside the transaction that closes a visit (visit=Visit, principal=Principal), so the
interchange outbox row is written atomically with the closure."""

from django.dispatch import Signal

visit_closed = Signal()
# Sent when a closed visit is corrected after closing (visit=Visit, principal=Principal).
visit_corrected = Signal()
# Sent inside the closing transaction once the closure rows are written, before anything else
# happens (visit=Visit, principal=Principal). A receiver returns the problems that would make
# the visit's files invalid (a list of {"table", "field", "code", "message_vi"[, "row"]}); the
# closing then rolls back and the form shows them. interchange answers with its XML rules.
visit_closing = Signal()
