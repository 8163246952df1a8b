"""After payment (run by payments.jobs.requeue_claims): the visit's claim carries NGAY_TTOAN (when the patient paid) and is built,
signed and sent again (the outbox supersedes a pending file or sends a replacement after an
accepted one; kcb06.interchange.outbox).

The mapper (kcb06.interchange, below payments) does not know about payments, so the payment
time is set on the claim data here and handed to the outbox's public entry point. A building
bug must not undo a payment: it is logged and the payment stands (the outbox's overdue page
shows the visit without a fresh file)."""

import dataclasses
import logging

from django.db import transaction

log = logging.getLogger("kcb06.payments")


def claim_after_payment(bill, paid_at) -> None:
    """Re-queue the visit's claim with NGAY_TTOAN = `paid_at`; only a closed visit has one."""
    visit = bill.visit
    if visit.closed_at is None:
        return
    from kcb06.interchange.mapper import visit_data
    from kcb06.interchange.outbox import enqueue_claim_data

    try:
        with transaction.atomic():
            data = dataclasses.replace(visit_data(visit), paid_at=paid_at)
            enqueue_claim_data(visit.facility, visit, data)
    except Exception:  # noqa: BLE001 - see module docstring
        log.exception("claim of visit %s could not be re-queued after payment", visit.pk)
