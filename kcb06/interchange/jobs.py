"""Delivery of the outbox (run by `kcb06 worker`, any number at once).

Claiming: rows due (waiting, or sent with an expired lease — a worker died mid-flight) are
leased by setting claimed_until; on PostgreSQL a batch at a time by one UPDATE over a
SELECT ... FOR UPDATE SKIP LOCKED (two workers never take the same row), on SQLite (single
writer) with a conditional UPDATE per row. On PostgreSQL the batch's files are signed and sent
by a few threads that do not use the database, and the outcomes are recorded by one UPDATE per
batch: two statements per batch instead of several per file. A killed worker's lease expires
and its rows are sent again; the portal acknowledges a repeated file with the same content
again, so nothing is lost and nothing is doubled.

Outcomes: 200 -> accepted; 401 after one re-login, network errors, time-outs, 5xx and garbage
-> retry with exponential backoff and jitter, "failed" after KCB06_XML_MAX_ATTEMPTS; any other
code (403, 123, 125, validation) -> rejected with the code and its meaning, staff re-send after
correcting. Nothing unsigned leaves: without a usable, registered certificate the row waits
with the reason in last_error.
"""

import json
import logging
import os
import random
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from lxml import etree

from kcb06.facilities.models import Facility
from kcb06.interchange import portal
from kcb06.interchange.core import package, signing, versions
from kcb06.interchange.models import FacilityCertificate, OutboxItem, OutboxKind, OutboxState

log = logging.getLogger("kcb06.interchange.jobs")
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"[:64]
BATCH = 20


def backoff(attempts: int) -> timedelta:
    base = settings.KCB06_XML_RETRY_BASE_SECONDS * (2 ** max(0, attempts - 1))
    capped = min(base, settings.KCB06_XML_RETRY_MAX_SECONDS)
    return timedelta(seconds=capped * random.uniform(0.5, 1.5))  # noqa: S311 - jitter


def _due(now):
    return OutboxItem.objects.filter(
        Q(state=OutboxState.WAITING) | Q(state=OutboxState.SENT),
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
    )


# PostgreSQL: one statement leases the due rows (SKIP LOCKED: rows another worker holds are
# passed over) and returns what sending needs, so a batch costs one round trip to claim.
_CLAIM_SQL = """
UPDATE {t} SET claimed_until = %s, claimed_by = %s, state = %s, sent_at = %s
WHERE id IN (
    SELECT id FROM {t}
    WHERE state IN (%s, %s)
      AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
      AND (claimed_until IS NULL OR claimed_until < %s)
    ORDER BY id
    LIMIT %s
    FOR UPDATE SKIP LOCKED
)
RETURNING id, facility_id, kind, tables::text, signed, attempts, version
"""


def claim(limit: int = BATCH) -> list[OutboxItem]:
    """Lease up to `limit` due rows for this worker; the leased items (with their facility)."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.KCB06_XML_LEASE_SECONDS)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                _CLAIM_SQL.format(t=OutboxItem._meta.db_table),
                [
                    lease,
                    WORKER_ID,
                    OutboxState.SENT,
                    now,
                    OutboxState.WAITING,
                    OutboxState.SENT,
                    now,
                    now,
                    limit,
                ],
            )
            rows = cur.fetchall()
        if not rows:
            return []
        facilities = Facility.objects.in_bulk({row[1] for row in rows})
        items = []
        for pk, facility_id, kind, tables, signed, attempts, version in sorted(rows):
            item = OutboxItem(
                pk=pk,
                facility_id=facility_id,
                kind=kind,
                tables=json.loads(tables),
                signed=bytes(signed) if signed is not None else None,
                attempts=attempts,
                version=version,
                state=OutboxState.SENT,
            )
            item.facility = facilities[facility_id]
            items.append(item)
        return items
    ids = []
    for pk in _due(now).order_by("pk").values_list("pk", flat=True)[:limit]:
        got = _due(now).filter(pk=pk).update(claimed_until=lease, claimed_by=WORKER_ID)
        if got:
            ids.append(pk)
    return list(OutboxItem.objects.select_related("facility").filter(pk__in=ids).order_by("pk"))


_registered_cache: dict[tuple[int, str], float] = {}


def _registered(facility, signer: signing.Signer) -> bool:
    """Is the signer's certificate registered (and active) for the facility? Positive answers
    are remembered for a minute so the hot path does not ask the database per file."""
    key = (facility.pk, signer.info.fingerprint)
    if _registered_cache.get(key, 0) > time.monotonic():
        return True
    ok = FacilityCertificate.objects.filter(
        facility=facility, fingerprint=signer.info.fingerprint, active=True
    ).exists()
    if ok:
        _registered_cache[key] = time.monotonic() + 60
    return ok


def usable_signer(facility) -> signing.Signer:
    """The facility's loaded signer if its certificate is registered for it, else
    SigningError with the reason (nothing unsigned leaves)."""
    signer = signing.signer_for(facility.code)
    if not _registered(facility, signer):
        raise signing.SigningError(
            "certificate_not_registered",
            f"Chứng thư số ({signer.info.subject}) không được đăng ký cho cơ sở "
            f"{facility.code}: không ký, không gửi.",
            "The certificate is not registered for this facility.",
        )
    return signer


def sign_item(item: OutboxItem, signer: signing.Signer | None = None) -> bytes:
    """Signed bytes of an item (signed once, stored, re-sent byte for byte)."""
    if item.signed:
        return bytes(item.signed)
    signer = signer or usable_signer(item.facility)
    if item.kind == OutboxKind.CHECKIN:
        data = package.sign_checkin(etree.fromstring(item.tables["XML0"].encode()), signer)
    else:
        # The stored tables are the validated documents as to_bytes wrote them: carried as
        # they are, not parsed and written again.
        tables = {code: text.encode() for code, text in item.tables.items()}
        data = package.sign_claim(item.facility.code, tables, signer)
    item.signed = data
    return data


def _signers(items: list[OutboxItem]) -> dict[int, signing.Signer | signing.SigningError]:
    """Per facility of a batch: its usable signer or the reason there is none. Looked up once,
    on the claiming thread, so the sending threads never touch the database."""
    out: dict[int, signing.Signer | signing.SigningError] = {}
    for item in items:
        if item.facility_id not in out:
            try:
                out[item.facility_id] = usable_signer(item.facility)
            except signing.SigningError as exc:
                out[item.facility_id] = exc
    return out


def outcome(item: OutboxItem, signer: signing.Signer | signing.SigningError | None = None) -> dict:
    """Sign (if not yet) and send one item; the fields to record (no database access)."""
    now = timezone.now()
    try:
        if isinstance(signer, signing.SigningError) and not item.signed:
            message = signer.message_vi
        else:
            data = sign_item(item, signer if isinstance(signer, signing.Signer) else None)
            message = ""
    except signing.SigningError as exc:
        message = exc.message_vi
    if message:  # nothing unsigned leaves: wait, with the reason
        return {
            "state": OutboxState.WAITING,
            "last_error": message[:512],
            "next_attempt_at": now + timedelta(minutes=5),
        }
    attempts = item.attempts + 1
    try:
        answer = portal.submit(item.facility, item.kind, data, versions.get(item.version))
    except portal.TransientError as exc:
        if attempts >= settings.KCB06_XML_MAX_ATTEMPTS:
            return {"state": OutboxState.FAILED, "attempts": attempts, "last_error": str(exc)[:512]}
        return {
            "state": OutboxState.WAITING,
            "attempts": attempts,
            "last_error": str(exc)[:512],
            "next_attempt_at": now + backoff(attempts),
        }
    common = {
        "attempts": attempts,
        "result_code": answer.code,
        "result_message": answer.message or portal.meaning(answer.code),
        "transaction_id": answer.transaction_id,
        "received_at": answer.received_at,
    }
    if answer.code == "200":
        return {
            "state": OutboxState.ACCEPTED,
            "accepted_at": timezone.now(),
            "last_error": "",
            **common,
        }
    if answer.code == "401":
        state = (
            OutboxState.FAILED
            if attempts >= settings.KCB06_XML_MAX_ATTEMPTS
            else OutboxState.WAITING
        )
        return {
            "state": state,
            "last_error": portal.meaning("401"),
            "next_attempt_at": now + backoff(attempts),
            **common,
        }
    return {"state": OutboxState.REJECTED, "last_error": portal.meaning(answer.code), **common}


def _outcome_safely(item: OutboxItem, signer=None) -> tuple[OutboxItem, dict]:
    try:
        return item, outcome(item, signer)
    except Exception:  # noqa: BLE001 - one bad row must not stop the others
        log.exception("delivery of outbox item %s failed", item.pk)
        return item, {
            "state": OutboxState.WAITING,
            "next_attempt_at": timezone.now() + backoff(item.attempts + 1),
        }
    finally:
        if threading.current_thread() is not threading.main_thread():
            connection.close_if_unusable_or_obsolete()


# Columns an outcome may set; a NULL in the VALUES row keeps the column as it is.
_OUTCOME_COLUMNS = (
    ("state", "varchar"),
    ("attempts", "integer"),
    ("last_error", "varchar"),
    ("next_attempt_at", "timestamptz"),
    ("result_code", "varchar"),
    ("result_message", "varchar"),
    ("transaction_id", "varchar"),
    ("received_at", "varchar"),
    ("accepted_at", "timestamptz"),
    ("signed", "bytea"),
)


def _finish(done: list[tuple[OutboxItem, dict]]) -> None:
    """Record outcomes (and the signed bytes, kept so a re-send repeats them), only on rows
    this worker still holds. PostgreSQL: one UPDATE for the whole batch. A worker killed before
    this leaves its rows "sent" with a lease that expires; the re-send is acknowledged by the
    portal as the same content (the portal compares the tables' content)."""
    if not done:
        return
    now = timezone.now()
    for item, fields in done:
        if item.signed is not None:
            fields.setdefault("signed", bytes(item.signed))
    if connection.vendor != "postgresql":
        for item, fields in done:
            OutboxItem.objects.filter(pk=item.pk, claimed_by=WORKER_ID).update(
                claimed_until=None, updated_at=now, **fields
            )
        return
    names = [name for name, _type in _OUTCOME_COLUMNS]
    row = "(%s::bigint, " + ", ".join(f"%s::{type_}" for _name, type_ in _OUTCOME_COLUMNS) + ")"
    params: list = []
    for item, fields in done:
        params.append(item.pk)
        params.extend(fields.get(name) for name in names)
    sets = ", ".join(f"{name} = COALESCE(v.{name}, o.{name})" for name in names)
    table = OutboxItem._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {table} AS o SET {sets}, claimed_until = NULL, updated_at = %s "  # noqa: S608 - names from the code
            f"FROM (VALUES {', '.join([row] * len(done))}) AS v (id, {', '.join(names)}) "
            "WHERE o.id = v.id AND o.claimed_by = %s",
            [now, *params, WORKER_ID],
        )


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=settings.KCB06_XML_SEND_THREADS, thread_name_prefix="xml-send"
            )
        return _pool


def deliver_pending(limit: int = BATCH) -> int:
    """Claim and deliver up to `limit` due rows; returns how many were handled.

    PostgreSQL: one statement claims the batch, KCB06_XML_SEND_THREADS threads sign and send
    (the portal's answer time, not our CPU, is what limits one worker; the sending threads do
    not use the database), one statement records the outcomes. SQLite: one at a time, each
    outcome recorded as soon as it is known."""
    items = claim(limit)
    if not items:
        return 0
    signers = _signers(items)
    if settings.KCB06_XML_SEND_THREADS <= 1 or len(items) == 1 or connection.vendor != "postgresql":
        for item in items:
            _finish([_outcome_safely(item, signers[item.facility_id])])
    else:
        _finish(
            list(_executor().map(lambda it: _outcome_safely(it, signers[it.facility_id]), items))
        )
    return len(items)
