"""Signed checkpoints of every audit chain's head, kept outside the database.

The keyed MAC (kcb06.audit.keys) stops a database writer from forging or rewriting entries,
but not from deleting the newest entries of a chain (and rewinding its head) or a whole chain:
what is left still verifies. A checkpoint records, for every chain, its last seq and value and
where its MAC era begins, signed with a key derived from KCB06_AUDIT_KEY, as one JSON line
appended to KCB06_AUDIT_CHECKPOINT_FILE: a file on the application server that the operator
ships elsewhere (or makes append-only, `chattr +a`). `kcb06 audit verify` then reports a chain
that ends before its checkpoint (truncated), is gone (chain deleted) or holds another value at
the checkpointed seq (rewritten).

The worker writes one a day (`checkpoint_daily`); `kcb06 audit checkpoint` writes one on demand;
`kcb06 backup restore` writes a "restore" line: the restored database is the new baseline (the
entries after the backup are gone on purpose), which only someone holding the key can declare.
"""

import fcntl
import hmac
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from kcb06.audit.keys import sign_checkpoint
from kcb06.audit.models import AuditChainHead

log = logging.getLogger("kcb06.audit")

FORMAT_VERSION = 1
CHECKPOINT = "checkpoint"
RESTORE = "restore"


@dataclass(frozen=True)
class Head:
    chain: int
    seq: int
    hash: str
    mac_from: int


@dataclass
class Checkpoint:
    kind: str
    at: datetime
    heads: dict[int, Head]
    source: str


class CheckpointRefused(Exception):
    """The trail does not verify: signing its state now would bless the tampering."""

    def __init__(self, report):
        super().__init__("audit trail does not verify; checkpoint not written")
        self.report = report


def default_files() -> list[Path]:
    return [Path(settings.KCB06_AUDIT_CHECKPOINT_FILE)]


def _canonical(body: dict) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def current_heads() -> dict[int, Head]:
    return {
        h.chain: Head(h.chain, h.seq, h.hash, h.mac_from)
        for h in AuditChainHead.objects.order_by("chain")
    }


def _append_line(path: Path, line: str) -> None:
    """Append one line under an exclusive lock (two workers may write the same file), owner-only
    file mode, fsync'd: a checkpoint that was reported written is on disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def write(kind: str = CHECKPOINT, *, path: Path | None = None, verify_first: bool = True):
    """Sign the head of every chain and append it to the checkpoint file. Unless the trail
    verifies since the previous checkpoint, refuse (CheckpointRefused)."""
    path = Path(path) if path else default_files()[0]
    if verify_first:
        from kcb06.audit.verification import verify

        report = verify(checkpoint_files=[path], since_checkpoint=True)
        if not report.ok:
            log.error(
                "audit checkpoint refused: the trail does not verify (%d problems)",
                len(report.problems),
            )
            raise CheckpointRefused(report)
    heads = current_heads()
    at = timezone.now().astimezone(UTC)
    body = {
        "v": FORMAT_VERSION,
        "kind": kind,
        "at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "chains": [[h.chain, h.seq, h.hash, h.mac_from] for h in heads.values()],
    }
    body["sig"] = sign_checkpoint(_canonical(body))
    _append_line(path, _canonical(body) + "\n")
    log.info("audit %s written: %d chains, signature %s", kind, len(heads), body["sig"][:16])
    return Checkpoint(kind=kind, at=at, heads=heads, source=str(path))


def read(paths: list[Path]) -> tuple[list[Checkpoint], list[dict]]:
    """Every checkpoint of the files whose signature holds, oldest first, and a problem for
    each line that is unreadable or not signed with our key."""
    checkpoints, problems = [], []
    for path in paths:
        path = Path(path)
        if not path.exists():
            continue
        with open(path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                where = {"file": str(path), "line": lineno}
                try:
                    body = json.loads(line)
                    sig = body.pop("sig")
                    at = datetime.strptime(body["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
                    heads = {
                        int(c): Head(int(c), int(s), str(h), int(m))
                        for c, s, h, m in body["chains"]
                    }
                    kind = body["kind"]
                except (ValueError, KeyError, TypeError):
                    problems.append({**where, "problem": "checkpoint_unreadable"})
                    continue
                if not hmac.compare_digest(str(sig), sign_checkpoint(_canonical(body))):
                    problems.append({**where, "problem": "checkpoint_forged"})
                    continue
                checkpoints.append(Checkpoint(kind, at, heads, f"{path}:{lineno}"))
    checkpoints.sort(key=lambda cp: cp.at)
    return checkpoints, problems


def expectations(checkpoints: list[Checkpoint]) -> tuple[dict[int, tuple[Head, Checkpoint]], dict]:
    """Per chain: the furthest checkpointed head (and its checkpoint), and the MAC era start
    first signed for it. A restore line starts over from the restored database."""
    furthest: dict[int, tuple[Head, Checkpoint]] = {}
    eras: dict[int, int] = {}
    for cp in checkpoints:
        if cp.kind == RESTORE:
            furthest, eras = {}, {}
        for head in cp.heads.values():
            eras.setdefault(head.chain, head.mac_from)
            known = furthest.get(head.chain)
            if known is None or head.seq >= known[0].seq:
                furthest[head.chain] = (head, cp)
    return furthest, eras


def last_checkpoint_at(paths: list[Path] | None = None) -> datetime | None:
    checkpoints, _ = read(paths or default_files())
    return checkpoints[-1].at if checkpoints else None


def checkpoint_daily() -> int:
    """Worker job: one checkpoint per local calendar day. Returns 0 (nothing left to do now)."""
    last = last_checkpoint_at()
    if last is not None and timezone.localdate(last) >= timezone.localdate():
        return 0
    try:
        write(CHECKPOINT)
    except CheckpointRefused:
        pass  # logged as an error by write(); `kcb06 audit verify` says what is wrong
    return 0
