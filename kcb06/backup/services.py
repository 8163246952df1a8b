"""Backups in the database's own format: consistent, fast, and restorable by standard tools.

- SQLite: the online backup API copies a consistent snapshot while kcb06 keeps running; the
  backup is itself a SQLite file (open it with `sqlite3` to look inside).
- PostgreSQL: `pg_dump --format=custom`, restored with `pg_restore` (Debian's postgresql-client
  of the server's major version). Any PostgreSQL tool can read it.

A backup restores into the same kind of database it came from; moving between SQLite and
PostgreSQL is a migration, not a restore (see docs/operations.md).

The audit trail travels with the data, so both ends guard it: a backup is taken only of a trail
that verifies (since its last checkpoint), and a restore puts back the append-only trigger and
owner-only file mode whatever the backup held, then verifies the trail (kcb06.backup.cli).
"""

import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

from kcb06.errors import DomainError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(DomainError):
    status = 400


@dataclass
class BackupResult:
    path: Path
    engine: str
    size: int


def engine() -> str:
    return connection.vendor  # "sqlite" | "postgresql"


def _pg_args_env() -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])  # passed to the child only, never on argv
    return args, env


def create(out: Path, *, even_if_audit_broken: bool = False) -> BackupResult:
    """Write a consistent backup of the default database to `out` (overwrites nothing).
    Refused when the audit trail does not verify, unless `even_if_audit_broken` (a forensic
    copy of a tampered database)."""
    out = Path(out)
    if out.exists():
        raise BackupError(
            "backup_exists",
            f"Tệp {out} đã tồn tại; hãy chọn tên khác.",
            f"{out} already exists; choose another name.",
        )
    if not even_if_audit_broken:
        from kcb06.audit.services import verify

        report = verify(since_checkpoint=True)
        if not report.ok:
            kinds = ", ".join(sorted(report.kinds()))
            raise BackupError(
                "audit_broken",
                "Nhật ký truy cập không toàn vẹn (kcb06 audit verify): không sao lưu. Hãy điều "
                "tra; muốn lưu bản hiện trạng để điều tra thì thêm --even-if-audit-broken.",
                f"The audit trail does not verify ({kinds}); no backup taken. Investigate; "
                "pass --even-if-audit-broken for a forensic copy.",
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    kind = engine()
    if kind == "sqlite":
        source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)
            ok = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
            source.close()
        if ok != "ok":
            tmp.unlink(missing_ok=True)
            raise BackupError("backup_corrupt", "Bản sao lưu bị lỗi.", f"Integrity check: {ok}")
    elif kind == "postgresql":
        args, env = _pg_args_env()
        result = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(tmp)]
            + args,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            tmp.unlink(missing_ok=True)
            raise BackupError(
                "backup_failed", "Sao lưu thất bại (pg_dump).", result.stderr.strip()[-2000:]
            )
    else:
        raise BackupError("backup_engine", "CSDL không được hỗ trợ.", f"Unsupported: {kind}")
    tmp.rename(out)
    os.chmod(out, 0o600)  # a backup holds personal data: owner-only
    return BackupResult(path=out, engine=kind, size=out.stat().st_size)


def backup_engine(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupError(
        "backup_unknown_format",
        "Tệp không phải bản sao lưu kcb06 (SQLite hoặc pg_dump).",
        "Not a kcb06 backup (SQLite file or pg_dump custom format).",
    )


def database_is_empty() -> bool:
    return not connection.introspection.table_names()


def restore(path: Path, *, force: bool = False) -> str:
    """Restore `path` into the default database, which must be empty unless `force`."""
    path = Path(path)
    if not path.is_file():
        raise BackupError("backup_missing", f"Không có tệp {path}.", f"No such file: {path}")
    kind = backup_engine(path)
    if kind != engine():
        raise BackupError(
            "backup_engine_mismatch",
            f"Bản sao lưu là {kind}, còn CSDL đang cấu hình là {engine()}.",
            f"The backup is {kind} but the configured database is {engine()}.",
        )
    if not force and not database_is_empty():
        raise BackupError(
            "restore_target_not_empty",
            "CSDL đích đã có dữ liệu. Hãy khôi phục vào CSDL trống, hoặc thêm --force để ghi đè.",
            "The target database is not empty; restore into an empty one or pass --force.",
        )
    connections.close_all()
    if kind == "sqlite":
        name = settings.DATABASES["default"]["NAME"]
        # Owner-only from its first byte: the database holds personal and health data.
        os.close(os.open(name, os.O_WRONLY | os.O_CREAT, 0o600))
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(name)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(name + suffix):
                os.chmod(name + suffix, 0o600)
    else:
        args, env = _pg_args_env()
        cmd = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
        if force:
            cmd += ["--clean", "--if-exists"]
        result = subprocess.run(cmd + args + [str(path)], env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(
                "restore_failed", "Khôi phục thất bại (pg_restore).", result.stderr.strip()[-2000:]
            )
    # A backup of a database whose append-only trigger had been dropped (or disabled) must not
    # bring that hole back with it.
    from kcb06.audit.guard import ensure_append_only

    ensure_append_only()
    return kind


LOST_BY_RESTORE = {"truncated", "chain_deleted"}


def verify_restored():
    """Verify the restored trail against the checkpoints. Entries checkpointed after the backup
    was taken are missing on purpose (truncated or deleted chains): reported, not failed. If
    nothing else is wrong, a signed "restore" line makes the restored trail the new baseline.
    Returns (report, lost problems, real problems)."""
    from kcb06.audit.checkpoints import RESTORE
    from kcb06.audit.checkpoints import write as write_checkpoint
    from kcb06.audit.services import verify

    report = verify()
    lost = [p for p in report.problems if p["problem"] in LOST_BY_RESTORE]
    real = [p for p in report.problems if p["problem"] not in LOST_BY_RESTORE]
    if not real:
        write_checkpoint(RESTORE, verify_first=False)
    return report, lost, real
