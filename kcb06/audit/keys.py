"""The audit key: what makes the audit trail resist someone who can write to the database.

Each entry's chain value is an HMAC-SHA256 (RFC 2104) under a key derived from
`KCB06_AUDIT_KEY`, an environment variable that never enters the database as data. Without
the key a database writer can delete or reorder rows but cannot forge, rewrite or re-chain
entries; the signed checkpoints (kcb06.audit.checkpoints) catch the deletions.

Two keys are derived from the one secret (RFC 2104 keyed with fixed labels), so an entry MAC
can never be replayed as a checkpoint signature or the other way round.

PostgreSQL computes the entry MAC inside the append statement (the entry's seq and previous
value are only known there), with the built-in `sha256()`: HMAC(k, m) is
sha256((k ^ opad) || sha256((k ^ ipad) || m)), so the statement receives the two padded keys
as parameters (`pg_pads`) and needs no extension. Python computes the same with `hmac`.
"""

import hashlib
import hmac
from functools import cache

from django.conf import settings

ENTRY_LABEL = b"kcb06 audit entry mac v1"
CHECKPOINT_LABEL = b"kcb06 audit checkpoint signature v1"
_BLOCK = 64  # SHA-256 block size (RFC 2104: B)


@cache
def _derive(secret: str, label: bytes) -> bytes:
    return hmac.new(secret.encode(), label, hashlib.sha256).digest()


def entry_key() -> bytes:
    return _derive(settings.KCB06_AUDIT_KEY, ENTRY_LABEL)


def checkpoint_key() -> bytes:
    return _derive(settings.KCB06_AUDIT_KEY, CHECKPOINT_LABEL)


@cache
def _pads(key: bytes) -> tuple[bytes, bytes]:
    padded = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x5C for b in padded), bytes(b ^ 0x36 for b in padded)


def pg_pads() -> tuple[bytes, bytes]:
    """(key ^ opad, key ^ ipad) of the entry key: the parameters of `pg_mac_sql`."""
    return _pads(entry_key())


def pg_mac_sql(message_sql: str) -> str:
    """SQL for the hex HMAC-SHA256 of the text `message_sql`; takes two parameters first,
    `pg_pads()` in order, then those of `message_sql`."""
    return (
        "encode(sha256(%s::bytea || sha256(%s::bytea || "
        f"convert_to({message_sql}, 'UTF8'))), 'hex')"
    )


def entry_mac(message: str) -> str:
    return hmac.new(entry_key(), message.encode(), hashlib.sha256).hexdigest()


def sign_checkpoint(text: str) -> str:
    return hmac.new(checkpoint_key(), text.encode(), hashlib.sha256).hexdigest()
