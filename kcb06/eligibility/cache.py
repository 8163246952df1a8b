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

_FIELDS = ("facility", "lookup_key", "check_date", "checked_at", "name_key", "date_of_birth")
_SQL = (
    "SELECT id, portal_code, response, checked_at FROM eligibility_eligibilitycheck "
    "WHERE facility_id = %s AND lookup_key = %s AND check_date = %s AND checked_at >= %s "
    "AND outcome = 'valid' AND status = 'final' AND name_key = %s AND date_of_birth = %s "
    "ORDER BY checked_at DESC LIMIT 1"
)


def key_for(facility_id: int, lookup_key: str, full_name: str, dob: date) -> daycache.Key:
    return (facility_id, lookup_key, timezone.localdate(), fold_name(full_name), dob)


def remember_after_commit(key: daycache.Key, check: CachedCheck) -> None:
    transaction.on_commit(lambda: daycache.put(key, check))


def lookup(key: daycache.Key) -> CachedCheck | None:
    """Today's valid verdict for this key within the cache window, or None."""
    hours = settings.KCB06_ELIGIBILITY_CACHE_HOURS
    if hours <= 0:
        return None
    since = timezone.now() - timedelta(hours=hours)
    hit = daycache.get(key, since)
    if hit is not None:
        return hit
    facility_id, lookup_key, day, name_key, dob = key
    meta = EligibilityCheck._meta
    values = (facility_id, lookup_key, day, since, name_key, dob)
    params = [
        meta.get_field(name).get_db_prep_value(value, connections["default"])
        for name, value in zip(_FIELDS, values, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return None
    pk, portal_code, response, checked_at = row
    if isinstance(response, str):
        response = json.loads(response)
    hit = CachedCheck(pk, portal_code, response, _aware(checked_at))
    remember_after_commit(key, hit)
    return hit


def lookup_request(facility_id: int, req) -> CachedCheck | None:
    """Today's valid verdict for a request. A request with both a card and an ID number (a
    known patient scanning the chip card) is first looked up by the card; failing that, a
    verdict asked by the ID number earlier today counts if the portal named this very card
    in it, so a patient's second check-in of the day never waits for the portal again."""
    hit = lookup(key_for(facility_id, req.lookup_key, req.full_name, req.date_of_birth))
    if hit is not None or not (req.card_number and req.id_number):
        return hit
    by_id = lookup(key_for(facility_id, req.id_number, req.full_name, req.date_of_birth))
    if by_id is not None and _card_of(by_id.response) == req.card_number:
        remember_after_commit(
            key_for(facility_id, req.card_number, req.full_name, req.date_of_birth), by_id
        )
        return by_id
    return None


def _card_of(response) -> str:
    return str((response or {}).get("maThe") or "").strip().upper()


def _aware(value) -> datetime:
    """SQLite hands back naive UTC text or datetimes; PostgreSQL aware datetimes."""
    if not isinstance(value, datetime):
        value = parse_datetime(str(value))
    return timezone.make_aware(value, UTC) if timezone.is_naive(value) else value
