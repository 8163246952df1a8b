"""Province federation: a facility running its own kcb06 sends its daily figures to the
province's kcb06 (aggregates only: the `FacilityDay` counts, never a patient, a visit or a name).

- Sender: `kcb06 reports push --to https://province.example/ --key KEY [--days 7]` (or the
  worker, when `KCB06_REPORTS_PUSH_URL` and `KCB06_REPORTS_PUSH_KEY` are set) POSTs the rows of
  the facility's own days to `/api/v1/reports/facility-days` over HTTPS with
  `Authorization: Bearer KEY`.
- Receiver: the key is an API key the province issued for that facility, acting as the
  facility's administrator; a row for any other facility is refused whole (403). Each row is
  written by (facility, day) — insert or replace — so sending the same day twice updates it and
  never doubles it. Rows received are marked (`received_at`) and the province's own rebuild
  leaves them alone.
"""

import json
import logging
import urllib.request
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kcb06.errors import DomainError
from kcb06.facilities.models import Facility, Role
from kcb06.reports.models import COUNT_FIELDS, FacilityDay

log = logging.getLogger(__name__)
MAX_ROWS = 2000
PUSH_ROLES = (Role.FACILITY_ADMIN,)


def receive(principal, rows: list[dict]) -> dict:
    """Write the rows (each: facility code, day, every count) of the caller's own facility."""
    principal.require_role(*PUSH_ROLES)
    if len(rows) > MAX_ROWS:
        raise DomainError(
            "too_many_rows",
            f"Tối đa {MAX_ROWS} dòng mỗi lần gửi.",
            f"At most {MAX_ROWS} rows per request.",
        )
    allowed = {
        f.code: f.pk
        for f in Facility.objects.filter(pk__in=principal.aggregate_facility_ids())
        if f.code
    }
    foreign = sorted({r["facility"] for r in rows} - set(allowed))
    if foreign:
        raise DomainError(
            "facility_not_yours",
            "Khóa API này chỉ gửi được số liệu của cơ sở mình: " + ", ".join(foreign) + ".",
            "This API key may only send its own facility's figures: " + ", ".join(foreign),
            status=403,
        )
    now = timezone.now()
    objs = [
        FacilityDay(
            facility_id=allowed[r["facility"]],
            day=r["day"],
            computed_at=r.get("computed_at") or now,
            received_at=now,
            **{name: r.get(name, 0) for name in COUNT_FIELDS},
        )
        for r in rows
    ]
    with transaction.atomic():
        FacilityDay.objects.bulk_create(
            objs,
            update_conflicts=True,
            unique_fields=["facility", "day"],
            update_fields=[*COUNT_FIELDS, "computed_at", "received_at"],
            batch_size=500,
        )
    return {"written": len(objs)}


def rows_to_send(start: date, end: date) -> list[dict]:
    """This installation's own rows (computed here, not received) for the days start..end."""
    return [
        {
            "facility": r["facility__code"],
            "day": r["day"].isoformat(),
            "computed_at": r["computed_at"].isoformat(),
            **{name: r[name] for name in COUNT_FIELDS},
        }
        for r in FacilityDay.objects.filter(
            day__gte=start, day__lte=end, received_at__isnull=True, facility__code__isnull=False
        )
        .order_by("day", "facility_id")
        .values("facility__code", "day", "computed_at", *COUNT_FIELDS)
    ]


def push(url: str, key: str, start: date, end: date, timeout: float = 30) -> int:
    """POST the rows to the province's kcb06; answers how many it wrote."""
    rows = rows_to_send(start, end)
    written = 0
    for i in range(0, len(rows), MAX_ROWS):
        body = json.dumps({"rows": rows[i : i + MAX_ROWS]}).encode()
        request = urllib.request.Request(  # noqa: S310 - the operator's configured URL
            url.rstrip("/") + "/api/v1/reports/facility-days",
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            written += json.loads(response.read())["written"]
    return written


def push_recent() -> int:
    """The worker's job where a province is configured: send the last days' rows."""
    url = getattr(settings, "KCB06_REPORTS_PUSH_URL", "")
    key = getattr(settings, "KCB06_REPORTS_PUSH_KEY", "")
    if not url or not key:
        return 0
    today = timezone.localdate()
    days = getattr(settings, "KCB06_REPORTS_REFRESH_DAYS", 3)
    try:
        push(url, key, today - timedelta(days=days), today)
    except OSError:
        log.warning("push of daily figures to the province failed; next round retries")
    return 0
