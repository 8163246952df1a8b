"""Delivery of the outbox (run by `kcb06 worker`, any number at once).

Claiming: rows due (waiting, or sent with an expired lease — a worker died mid-flight) are
leased by setting claimed_until; on PostgreSQL under SELECT ... FOR UPDATE SKIP LOCKED so two
workers never take the same row, on SQLite (single writer) with a conditional UPDATE per row.
A killed worker's lease expires and the row is sent again; the portal acknowledges a repeated
file with the same content again, so nothing is lost and nothing is doubled.

Outcomes: 200 -> accepted; 401 after one re-login, network errors, time-outs, 5xx and garbage
-> retry with exponential backoff and jitter, "failed" after KCB06_XML_MAX_ATTEMPTS; any other
code (403, 123, 125, validation) -> rejected with the code and its meaning, staff re-send after
correcting. Nothing unsigned leaves: without a usable, registered certificate the row waits
with the reason in last_error.
"""

import logging
import os
import random
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from lxml import etree

from kcb06.interchange import package, portal, signing
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


def claim(limit: int = BATCH) -> list[int]:
    now = timezone.now()
    lease = now + timedelta(seconds=settings.KCB06_XML_LEASE_SECONDS)
    if connection.vendor == "postgresql":
        with transaction.atomic():
            ids = list(
                _due(now)
                .order_by("pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:limit]
            )
            OutboxItem.objects.filter(pk__in=ids).update(
                claimed_until=lease, claimed_by=WORKER_ID, state=OutboxState.SENT, sent_at=now
            )
        return ids
    ids = []
    for pk in _due(now).order_by("pk").values_list("pk", flat=True)[:limit]:
        got = _due(now).filter(pk=pk).update(claimed_until=lease, claimed_by=WORKER_ID)
        if got:
            ids.append(pk)
    return ids


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


def sign_item(item: OutboxItem) -> bytes:
    """Signed bytes of an item (signed once, stored, re-sent byte for byte)."""
    if item.signed:
        return bytes(item.signed)
    signer = signing.signer_for(item.facility.code)
    if not _registered(item.facility, signer):
        raise signing.SigningError(
            "certificate_not_registered",
            f"Chứng thư số ({signer.info.subject}) không được đăng ký cho cơ sở "
            f"{item.facility.code}: không ký, không gửi.",
            "The certificate is not registered for this facility.",
        )
    tables = {code: etree.fromstring(text.encode()) for code, text in item.tables.items()}
    if item.kind == OutboxKind.CHECKIN:
        data = package.sign_checkin(tables["XML0"], signer)
    else:
        data = package.sign_claim(item.facility.code, tables, signer)
    item.signed = data
    return data


def _finish(item: OutboxItem, **fields) -> None:
    """One UPDATE with the outcome (and the signed bytes, kept so a re-send repeats them). A
    worker killed before this line leaves the row "sent" with a lease that expires; the
    re-send is acknowledged by the portal as the same content (signatures are deterministic
    and the portal compares the tables' content)."""
    fields.setdefault("claimed_until", None)
    fields["updated_at"] = timezone.now()
    if item.signed is not None:
        fields.setdefault("signed", item.signed)
    OutboxItem.objects.filter(pk=item.pk, claimed_by=WORKER_ID).update(**fields)


def deliver_one(item: OutboxItem) -> None:
    now = timezone.now()
    try:
        data = sign_item(item)
    except signing.SigningError as exc:
        _finish(
            item,
            state=OutboxState.WAITING,
            last_error=exc.message_vi[:512],
            next_attempt_at=now + timedelta(minutes=5),
        )
        return
    attempts = item.attempts + 1
    try:
        answer = portal.submit(item.facility, item.kind, data)
    except portal.TransientError as exc:
        if attempts >= settings.KCB06_XML_MAX_ATTEMPTS:
            _finish(item, state=OutboxState.FAILED, attempts=attempts, last_error=str(exc)[:512])
        else:
            _finish(
                item,
                state=OutboxState.WAITING,
                attempts=attempts,
                last_error=str(exc)[:512],
                next_attempt_at=now + backoff(attempts),
            )
        return
    common = {
        "attempts": attempts,
        "result_code": answer.code,
        "result_message": answer.message or portal.meaning(answer.code),
        "transaction_id": answer.transaction_id,
        "received_at": answer.received_at,
    }
    if answer.code == "200":
        _finish(
            item, state=OutboxState.ACCEPTED, accepted_at=timezone.now(), last_error="", **common
        )
    elif answer.code == "401":
        state = (
            OutboxState.FAILED
            if attempts >= settings.KCB06_XML_MAX_ATTEMPTS
            else OutboxState.WAITING
        )
        _finish(
            item,
            state=state,
            last_error=portal.meaning("401"),
            next_attempt_at=now + backoff(attempts),
            **common,
        )
    else:
        _finish(item, state=OutboxState.REJECTED, last_error=portal.meaning(answer.code), **common)


def _deliver_safely(item: OutboxItem) -> None:
    try:
        deliver_one(item)
    except Exception:  # noqa: BLE001 - one bad row must not stop the others
        log.exception("delivery of outbox item %s failed", item.pk)
        _finish(
            item,
            state=OutboxState.WAITING,
            next_attempt_at=timezone.now() + backoff(item.attempts + 1),
        )
    finally:
        if threading.current_thread() is not threading.main_thread():
            connection.close_if_unusable_or_obsolete()


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
    """Claim and deliver up to `limit` due rows; returns how many were handled. The rows of a
    batch are sent KCB06_XML_SEND_THREADS at a time: the portal's answer time, not our CPU, is
    what limits one worker."""
    ids = claim(limit)
    if not ids:
        return 0
    items = list(OutboxItem.objects.select_related("facility").filter(pk__in=ids).order_by("pk"))
    if settings.KCB06_XML_SEND_THREADS <= 1 or len(items) == 1 or connection.vendor != "postgresql":
        for item in items:
            _deliver_safely(item)
    else:
        list(_executor().map(_deliver_safely, items))
    return len(ids)
