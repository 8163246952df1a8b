"""Sent inside the transaction that closes a visit (visit=Visit, principal=Principal), so the
interchange outbox row is written atomically with the closure."""

from django.dispatch import Signal

visit_closed = Signal()
# Sent when a closed visit is corrected after closing (visit=Visit, principal=Principal).
visit_corrected = Signal()
