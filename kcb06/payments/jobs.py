"""Periodic job of payments (run by `kcb06 worker`): re-queue the claim of each visit paid in
full since the last run, with NGAY_TTOAN = the moment of payment.

Out of the bank's request on purpose: re-building and validating a claim costs ~50 ms
(bench/bench_payments.py, "webhook-claim"), which the webhook's latency target cannot carry.
The flag is set in the payment's own transaction, so a crash between the payment and the job
loses nothing: the next run picks the bill up (SKIP LOCKED lets several workers share it)."""

from django.db import transaction

from .claims import claim_after_payment
from .models import Bill

BATCH = 50


def requeue_claims(limit: int = BATCH) -> int:
    done = 0
    with transaction.atomic():
        bills = list(
            Bill.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("visit__facility")
            .filter(claim_due=True)
            .order_by("settled_at")[:limit]
        )
        for bill in bills:
            claim_after_payment(bill, bill.settled_at)
            Bill.objects.filter(pk=bill.pk).update(claim_due=False)
            done += 1
    return done
