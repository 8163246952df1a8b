"""The facility head's morning briefing: today at one facility, live from its own tables.

Counts only (check-ins by department, waiting and called, claims the portal has not accepted
yet, payments of the day): no patient, visit or name. The facility administrator (the head's
account) sees their own facility; a health department uses the dashboard instead.
"""

from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from kcb06.facilities.models import Role
from kcb06.interchange.models import OutboxItem, OutboxKind, OutboxState
from kcb06.payments.models import Method, Payment
from kcb06.visits.models import Ticket, TicketStatus, Visit, VisitStatus

ROLES = (Role.FACILITY_ADMIN,)
# Claims the portal has not accepted: waiting, sent without an answer, refused, failed, invalid.
OPEN_CLAIM_STATES = (
    OutboxState.INVALID,
    OutboxState.WAITING,
    OutboxState.SENT,
    OutboxState.REJECTED,
    OutboxState.FAILED,
)
CLAIM_WINDOW_DAYS = 7


def today(principal) -> dict:
    principal.require_role(*ROLES)
    facility = principal.profile.facility
    day = timezone.localdate()
    visits = Visit.objects.filter(facility=facility, visit_date=day).exclude(
        status=VisitStatus.CANCELLED
    )
    by_department = {
        r["department_id"]: r["n"]
        for r in visits.values("department_id").annotate(n=Count("pk")).order_by()
    }
    queue = {
        (r["department_id"], r["status"]): r["n"]
        for r in Ticket.objects.filter(department__facility=facility, day=day)
        .values("department_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    departments = []
    for d in facility.departments.order_by("sort_order", "code"):
        row = {
            "code": d.code,
            "name": d.name,
            "check_ins": by_department.get(d.pk, 0),
            "waiting": queue.get((d.pk, TicketStatus.WAITING), 0),
            "called": queue.get((d.pk, TicketStatus.CALLED), 0),
            "done": queue.get((d.pk, TicketStatus.DONE), 0),
        }
        if any(row[k] for k in ("check_ins", "waiting", "called", "done")) or d.accepts_patients:
            departments.append(row)
    since = day - timedelta(days=CLAIM_WINDOW_DAYS)
    claims = {
        r["state"]: r["n"]
        for r in OutboxItem.objects.filter(
            facility=facility,
            kind=OutboxKind.CLAIM,
            state__in=OPEN_CLAIM_STATES,
            created_at__date__gte=since,
        )
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    }
    cashless = ~Q(method=Method.CASH)
    paid = Payment.objects.filter(facility=facility, received_at__date=day).aggregate(
        n=Count("pk"),
        n_cashless=Count("pk", filter=cashless),
        total=Sum("amount"),
        total_cashless=Sum("amount", filter=cashless),
    )
    return {
        "facility": {"code": facility.code, "name": facility.name},
        "day": day,
        "at": timezone.localtime(),
        "check_ins": sum(by_department.values()),
        "waiting": sum(r["waiting"] for r in departments),
        "called": sum(r["called"] for r in departments),
        "departments": departments,
        "claims_open": sum(claims.values()),
        "claims": [
            {"state": s, "label": OutboxState(s).label, "n": claims.get(s, 0)}
            for s in OPEN_CLAIM_STATES
        ],
        "claim_window_days": CLAIM_WINDOW_DAYS,
        "payments": paid["n"],
        "payments_cashless": paid["n_cashless"],
        "paid_amount": paid["total"] or 0,
        "paid_cashless_amount": paid["total_cashless"] or 0,
    }
