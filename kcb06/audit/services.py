"""Write and verify the audit trail. Other apps call `record` or `read_personal`.

Each entry's value is a MAC (HMAC-SHA256 under KCB06_AUDIT_KEY, kcb06.audit.keys) over the
previous entry's value and its own contents; `verify` (kcb06.audit.verification) recomputes the
chains and holds them against the signed checkpoints (kcb06.audit.checkpoints).

One chain per facility (chain 0 for actions without one) keeps appends from different
facilities from queueing behind one lock, while every chain stays verifiable on its own.
"""

import hashlib
import json
import os
import threading
from collections.abc import Callable
from datetime import UTC
from typing import TypeVar

from django.db import connection, connections, transaction
from django.utils import timezone

from kcb06.audit.keys import entry_mac, pg_mac_sql, pg_pads
from kcb06.audit.models import AuditChainHead, AuditEntry
from kcb06.plumbing import rawrows

T = TypeVar("T")
GENESIS = "0" * 64


class Action:
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    MERGE = "merge"
    UNMERGE = "unmerge"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"


def _payload_around_seq(entry: AuditEntry) -> tuple[str, str]:
    """The hashed JSON text of an entry, split where its seq goes: PostgreSQL appends compute
    the hash in the database, where the seq is only known inside the statement."""
    rest = [
        entry.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        entry.user_id,
        entry.username,
        entry.role,
        entry.facility_id,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.patient_id,
        entry.purpose,
        entry.ip,
        entry.via,
        entry.detail,
    ]
    text = json.dumps(rest, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return f"[{int(entry.chain)},", "," + text[1:]


def _message(prev_hash: str, entry: AuditEntry) -> str:
    """prev_hash | JSON of [chain, seq, at, who, role, facility, what, ...]."""
    before, after = _payload_around_seq(entry)
    return f"{prev_hash}|{before}{int(entry.seq)}{after}"


def entry_value(prev_hash: str, entry: AuditEntry) -> str:
    """The chain value of an entry: HMAC-SHA256 under the audit key (kcb06.audit.keys)."""
    return entry_mac(_message(prev_hash, entry))


def legacy_value(prev_hash: str, entry: AuditEntry) -> str:
    """The unkeyed SHA-256 of entries written before their chain's MAC era (`mac_from`)."""
    return hashlib.sha256(_message(prev_hash, entry).encode()).hexdigest()


# Each facility's trail is split over a few chains (by process and thread) so that many
# concurrent check-ins at one facility don't queue behind a single row lock held until their
# transactions commit. Each chain is verified on its own; chain // AUDIT_SHARDS = facility.
AUDIT_SHARDS = 8


def chain_for(facility_id: int | None) -> int:
    shard = hash((os.getpid(), threading.get_ident())) % AUDIT_SHARDS
    return (facility_id or 0) * AUDIT_SHARDS + shard


def facility_of_chain(chain: int) -> int:
    return chain // AUDIT_SHARDS


# Table and column names in the SQL below come from the models (`_meta`), not typed by hand.
_HEAD_TABLE = AuditChainHead._meta.db_table
_HC = {
    name: AuditChainHead._meta.get_field(name).column
    for name in ("chain", "seq", "hash", "prev_hash")
}
_ENTRY_TABLE = AuditEntry._meta.db_table
_EC = {name: AuditEntry._meta.get_field(name).column for name in ("seq", "prev_hash", "hash")}

# One statement both creates a missing head and locks the existing one (row lock until commit),
# returning the previous seq and hash: works the same on PostgreSQL and SQLite >= 3.35.
_CLAIM_HEAD = (
    f"INSERT INTO {_HEAD_TABLE} ({_HC['chain']}, {_HC['seq']}, {_HC['hash']}, "  # noqa: S608
    f"{_HC['prev_hash']}) VALUES (%s, 0, %s, '') ON CONFLICT ({_HC['chain']}) DO UPDATE SET "
    f"{_HC['seq']} = {_HEAD_TABLE}.{_HC['seq']} RETURNING {_HC['seq']}, {_HC['hash']}"
)
_ADVANCE_HEAD = (
    f"UPDATE {_HEAD_TABLE} SET {_HC['seq']} = %s, {_HC['hash']} = %s, "  # noqa: S608
    f"{_HC['prev_hash']} = %s WHERE {_HC['chain']} = %s"
)

# Every read of personal data pays for one append, so the row goes in as one prepared INSERT
# (field by field through Django's own value conversion) rather than through the ORM's query
# compiler, which costs more than the database round trip itself.
_ENTRY_FIELDS = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]


def _insert_sql() -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in _ENTRY_FIELDS)
    marks = ", ".join(["%s"] * len(_ENTRY_FIELDS))
    table = quote(AuditEntry._meta.db_table)
    return f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - names from the model


def _insert(cursor, entry: AuditEntry) -> None:
    conn = connections["default"]
    values = [f.get_db_prep_save(getattr(entry, f.attname), conn) for f in _ENTRY_FIELDS]
    cursor.execute(_insert_sql(), values)


# PostgreSQL: the whole append is one statement. The upsert creates a chain's head at its first
# entry, or else locks it (until commit) and advances it, hashing from the head's old values
# (ON CONFLICT's SET reads the row as it was); the entry is inserted from what it returns. One
# round trip per audited read, no BEGIN/COMMIT of its own outside a transaction, and the two
# parts can join other statements as common table expressions (`pg_append_ctes`).
# The MAC is HMAC-SHA256 spelled with PostgreSQL's built-in sha256() (kcb06.audit.keys);
# tests/platform/test_audit_mac.py checks it equals `entry_value` for any entry.
_PG_HEAD = f"""INSERT INTO {_HEAD_TABLE} AS head
        ({_HC["chain"]}, {_HC["seq"]}, {_HC["hash"]}, {_HC["prev_hash"]})
    VALUES (%s, 1, {pg_mac_sql("%s || '|' || %s || '1' || %s")}, %s)
    ON CONFLICT ({_HC["chain"]}) DO UPDATE SET
        {_HC["seq"]} = head.{_HC["seq"]} + 1,
        {_HC["prev_hash"]} = head.{_HC["hash"]},
        {_HC["hash"]} = {
    pg_mac_sql(f"head.{_HC['hash']} || '|' || %s || (head.{_HC['seq']} + 1)::text || %s")
}
    RETURNING {_HC["seq"]} AS seq, {_HC["prev_hash"]} AS prev_hash, {_HC["hash"]} AS hash"""  # noqa: S608 - names from the models
# The head's RETURNING names (seq, prev_hash, hash) are fixed aliases, whatever the columns.
_FROM_HEAD = {"seq": "{h}.seq", "prev_hash": "{h}.prev_hash", "hash": "{h}.hash"}
_PG_ENTRY = (
    f"INSERT INTO {_ENTRY_TABLE} ({', '.join(f.column for f in _ENTRY_FIELDS)}) "  # noqa: S608
    f"SELECT {', '.join(_FROM_HEAD.get(f.attname, '%s') for f in _ENTRY_FIELDS)} "
    f"FROM {{h}} RETURNING {_EC['seq']} AS seq, {_EC['prev_hash']} AS prev_hash, "
    f"{_EC['hash']} AS hash"
)


def pg_append_ctes(entry: AuditEntry, head: str, appended_as: str) -> list[tuple[str, str, list]]:
    """The append of `entry` as two common table expressions (name, sql, params): `head`
    advances the chain, `appended_as` inserts the entry and returns (seq, prev_hash, hash)."""
    before, after = _payload_around_seq(entry)
    conn = connections["default"]  # not the proxy: it looks itself up on every attribute
    values = [
        f.get_db_prep_save(getattr(entry, f.attname), conn)
        for f in _ENTRY_FIELDS
        if f.attname not in _FROM_HEAD
    ]
    opad, ipad = pg_pads()
    head_params = [entry.chain, opad, ipad, GENESIS, before, after, GENESIS, opad, ipad]
    head_params += [before, after]
    return [
        (head, _PG_HEAD, head_params),
        (appended_as, _PG_ENTRY.replace("{h}", head), values),
    ]


def pg_append(entry: AuditEntry) -> tuple[str, list]:
    """The PostgreSQL statement that appends `entry`; its one row goes to `appended`."""
    (head, head_sql, head_params), (_, entry_sql, values) = pg_append_ctes(entry, "h", "e")
    return f"WITH {head} AS ({head_sql}) {entry_sql}", head_params + values


def appended(entry: AuditEntry, row) -> AuditEntry:
    entry.seq, entry.prev_hash, entry.hash = row
    return entry


def append_portable(entry: AuditEntry) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_CLAIM_HEAD, [entry.chain, GENESIS])
        last_seq, entry.prev_hash = cursor.fetchone()
        entry.seq = last_seq + 1
        entry.hash = entry_value(entry.prev_hash, entry)
        _insert(cursor, entry)
        cursor.execute(_ADVANCE_HEAD, [entry.seq, entry.hash, entry.prev_hash, entry.chain])


def entry_for(
    principal,
    action: str,
    *,
    object_type: str = "",
    object_id: str | int = "",
    patient_id: int | None = None,
    purpose: str = "",
    detail: dict | None = None,
    facility_id: int | None = None,
) -> AuditEntry:
    """The entry `record` appends (not yet in a chain's order): for callers that append it in a
    statement of their own (`pg_append_ctes`)."""
    user = getattr(principal, "user", None)
    profile = getattr(principal, "profile", None)
    facility_id = facility_id if facility_id is not None else getattr(profile, "facility_id", None)
    return rawrows.new(
        AuditEntry,
        chain=chain_for(facility_id),
        at=timezone.now(),
        user_id=getattr(user, "pk", None),
        username=getattr(user, "username", "") or "",
        role=getattr(profile, "role", "") or "",
        facility_id=facility_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        patient_id=patient_id,
        purpose=purpose[:255],
        ip=(getattr(principal, "ip", None) or "")[:64],
        via=getattr(principal, "via", "") or "system",
        detail=detail or {},
    )


def record(principal, action: str, **fields) -> AuditEntry:
    """Append one entry. `principal` is a facilities.services.Principal or None (system);
    `fields` as `entry_for`."""
    return record_entry(entry_for(principal, action, **fields))


def record_about(principal, action: str, object_type: str, row, purpose: str, **fields):
    """Append the entry about one row: the row's id, and its patient (`row.patient_id` where
    the row has one; pass `patient_id` for a Patient itself), so a call site names the row once
    and cannot pair one object with another's patient. `fields` as `entry_for`."""
    if "patient_id" not in fields:
        fields["patient_id"] = getattr(row, "patient_id", None)
    return record(
        principal, action, object_type=object_type, object_id=row.pk, purpose=purpose, **fields
    )


def record_entry(entry: AuditEntry) -> AuditEntry:
    """Append an entry built by `entry_for`."""
    if connection.vendor == "postgresql":
        sql, params = pg_append(entry)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return appended(entry, cursor.fetchone())
    append_portable(entry)
    return entry


def read_personal(
    principal,
    fetch: Callable[[], T],
    *,
    what: str,
    patient_id: int | None,
    purpose: str,
    object_id: str | int = "",
) -> T:
    """Fetch personal or health data and audit the read in one step (same transaction).

    Callers check scope first (e.g. patients.services.patient_for); this helper guarantees a
    read never happens without its audit row, and no audit row claims a read that failed.
    """
    with transaction.atomic():
        data = fetch()
        record(
            principal,
            Action.READ,
            object_type=what,
            object_id=object_id,
            patient_id=patient_id,
            purpose=purpose,
        )
    return data


def verify(facility_ids: set[int] | None = None, **options):
    """Check the audit trail; see kcb06.audit.verification.verify."""
    from kcb06.audit.verification import verify as verify_trail

    return verify_trail(facility_ids, **options)
