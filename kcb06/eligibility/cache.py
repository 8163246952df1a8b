"""The same-day cache of valid verdicts: process memory first (daycache), then the database.

The cache hit is the commonest check of all (every second visit of the day), so the database
lookup is one hand-written statement on elig_cache_idx rather than an ORM query: building the
ORM query cost four times the database round trip. What is found or stored is remembered in
memory only once its transaction commits.
"""

import json
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kcb06.eligibility import daycache
from kcb06.eligibility.daycache import CachedCheck
from kcb06.eligibility.models import EligibilityCheck
from kcb06.identity import fold_name

# One key's newest verdict, on elig_cache_idx. Several keys are several of these joined by
# UNION ALL, not one `lookup_key IN (...)`: with that, the planner kept lookup_key out of the
# index condition and filtered every check of the facility's day
# (docs/measurements.md#card-check-cache-query).
_ONE = (
    "SELECT * FROM (SELECT lookup_key, id, portal_code, response, checked_at "
    "FROM eligibility_eligibilitycheck "
    "WHERE facility_id = %s AND lookup_key = %s AND check_date = %s AND checked_at >= %s "
    "AND outcome = 'valid' AND status = 'final' AND name_key = %s AND date_of_birth = %s "
    "ORDER BY checked_at DESC LIMIT 1) AS k{n}"
)


def key_for(facility_id: int, lookup_key: str, full_name: str, dob: date) -> daycache.Key:
    return (facility_id, lookup_key, timezone.localdate(), fold_name(full_name), dob)


def remember_after_commit(key: daycache.Key, check: CachedCheck) -> None:
    transaction.on_commit(lambda: daycache.put(key, check))


def lookup(key: daycache.Key) -> CachedCheck | None:
    """Today's valid verdict for this key within the cache window, or None."""
    return _lookup([key]).get(key)


def _lookup(keys: list[daycache.Key]) -> dict:
    """Today's valid verdicts for keys that differ only in the looked-up card/ID: memory
    first, then one statement for the keys memory did not have."""
    hours = settings.KCB06_ELIGIBILITY_CACHE_HOURS
    if hours <= 0:
        return {}
    since = timezone.now() - timedelta(hours=hours)
    found = {}
    for key in keys:
        hit = daycache.get(key, since)
        if hit is not None:
            found[key] = hit
    missing = [key for key in keys if key not in found]
    if not missing:
        return found
    facility_id, _, day, name_key, dob = missing[0]
    by_lookup = {key[1]: key for key in missing}
    conn = connections["default"]
    field = EligibilityCheck._meta.get_field
    common = [
        field("check_date").get_db_prep_value(day, conn),
        field("checked_at").get_db_prep_value(since, conn),
        field("name_key").get_db_prep_value(name_key, conn),
        field("date_of_birth").get_db_prep_value(dob, conn),
    ]
    facility = field("facility").get_db_prep_value(facility_id, conn)
    params = []
    for lookup_key in by_lookup:
        params += [facility, lookup_key, *common]
    sql = " UNION ALL ".join(_ONE.format(n=n) for n in range(len(by_lookup)))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for lookup_key, pk, portal_code, response, checked_at in rows:
        key = by_lookup[lookup_key]
        if isinstance(response, str):
            response = json.loads(response)
        found[key] = hit = CachedCheck(pk, portal_code, response, _aware(checked_at))
        remember_after_commit(key, hit)
    return found


def lookup_request(facility_id: int, req) -> CachedCheck | None:
    """Today's valid verdict for a request. A request with both a card and an ID number (a
    known patient scanning the chip card) is first looked up by the card; failing that, a
    verdict asked by the ID number earlier today counts if the portal named this very card
    in it, so a patient's second check-in of the day never waits for the portal again. Both
    are one statement."""
    key = key_for(facility_id, req.lookup_key, req.full_name, req.date_of_birth)
    if not (req.card_number and req.id_number):
        return lookup(key)
    by_id_key = key[:1] + (req.id_number,) + key[2:]
    found = _lookup([key, by_id_key])
    if key in found:
        return found[key]
    by_id = found.get(by_id_key)
    if by_id is not None and _card_of(by_id.response) == req.card_number:
        remember_after_commit(key, by_id)
        return by_id
    return None


def _card_of(response) -> str:
    return str((response or {}).get("maThe") or "").strip().upper()


def _aware(value) -> datetime:
    """SQLite hands back naive UTC text or datetimes; PostgreSQL aware datetimes."""
    if not isinstance(value, datetime):
        value = parse_datetime(str(value))
    return timezone.make_aware(value, UTC) if timezone.is_naive(value) else value
