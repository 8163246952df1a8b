"""`kcb06 audit verify`: recompute every chain under the audit key and hold it against the signed
checkpoints (kcb06.audit.checkpoints).

Problems (each makes `ok` false):
- altered: an entry's value is not the MAC of its contents (edited, forged, or re-chained by
  someone without the key);
- broken_link / missing_entries: a row is gone from the middle or one was inserted;
- head_mismatch: the chain's head row does not match its last entry;
- truncated: the chain ends before the seq a checkpoint signed (newest entries deleted);
- chain_deleted: a checkpointed chain has no entries any more;
- rewritten: the entry at a checkpointed seq is not the one signed;
- era_moved: the MAC era start in the database differs from the signed one;
- checkpoint_forged / checkpoint_unreadable: a checkpoint line fails its signature;
- guard_missing: the append-only trigger is gone or disabled.

Warnings (the trail verifies, but less is proven): no checkpoint yet, or the newest is older
than two days, so deletions since then could go unnoticed.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from kcb06.audit import checkpoints as cps
from kcb06.audit.guard import guard_present
from kcb06.audit.models import AuditChainHead, AuditEntry
from kcb06.audit.services import GENESIS, entry_value, facility_of_chain, legacy_value

STALE_AFTER = timedelta(days=2)

MESSAGES = {
    "altered": ("Bản ghi bị sửa hoặc giả mạo (sai mã xác thực).", "Entry altered or forged."),
    "broken_link": ("Chuỗi bị đứt: có bản ghi bị xóa hoặc chèn.", "Chain link broken."),
    "missing_entries": ("Thiếu bản ghi giữa chuỗi.", "Entries missing from the chain."),
    "head_mismatch": ("Đầu chuỗi không khớp bản ghi cuối.", "Chain head does not match."),
    "truncated": (
        "Chuỗi ngắn hơn điểm kiểm tra đã ký: bản ghi mới nhất bị xóa.",
        "Chain ends before its signed checkpoint: newest entries deleted.",
    ),
    "chain_deleted": ("Cả chuỗi đã bị xóa.", "A checkpointed chain is gone."),
    "rewritten": (
        "Bản ghi tại điểm kiểm tra khác bản đã ký: chuỗi bị viết lại.",
        "The entry at a checkpoint differs from the signed one: chain rewritten.",
    ),
    "era_moved": ("Mốc bắt đầu mã xác thực bị thay đổi.", "MAC era start moved."),
    "checkpoint_forged": ("Điểm kiểm tra sai chữ ký.", "Checkpoint signature invalid."),
    "checkpoint_unreadable": ("Điểm kiểm tra không đọc được.", "Checkpoint line unreadable."),
    "guard_missing": (
        "Trigger chỉ-ghi-thêm của bảng nhật ký bị xóa hoặc tắt.",
        "The append-only trigger is missing or disabled.",
    ),
    "no_checkpoint": (
        "Chưa có điểm kiểm tra nào: chưa phát hiện được việc xóa bản ghi mới nhất.",
        "No checkpoint yet: deleting the newest entries would go unnoticed.",
    ),
    "checkpoint_stale": (
        "Điểm kiểm tra mới nhất đã cũ hơn 2 ngày.",
        "The newest checkpoint is older than two days.",
    ),
}


@dataclass
class VerifyReport:
    ok: bool = True
    chains: int = 0
    entries: int = 0
    checkpoints: int = 0
    problems: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)

    def add(self, problem: str, **where) -> None:
        vi, en = MESSAGES[problem]
        self.problems.append({**where, "problem": problem, "message_vi": vi, "message": en})

    def warn(self, warning: str, **where) -> None:
        vi, en = MESSAGES[warning]
        self.warnings.append({**where, "warning": warning, "message_vi": vi, "message": en})

    def kinds(self) -> set[str]:
        return {p["problem"] for p in self.problems}

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "chains": self.chains,
            "entries": self.entries,
            "checkpoints": self.checkpoints,
            "problems": self.problems,
            "warnings": self.warnings,
        }


def verify(
    facility_ids: set[int] | None = None,
    *,
    checkpoint_files: list[Path] | None = None,
    since_checkpoint: bool = False,
) -> VerifyReport:
    """Check every chain (or those of `facility_ids`). `since_checkpoint`: start each chain at
    its newest checkpointed entry instead of its first (fast; what a backup and a new
    checkpoint check: older entries were checked when that checkpoint was written)."""
    report = VerifyReport()
    checkpoints, bad_lines = cps.read(checkpoint_files or cps.default_files())
    for problem in bad_lines:
        report.add(problem.pop("problem"), **problem)
    report.checkpoints = len(checkpoints)
    furthest, eras = cps.expectations(checkpoints)
    if not guard_present():
        report.add("guard_missing")

    heads = {h.chain: h for h in AuditChainHead.objects.all()}
    chains = set(heads) | set(furthest)
    if not since_checkpoint:
        chains |= set(AuditEntry.objects.values_list("chain", flat=True).distinct())
    if facility_ids is not None:
        chains = {c for c in chains if facility_of_chain(c) in facility_ids}
    report.chains = len(chains)
    for chain in sorted(chains):
        _verify_chain(
            report, chain, heads.get(chain), furthest.get(chain), eras.get(chain), since_checkpoint
        )

    if checkpoints:
        if timezone.now() - checkpoints[-1].at > STALE_AFTER:
            report.warn("checkpoint_stale", at=checkpoints[-1].at.isoformat())
    elif chains:
        report.warn("no_checkpoint")
    report.ok = not report.problems
    return report


def _verify_chain(report, chain, head, signed, signed_era, since_checkpoint) -> None:
    mac_from = head.mac_from if head is not None else 1
    if signed_era is not None and signed_era != mac_from:
        report.add("era_moved", chain=chain, seq=mac_from, signed=signed_era)
        mac_from = signed_era
    checkpoint = signed[0] if signed else None
    start = checkpoint.seq if (since_checkpoint and checkpoint and checkpoint.seq > 0) else 1
    prev_hash, expected_seq, value_at_checkpoint, seen = GENESIS, start, None, 0
    entries = AuditEntry.objects.filter(chain=chain, seq__gte=start).order_by("seq")
    for entry in entries.iterator(2000):
        report.entries += 1
        if seen == 0 and start > 1:
            # Anchored below: the entry at the checkpoint must carry the signed value.
            prev_hash = entry.prev_hash
        seen += 1
        if entry.seq != expected_seq:
            report.add("missing_entries", chain=chain, seq=expected_seq)
        if entry.prev_hash != prev_hash:
            report.add("broken_link", chain=chain, seq=entry.seq)
        value = (entry_value if entry.seq >= mac_from else legacy_value)(entry.prev_hash, entry)
        if value != entry.hash:
            report.add("altered", chain=chain, seq=entry.seq)
        if checkpoint is not None and entry.seq == checkpoint.seq:
            value_at_checkpoint = entry.hash
        prev_hash, expected_seq = entry.hash, entry.seq + 1
    last_seq = expected_seq - 1

    if checkpoint is not None and checkpoint.seq > 0:
        where = {"chain": chain, "seq": checkpoint.seq, "checkpoint": signed[1].source}
        if seen == 0 and not AuditEntry.objects.filter(chain=chain).exists():
            report.add("chain_deleted", **where)
            return
        if last_seq < checkpoint.seq:
            report.add("truncated", last_seq=last_seq, **where)
        elif value_at_checkpoint != checkpoint.hash:
            report.add("rewritten", **where)
    if seen == 0 and head is None:
        return
    if head is None or head.seq != last_seq or (seen and head.hash != prev_hash):
        report.add("head_mismatch", chain=chain, seq=last_seq)
