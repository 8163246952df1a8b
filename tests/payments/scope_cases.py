"""Facility-scope cases of payments (collected by tests/platform/test_scope.py): the world's
visit at 27903 has a bill; a cashier of 27901 must see neither it nor the patient."""

from tests.platform.scope import Case, Exempt

K = "cashier"
PAGE = ("session",)


def extend_world(w):
    from datetime import timedelta

    from django.utils import timezone

    from kcb06.payments.models import Bill

    w.extra["bill"] = Bill.objects.create(
        facility=w.visit.facility,
        visit=w.visit,
        reference="KCBSCPE22",
        amount=12345,
        lines=[
            {
                "name": "Khám bệnh",
                "quantity": "1",
                "unit": "Lần",
                "total": 12345,
                "fund": 0,
                "patient": 12345,
            }
        ],  # fmt: skip
        expires_at=timezone.now() + timedelta(minutes=30),
    )
    from kcb06.payments.models import LineMatch, StatementImport, StatementLine

    statement = StatementImport.objects.create(
        facility=w.visit.facility, day=timezone.localdate(), layout="vcb", line_count=1
    )
    w.extra["statement"] = statement
    w.extra["line"] = StatementLine.objects.create(
        statement=statement, row=2, transaction_id="FTSCOPE0001", booked_at=timezone.now(),
        amount=12345, message="VIEN PHI KCBSCPE22", reference="KCBSCPE22",
        match=LineMatch.NO_WEBHOOK,
    )  # fmt: skip


def _bill(w) -> int:
    return w.extra["bill"].pk


CASES = [
    Case("payments:bills", lambda w: "/payments/", role=K, via=PAGE, expect=frozenset({200})),
    Case("payments:bill", lambda w: f"/payments/bills/{_bill(w)}/", role=K, via=PAGE),
    Case(
        "payments:bill_state",
        lambda w: f"/payments/bills/{_bill(w)}/state/",
        role=K,
        via=PAGE,
        control="ok",
    ),
    Case(
        "payments:issue",
        lambda w: f"/payments/visits/{w.visit.pk}/bill/",
        method="POST",
        data=lambda w: {},
        role=K,
        via=PAGE,
        control="ok",
    ),
    Case(
        "payments:cash",
        lambda w: f"/payments/bills/{_bill(w)}/cash/",
        method="POST",
        data=lambda w: {},
        role=K,
        via=PAGE,
        control="ok",
    ),
]
CASES += [
    Case(
        "payments:receipt",
        lambda w: f"/payments/bills/{_bill(w)}/receipt.pdf",
        role=K,
        via=PAGE,
        control="ok",
    ),
    Case(
        "payments:confirm",
        lambda w: f"/payments/bills/{_bill(w)}/confirm/",
        method="POST",
        data=lambda w: {"transaction_id": "FTSCOPE0002", "amount": "12345", "reason": "scope test"},
        role=K,
        via=PAGE,
        control=None,
        note="the owner's confirmation would pay the world's bill for the other cases",
    ),
    Case(
        "payments:refund",
        lambda w: f"/payments/bills/{_bill(w)}/refund/",
        method="POST",
        data=lambda w: {"reason": "scope test"},
        role=K,
        via=PAGE,
        control=None,
        note="the world's bill has nothing paid, so the owner gets 409 nothing_to_refund",
    ),
    Case(
        "payments:attach",
        lambda w: "/payments/unmatched/999999999/attach/",
        method="POST",
        data=lambda w: {"reference": "KCBSCPE22", "reason": "scope test"},
        role=K,
        via=PAGE,
        expect=frozenset({404, 409}),
        control=None,
        note="an unmatched transfer has no facility; the world's bill is refused by reference",
    ),
    Case(
        "payments:statement",
        lambda w: f"/payments/statements/{w.extra['statement'].pk}/",
        role=K,
        via=PAGE,
        control="ok",
    ),
    Case(
        "payments:confirm_line",
        lambda w: f"/payments/statement-lines/{w.extra['line'].pk}/confirm/",
        method="POST",
        data=lambda w: {"reason": "scope test", "statement": w.extra["statement"].pk},
        role=K,
        via=PAGE,
        control=None,
        note="the owner's confirmation would change the world for the other cases",
    ),
    Case(
        "payments:kiosk_state",
        lambda w: "/payments/kiosk/KCBSCPE22/state/",
        role="kiosk",
        via=PAGE,
        control="ok",
    ),
    Case(
        "payments:kiosk_receipt",
        lambda w: "/payments/kiosk/KCBSCPE22/receipt.pdf",
        role="kiosk",
        via=PAGE,
        control=None,
        note="the world's bill is unpaid: the owner's kiosk gets 409 not_paid",
    ),
    Case(
        "payments:kiosk_pay",
        lambda w: "/payments/kiosk/",
        method="POST",
        data=lambda w: {"token": w.extra["ticket"].token},
        role="kiosk",
        via=PAGE,
        control=None,
        note="the world's visit has its bill; the owner's answer is that bill's QR",
    ),
]
EXEMPT = [
    Exempt("payments:unmatched", "transfers with no bill: no patient is named"),
    Exempt("payments:statements", "the form and the facility's own imports: no patient data"),
    Exempt("payments:report", "counts and sums of the user's own facility: no patient data"),
    Exempt(
        "POST /api/v1/payments/bank-webhook",
        "the bank's HMAC-signed notification: no session or key, answers no patient data",
    ),
]
