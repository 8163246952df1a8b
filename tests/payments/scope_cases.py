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


def _page(endpoint: str, path, role: str = K, **fields) -> Case:
    """A cashier's (or the kiosk's) page, reached with a session."""
    return Case(endpoint, path, role=role, via=PAGE, **fields)


def _post(endpoint: str, path, data=lambda w: {}, **fields) -> Case:
    return _page(endpoint, path, method="POST", data=data, **fields)


CASES = [
    _page("payments:bills", lambda w: "/payments/", expect=frozenset({200})),
    _page("payments:bill", lambda w: f"/payments/bills/{_bill(w)}/"),
    _page("payments:bill_state", lambda w: f"/payments/bills/{_bill(w)}/state/", control="ok"),
    _post("payments:issue", lambda w: f"/payments/visits/{w.visit.pk}/bill/", control="ok"),
    _post("payments:cash", lambda w: f"/payments/bills/{_bill(w)}/cash/", control="ok"),
    _page("payments:receipt", lambda w: f"/payments/bills/{_bill(w)}/receipt.pdf", control="ok"),
    _post(
        "payments:confirm",
        lambda w: f"/payments/bills/{_bill(w)}/confirm/",
        lambda w: {"transaction_id": "FTSCOPE0002", "amount": "12345", "reason": "scope test"},
        control=None,
        note="the owner's confirmation would pay the world's bill for the other cases",
    ),
    _post(
        "payments:refund",
        lambda w: f"/payments/bills/{_bill(w)}/refund/",
        lambda w: {"reason": "scope test"},
        control=None,
        note="the world's bill has nothing paid, so the owner gets 409 nothing_to_refund",
    ),
    _post(
        "payments:attach",
        lambda w: "/payments/unmatched/999999999/attach/",
        lambda w: {"reference": "KCBSCPE22", "reason": "scope test"},
        expect=frozenset({404, 409}),
        control=None,
        note="an unmatched transfer has no facility; the world's bill is refused by reference",
    ),
    _page(
        "payments:statement",
        lambda w: f"/payments/statements/{w.extra['statement'].pk}/",
        control="ok",
    ),
    _post(
        "payments:confirm_line",
        lambda w: f"/payments/statement-lines/{w.extra['line'].pk}/confirm/",
        lambda w: {"reason": "scope test", "statement": w.extra["statement"].pk},
        control=None,
        note="the owner's confirmation would change the world for the other cases",
    ),
    _page(
        "payments:kiosk_state", lambda w: "/payments/kiosk/KCBSCPE22/state/", "kiosk", control="ok"
    ),
    _page(
        "payments:kiosk_receipt",
        lambda w: "/payments/kiosk/KCBSCPE22/receipt.pdf",
        "kiosk",
        control=None,
        note="the world's bill is unpaid: the owner's kiosk gets 409 not_paid",
    ),
    _post(
        "payments:kiosk_pay",
        lambda w: "/payments/kiosk/",
        lambda w: {"token": w.extra["ticket"].token},
        role="kiosk",
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
