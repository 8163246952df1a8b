"""The database-level guard: audit rows cannot be updated or deleted through SQL.

Migration 0002 created it; `ensure_append_only` creates it again (idempotent) where a database
may have arrived without it, e.g. a restored backup of a database whose trigger was dropped.
`guard_present` lets `kcb06 audit verify` report a dropped or disabled trigger.
"""

from django.db import connection

from kcb06.audit.models import AuditEntry

TABLE = AuditEntry._meta.db_table  # the name from the model, not typed by hand

SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
    f"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
]
POSTGRES = [
    "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql;",
    f"DROP TRIGGER IF EXISTS audit_no_update ON {TABLE};",
    f"CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_append_only();",
]


def ensure_append_only(conn=connection) -> None:
    statements = POSTGRES if conn.vendor == "postgresql" else SQLITE
    with conn.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def guard_present(conn=connection) -> bool:
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_no_update' "
                "AND tgrelid = %s::regclass",
                [TABLE],
            )
            row = cursor.fetchone()
            return row is not None and row[0] in ("O", "A")
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
            "AND name IN ('audit_no_update', 'audit_no_delete')"
        )
        return cursor.fetchone()[0] == 2
