"""Build the daily rollups (FacilityDay, and DepartmentDay for the visits' figures per
department) from what kcb06 already records.

- check-in method: `Visit.check_in_method` (what the person presented at the desk or kiosk);
- BHYT verdict: `Visit.eligibility_outcome` (updated when a pending check is resolved);
- portal: the visit's claim files (`OutboxItem`, kind "claim") in state "accepted" (or
  "invalid": refused by our own checks before sending);
- payments: `payments.Payment` received that day (number and value, cash or not), counted on
  the day the money came, not the visit's day;
- the BHXH portal's answers to card checks: eligibility's own daily rollup (`PortalDay`).

Every figure is counted on the day of the visit (`visit_date`, local time); cancelled visits are
not counted. A rebuild replaces the rows of the period whole (delete then insert in one
transaction), so it is idempotent and a facility-day whose visits were all cancelled disappears.
"""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from kcb06.eligibility.models import LATENCY_FIELDS, PortalDay, ReconciliationEntry
from kcb06.interchange.models import OutboxItem, OutboxKind, OutboxState
from kcb06.payments.models import Method, Payment
from kcb06.reports.models import (
    COUNT_FIELDS,
    PAYMENT_FIELDS,
    VISIT_FIELDS,
    DepartmentDay,
    FacilityDay,
)
from kcb06.visits.models import Visit, VisitStatus

log = logging.getLogger(__name__)

# Check-in method as stored on the visit -> rollup column. Anything else (blank: a patient
# registered without a document, or a visit from before methods were recorded) is "no document".
METHOD_COLUMNS = {
    "cccd_qr": "by_cccd_qr",
    "vneid_qr": "by_vneid_qr",
    "id_number": "by_id_number",
    "bhyt_card": "by_bhyt_card",
    "bhxh_number": "by_bhyt_card",
}
ELIGIBILITY_COLUMNS = {
    "valid": "elig_valid",
    "invalid": "elig_invalid",
    "no_card": "elig_no_card",
    "unverified": "elig_unverified",
}
# How many days back the worker refreshes: a visit's portal state changes after its day.
DEFAULT_REFRESH_DAYS = 3


def _deadline() -> timedelta:
    return timedelta(hours=settings.KCB06_ACCEPT_DEADLINE_HOURS)


def visit_filters(now) -> dict[str, Q | None]:
    """Which visits each figure of VISIT_FIELDS counts (None: every visit). One definition for
    the rollup, which counts them, and for the facility's trace lists (kcb06.reports.trace),
    which list them: a list's length is the figure. Needs `with_portal_states`."""
    deadline = _deadline()
    ended = Q(status=VisitStatus.CLOSED, closed_at__isnull=False)
    filters: dict[str, Q | None] = {
        "visits": None,
        "by_cccd_qr": Q(check_in_method="cccd_qr"),
        "by_vneid_qr": Q(check_in_method="vneid_qr"),
        "by_id_number": Q(check_in_method="id_number"),
        "by_bhyt_card": Q(check_in_method__in=("bhyt_card", "bhxh_number")),
        "by_no_document": ~Q(check_in_method__in=list(METHOD_COLUMNS)),
    }
    for outcome, column in ELIGIBILITY_COLUMNS.items():
        filters[column] = Q(eligibility_outcome=outcome)
    filters.update(
        ended=ended,
        accepted=Q(first_accepted__isnull=False),
        accepted_on_time=ended & Q(first_accepted__lte=F("closed_at") + deadline),
        # Past the deadline without an acceptance in time (accepted late, or not at all yet).
        late=ended
        & Q(closed_at__lt=now - deadline)
        & (Q(first_accepted__isnull=True) | Q(first_accepted__gt=F("closed_at") + deadline)),
        claims_invalid=Q(claim_invalid=True),
    )
    return filters


def with_portal_states(visits):
    """Visits annotated with their first accepted claim file's time and whether a claim file
    of theirs was refused by our own checks (what visit_filters reads)."""
    claims = OutboxItem.objects.filter(visit=OuterRef("pk"), kind=OutboxKind.CLAIM)
    first_accepted = Subquery(
        claims.filter(state=OutboxState.ACCEPTED).order_by("accepted_at").values("accepted_at")[:1]
    )
    return visits.annotate(
        first_accepted=first_accepted,
        claim_invalid=Exists(claims.filter(state=OutboxState.INVALID)),
    )


def counted_visits(start: date, end: date):
    """The visits the figures count: those of the days start..end, cancelled ones left out."""
    return Visit.objects.filter(visit_date__gte=start, visit_date__lte=end).exclude(
        status=VisitStatus.CANCELLED
    )


def _counts(start: date, end: date, now) -> list[dict]:
    """One dict of counts per (facility, day, department) with visits: one grouped query."""
    aggregates = {
        name: Count("pk", filter=q) if q is not None else Count("pk")
        for name, q in visit_filters(now).items()
    }
    return list(
        with_portal_states(counted_visits(start, end))
        .values("facility_id", "visit_date", "department_id")
        .annotate(**aggregates)
        .order_by()
    )


# Payments each payment figure counts (None: every payment); "payments_cash" is the figure the
# pages show as payments minus cashless ones.
PAYMENT_FILTERS: dict[str, Q | None] = {
    "payments": None,
    "payments_cashless": ~Q(method=Method.CASH),
    "payments_cash": Q(method=Method.CASH),
}


def received_payments(start: date, end: date):
    """Payments received on the days start..end (local time) at a facility."""
    return Payment.objects.filter(
        facility__isnull=False, received_at__date__gte=start, received_at__date__lte=end
    )


def _payment_counts(start: date, end: date) -> dict[tuple[int, date], dict]:
    """Payments received per facility and local day: number and value, all and cashless
    (VietQR transfers; every method but cash). Read from `payments.Payment` directly."""
    tz = timezone.get_current_timezone()
    cashless = PAYMENT_FILTERS["payments_cashless"]
    rows = (
        received_payments(start, end)
        .annotate(day=TruncDate("received_at", tzinfo=tz))
        .values("facility_id", "day")
        .annotate(
            payments=Count("pk"),
            payments_cashless=Count("pk", filter=cashless),
            paid_amount=Sum("amount"),
            paid_cashless_amount=Sum("amount", filter=cashless),
        )
        .order_by()
    )
    return {
        (r["facility_id"], r["day"]): {name: r[name] or 0 for name in PAYMENT_FIELDS} for r in rows
    }


def _portal_counts(start: date, end: date) -> dict[tuple[int, date], dict]:
    """Per facility and day: the card checks put to the portal (eligibility's own rollup,
    PortalDay) and the citizens put on the police/BHXH mismatch list, and those sent."""
    out: dict[tuple[int, date], dict] = {}
    columns = {
        "portal_checks": "calls",
        "portal_unanswered": "unanswered",
        "portal_timeouts": "timed_out",
        "portal_latency_ms": "latency_ms_sum",
        **{f"portal_{name}": name for name in LATENCY_FIELDS},
    }
    for r in PortalDay.objects.filter(day__gte=start, day__lte=end).values(
        "facility_id", "day", *columns.values()
    ):
        out[(r["facility_id"], r["day"])] = {ours: r[theirs] for ours, theirs in columns.items()}
    for r in (
        ReconciliationEntry.objects.filter(day__gte=start, day__lte=end)
        .values("facility_id", "day")
        .annotate(
            mismatch_listed=Count("pk"),
            mismatch_sent=Count("pk", filter=Q(sent_at__isnull=False)),
        )
        .order_by()
    ):
        out.setdefault((r["facility_id"], r["day"]), {}).update(
            mismatch_listed=r["mismatch_listed"], mismatch_sent=r["mismatch_sent"]
        )
    return out


def rebuild(start: date, end: date, *, now=None) -> int:
    """Replace the rollups of every facility for the days start..end (inclusive); answers how
    many facility-day rows were written."""
    if end < start:
        raise ValueError("end before start")
    now = now or timezone.now()
    counts: dict[tuple[int, date], dict] = {}
    departments = []
    for c in _counts(start, end, now):
        departments.append(
            DepartmentDay(
                facility_id=c["facility_id"],
                department_id=c["department_id"],
                day=c["visit_date"],
                computed_at=now,
                **{name: c[name] for name in VISIT_FIELDS},
            )
        )
        summed = counts.setdefault((c["facility_id"], c["visit_date"]), {})
        for name in VISIT_FIELDS:
            summed[name] = summed.get(name, 0) + c[name]
    for key, paid in _payment_counts(start, end).items():
        counts.setdefault(key, {}).update(paid)
    for key, portal in _portal_counts(start, end).items():
        counts.setdefault(key, {}).update(portal)
    rows = [
        FacilityDay(
            facility_id=facility_id,
            day=day,
            computed_at=now,
            **{name: c.get(name, 0) for name in COUNT_FIELDS},
        )
        for (facility_id, day), c in counts.items()
    ]
    with transaction.atomic():
        # Rows sent by a facility's own kcb06 stay: their visits are not in this database.
        FacilityDay.objects.filter(day__gte=start, day__lte=end, received_at__isnull=True).delete()
        FacilityDay.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        DepartmentDay.objects.filter(day__gte=start, day__lte=end).delete()
        DepartmentDay.objects.bulk_create(departments, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def refresh_recent(today: date | None = None, days: int | None = None) -> int:
    """Rebuild today and the previous days (KCB06_REPORTS_REFRESH_DAYS, default 3): the worker's
    job. Two workers rebuilding at once: the loser's insert collides and it simply skips."""
    today = today or timezone.localdate()
    if days is None:
        days = getattr(settings, "KCB06_REPORTS_REFRESH_DAYS", DEFAULT_REFRESH_DAYS)
    try:
        return rebuild(today - timedelta(days=days), today)
    except IntegrityError:
        log.info("rollup refresh skipped: another worker wrote the same days")
        return 0
