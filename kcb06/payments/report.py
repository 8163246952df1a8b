"""The daily cash report of a facility: payments by method and the cashless share against the
kiosk plan's target of 50 % of the number and of the value of payments.

A payment counts on the local day it was received, at the facility of its bill; unmatched
transfers (no bill yet) and payments of refunded bills are left out."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, Sum
from django.utils import timezone

from .models import BillState, Method, Payment

TARGET = 0.5


@dataclass
class CashShare:
    facility_id: int
    day: date
    by_method: dict  # method -> {"label", "count", "value"}
    count: int
    value: int
    cashless_count: int
    cashless_value: int
    target: float = TARGET

    @property
    def count_share(self) -> float | None:
        return self.cashless_count / self.count if self.count else None

    @property
    def value_share(self) -> float | None:
        return self.cashless_value / self.value if self.value else None

    @property
    def met(self) -> bool:
        return (
            self.count_share is not None
            and self.count_share >= self.target
            and (self.value_share or 0) >= self.target
        )

    def as_dict(self) -> dict:
        return {
            "facility_id": self.facility_id,
            "day": self.day.isoformat(),
            "by_method": self.by_method,
            "count": self.count,
            "value": self.value,
            "cashless_count": self.cashless_count,
            "cashless_value": self.cashless_value,
            "count_share": self.count_share,
            "value_share": self.value_share,
            "target": self.target,
            "met": self.met,
        }


def cashless_share(facility, day: date) -> CashShare:
    """Number and value of the day's payments by method and the cashless share (the reports
    app reads this; `facility` is a Facility or its id)."""
    facility_id = getattr(facility, "pk", facility)
    start = timezone.make_aware(datetime.combine(day, time()))
    end = timezone.make_aware(datetime.combine(day, time(23, 59, 59, 999999)))
    rows = (
        Payment.objects.filter(bill__facility_id=facility_id, received_at__range=(start, end))
        .exclude(bill__state=BillState.REFUNDED)
        .values("method")
        .annotate(n=Count("pk"), v=Sum("amount"))
    )
    by_method = {m.value: {"label": str(m.label), "count": 0, "value": 0} for m in Method}
    for row in rows:
        by_method[row["method"]].update(count=row["n"], value=int(row["v"] or 0))
    cashless = [m for m in by_method if m != Method.CASH]
    return CashShare(
        facility_id=facility_id,
        day=day,
        by_method=by_method,
        count=sum(v["count"] for v in by_method.values()),
        value=sum(v["value"] for v in by_method.values()),
        cashless_count=sum(by_method[m]["count"] for m in cashless),
        cashless_value=sum(by_method[m]["value"] for m in cashless),
    )
