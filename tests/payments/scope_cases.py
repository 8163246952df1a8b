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
EXEMPT = [
    Exempt(
        "POST /api/v1/payments/bank-webhook",
        "the bank's HMAC-signed notification: no session or key, answers no patient data",
    )
]
