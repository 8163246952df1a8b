"""Signals other apps listen to. Sent inside the check-in transaction, so a receiver that writes
an outbox row commits or rolls back together with the visit."""

from django.dispatch import Signal

# Sent once when a visit is created at check-in: visit=Visit, principal=Principal.
visit_checked_in = Signal()
