"""Build the daily rollups (FacilityDay) from what kcb06 already records.

- check-in method: `Visit.check_in_method` (what the person presented at the desk or kiosk);
- BHYT verdict: `Visit.eligibility_outcome` (updated when a pending check is resolved);
- portal: the visit's claim files (`OutboxItem`, kind "claim") in state "accepted";
- payments: `payments.Payment` received that day (number and value, cash or not), counted on
  the day the money came, not the visit's day.

Every figure is counted on the day of the visit (`visit_date`, local time); cancelled visits are
not counted. A rebuild replaces the rows of the period whole (delete then insert in one
transaction), so it is idempotent and a facility-day whose visits were all cancelled disappears.
"""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from kcb06.eligibility.models import EligibilityCheck, Outcome, ReconciliationEntry
from kcb06.interchange.models import OutboxItem, OutboxKind, OutboxState
from kcb06.payments.models import Method, Payment
from kcb06.reports.models import COUNT_FIELDS, PAYMENT_FIELDS, FacilityDay
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


def _counts(start: date, end: date, now) -> list[dict]:
    """One dict of counts per (facility, day) with visits, straight from the database."""
    first_accepted = Subquery(
        OutboxItem.objects.filter(
            visit=OuterRef("pk"), kind=OutboxKind.CLAIM, state=OutboxState.ACCEPTED
        )
        .order_by("accepted_at")
        .values("accepted_at")[:1]
    )
    deadline = _deadline()
    ended = Q(status=VisitStatus.CLOSED, closed_at__isnull=False)
    on_time = ended & Q(first_accepted__lte=F("closed_at") + deadline)
    known = list(METHOD_COLUMNS)
    aggregates = {
        "visits": Count("pk"),
        "by_cccd_qr": Count("pk", filter=Q(check_in_method="cccd_qr")),
        "by_vneid_qr": Count("pk", filter=Q(check_in_method="vneid_qr")),
        "by_id_number": Count("pk", filter=Q(check_in_method="id_number")),
        "by_bhyt_card": Count("pk", filter=Q(check_in_method__in=("bhyt_card", "bhxh_number"))),
        "by_no_document": Count("pk", filter=~Q(check_in_method__in=known)),
        "ended": Count("pk", filter=ended),
        "accepted": Count("pk", filter=Q(first_accepted__isnull=False)),
        "accepted_on_time": Count("pk", filter=on_time),
        # Past the deadline without an acceptance in time (accepted late, or not at all yet).
        "late": Count(
            "pk",
            filter=ended
            & Q(closed_at__lt=now - deadline)
            & (Q(first_accepted__isnull=True) | Q(first_accepted__gt=F("closed_at") + deadline)),
        ),
    }
    for outcome, column in ELIGIBILITY_COLUMNS.items():
        aggregates[column] = Count("pk", filter=Q(eligibility_outcome=outcome))
    return list(
        Visit.objects.filter(visit_date__gte=start, visit_date__lte=end)
        .exclude(status=VisitStatus.CANCELLED)
        .annotate(first_accepted=first_accepted)
        .values("facility_id", "visit_date")
        .annotate(**aggregates)
        .order_by()
    )


def _payment_counts(start: date, end: date) -> dict[tuple[int, date], dict]:
    """Payments received per facility and local day: number and value, all and cashless
    (VietQR transfers; every method but cash). Read from `payments.Payment` directly."""
    tz = timezone.get_current_timezone()
    cashless = ~Q(method=Method.CASH)
    rows = (
        Payment.objects.filter(
            facility__isnull=False,
            received_at__date__gte=start,
            received_at__date__lte=end,
        )
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
    """Per facility and day: questions the portal was asked (not the day's cache) and those it
    left unanswered; citizens put on the police/BHXH mismatch list, and those sent."""
    out: dict[tuple[int, date], dict] = {}
    for r in (
        EligibilityCheck.objects.filter(
            check_date__gte=start, check_date__lte=end, from_cache=False
        )
        .values("facility_id", "check_date")
        .annotate(
            portal_checks=Count("pk"),
            portal_unanswered=Count("pk", filter=Q(outcome=Outcome.UNVERIFIED)),
        )
        .order_by()
    ):
        out.setdefault((r["facility_id"], r["check_date"]), {}).update(
            portal_checks=r["portal_checks"], portal_unanswered=r["portal_unanswered"]
        )
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
    for c in _counts(start, end, now):
        counts[(c["facility_id"], c["visit_date"])] = c
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
