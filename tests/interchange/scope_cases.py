"""Facility-scope cases of interchange (collected by tests/platform/test_scope.py).

The world's visit at 27903 gets a claim file (invalid: the visit has no closure) that ended
30 hours ago, so it is on the owner's outbox and overdue lists; a cashier of 27901 must see
neither the file nor its MA_LK."""

from datetime import timedelta

from tests.platform.scope import Case

K = "cashier"
PAGE = ("session",)
OK200 = frozenset({200})


def extend_world(w):
    from django.utils import timezone

    from kcb06.interchange import outbox
    from kcb06.interchange.models import OutboxItem

    item = outbox.enqueue_claim(w.visit)
    OutboxItem.objects.filter(pk=item.pk).update(
        visit_ended_at=timezone.now() - timedelta(hours=30)
    )
    w.extra["xml_item"] = item


def _item(w):
    return w.extra["xml_item"].pk


CASES = [
    Case("interchange:status", lambda w: "/interchange/", role=K, via=PAGE, expect=OK200),
    Case("interchange:item", lambda w: f"/interchange/files/{_item(w)}/", role=K, via=PAGE),
    Case(
        "interchange:resend",
        lambda w: f"/interchange/files/{_item(w)}/resend/",
        method="POST",
        data=lambda w: {},
        role=K,
        via=PAGE,
        expect=frozenset({302, 403, 404}),
        control="ok",
        note="the outsider is redirected back with 'not found'; the file is never touched",
    ),
    Case("interchange:overdue", lambda w: "/interchange/overdue/", role=K, via=PAGE, expect=OK200),
    Case(
        "interchange:rules",
        lambda w: "/interchange/rules/",
        role="facility_admin",
        via=PAGE,
        expect=OK200,
        control="ok",
        note="rules and per-rule counts of the admin's own facility; no patient is named",
    ),
    Case(
        "interchange:queue",
        lambda w: "/interchange/queue/",
        role=K,
        via=PAGE,
        expect=OK200,
        note="the claim-error work queue: own facility's claims; health department: counts only",
    ),
    Case(
        "interchange:queue_export",
        lambda w: "/interchange/queue/export.xlsx",
        role=K,
        via=PAGE,
        expect=OK200,
        control="ok",
        note="a zipped workbook (no text to search): tests/interchange/test_claim_queue.py "
        "opens it and checks another facility's claims and the health department's counts",
    ),
    Case(
        "GET /api/v1/interchange/overdue",
        lambda w: "/api/v1/interchange/overdue",
        role=K,
        expect=OK200,
    ),
    Case(
        "GET /api/v1/interchange/visits/{visit_id}",
        lambda w: f"/api/v1/interchange/visits/{w.visit.pk}",
        role=K,
    ),
    Case(
        "POST /api/v1/interchange/files/{item_id}/resend",
        lambda w: f"/api/v1/interchange/files/{_item(w)}/resend",
        method="POST",
        data=lambda w: {},
        role=K,
        control="ok",
    ),
]
