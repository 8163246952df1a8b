"""Writing the outbox (in the caller's transaction) and the staff actions on it.

Idempotent on (MA_LK, kind, content hash): building the same content twice writes one row. A
new content for a MA_LK whose earlier file is not yet accepted supersedes the pending row; a
new content after acceptance is a replacement file, sent as its own row (the portal treats the
same MA_LK with different content as a replacement).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from kcb06.errors import DomainError
from kcb06.interchange.core import package
from kcb06.interchange.core.builders import to_bytes
from kcb06.interchange.core.data import VisitData
from kcb06.interchange.models import OutboxItem, OutboxKind, OutboxState
from kcb06.plumbing import rawrows

PENDING = (OutboxState.INVALID, OutboxState.WAITING, OutboxState.FAILED, OutboxState.REJECTED)


def _write(
    facility, visit, data: VisitData, kind: str, tables: dict, errors: list, user=None, fresh=False
):
    """`fresh`: the MA_LK was minted in this very transaction (a check-in), so no earlier row
    can exist to reuse or supersede; the two lookups are skipped."""
    digest = package.content_hash(tables)
    if fresh:
        return _create(facility, visit, data, kind, tables, errors, user, digest)
    existing = OutboxItem.objects.filter(ma_lk=data.ma_lk, kind=kind, content_hash=digest).first()
    if existing is not None:
        latest = (
            OutboxItem.objects.filter(ma_lk=data.ma_lk, kind=kind)
            .exclude(state=OutboxState.SUPERSEDED)
            .order_by("-created_at", "-pk")
            .first()
        )
        if (
            existing.state != OutboxState.SUPERSEDED
            and latest is not None
            and latest.pk == existing.pk
        ):
            return existing
        # The content went back to an earlier version (A -> B -> A): that version becomes the
        # current file again and is queued, so the portal ends with A, not B.
        OutboxItem.objects.filter(ma_lk=data.ma_lk, kind=kind, state__in=PENDING).exclude(
            pk=existing.pk
        ).update(state=OutboxState.SUPERSEDED, updated_at=timezone.now())
        OutboxItem.objects.filter(pk=existing.pk).update(
            state=OutboxState.INVALID if errors else OutboxState.WAITING,
            errors=errors,
            attempts=0,
            next_attempt_at=None,
            claimed_until=None,
            signed=None,
            result_code="",
            last_error="",
            created_at=timezone.now(),
            updated_at=timezone.now(),
        )
        existing.refresh_from_db()
        return existing
    OutboxItem.objects.filter(ma_lk=data.ma_lk, kind=kind, state__in=PENDING).update(
        state=OutboxState.SUPERSEDED, updated_at=timezone.now()
    )
    try:
        with transaction.atomic():
            return _create(facility, visit, data, kind, tables, errors, user, digest)
    except IntegrityError:  # a concurrent writer stored the same content first
        return OutboxItem.objects.get(ma_lk=data.ma_lk, kind=kind, content_hash=digest)


def _create(facility, visit, data, kind, tables, errors, user, digest) -> OutboxItem:
    item = rawrows.new(
        OutboxItem,
        facility=facility,
        visit=visit,
        ma_lk=data.ma_lk,
        kind=kind,
        state=OutboxState.INVALID if errors else OutboxState.WAITING,
        content_hash=digest,
        tables={code: to_bytes(root).decode() for code, root in tables.items()},
        errors=errors,
        visit_ended_at=data.closed_at if kind == OutboxKind.CLAIM else None,
        department_id=visit.department_id if visit is not None else None,  # the work queue
        created_by=user,
    )
    rawrows.insert(item)
    return item


def enqueue_claim_data(facility, visit, data: VisitData, user=None) -> OutboxItem:
    from kcb06.interchange.rulesettings import policy_for

    tables, errors = package.build_claim(data, policy_for(facility))
    return _write(facility, visit, data, OutboxKind.CLAIM, tables, errors, user)


def enqueue_checkin_data(facility, visit, data: VisitData, user=None, fresh=False) -> OutboxItem:
    root, errors = package.build_checkin_doc(data)
    return _write(facility, visit, data, OutboxKind.CHECKIN, {"XML0": root}, errors, user, fresh)


def enqueue_claim(visit, user=None) -> OutboxItem:
    from kcb06.interchange.mapper import visit_data

    return enqueue_claim_data(visit.facility, visit, visit_data(visit), user)


def enqueue_checkin(visit, user=None, fresh=False, identifiers=None) -> OutboxItem:
    from kcb06.interchange.mapper import visit_data

    data = visit_data(visit, identifiers)
    return enqueue_checkin_data(visit.facility, visit, data, user, fresh)


def resend(item: OutboxItem, user=None) -> OutboxItem:
    """Staff re-send after a correction: rebuild from the visit's current data; if nothing
    changed, put the same file back in the queue."""
    if item.state not in (OutboxState.REJECTED, OutboxState.FAILED, OutboxState.INVALID):
        raise DomainError(
            "not_resendable",
            "Chỉ gửi lại được hồ sơ bị từ chối, lỗi dữ liệu hoặc gửi lỗi.",
            "Only rejected, invalid or failed files can be re-sent.",
            status=409,
        )
    with transaction.atomic():
        if item.visit_id is not None:
            builder = enqueue_claim if item.kind == OutboxKind.CLAIM else enqueue_checkin
            fresh = builder(item.visit, user)
            if fresh.pk != item.pk:
                return fresh
        if item.errors:
            return item
        item.state = OutboxState.WAITING
        item.attempts = 0
        item.next_attempt_at = None
        item.signed = None
        item.result_code = ""
        item.result_message = ""
        item.last_error = ""
        item.save()
        return item


def latest_for_visit(visit) -> dict[str, OutboxItem]:
    out: dict[str, OutboxItem] = {}
    for item in OutboxItem.objects.filter(visit=visit).order_by("created_at", "pk"):
        if item.state != OutboxState.SUPERSEDED:
            out[item.kind] = item
    return out
