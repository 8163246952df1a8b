"""The check-in write: a plan and a writer.

`plan` decides from what was read what the write must do (new record / returning record the
scan changes nothing in / returning record to change / a visit already there) — pure data,
no database. A writer carries the plan out in one transaction: `orm_writer`, portable and the
reference (SQLite and PostgreSQL), or `pg_writer`, the same rows in one statement sent with
its COMMIT for speed on PostgreSQL. The writer is chosen once per check-in (`writer`), here
and nowhere else; the database vendor is asked nowhere else on the check-in's write path.

Setting KCB06_CHECKIN_WRITER: "auto" (default: PostgreSQL's writer on PostgreSQL, else the
portable one), "orm" (the portable writer on any database, e.g. behind a connection pooler
that cannot pipeline), or "pg".
"""

from __future__ import annotations

from types import ModuleType

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from kcb06.visits.checkin import orm_writer, pg_writer
from kcb06.visits.checkin.plan import Case, Plan, plan
from kcb06.visits.checkin.steps import Arrival

WRITERS = {"orm": orm_writer, "pg": pg_writer}


def writer() -> ModuleType:
    """The writer for this check-in, by the setting and the database."""
    choice = getattr(settings, "KCB06_CHECKIN_WRITER", "auto") or "auto"
    if choice == "auto":
        choice = "pg" if connection.vendor == "postgresql" else "orm"
    if choice not in WRITERS:
        raise ImproperlyConfigured(f"KCB06_CHECKIN_WRITER must be auto, orm or pg, not {choice!r}")
    if choice == "pg" and connection.vendor != "postgresql":
        raise ImproperlyConfigured("KCB06_CHECKIN_WRITER=pg needs PostgreSQL")
    return WRITERS[choice]


__all__ = ["Arrival", "Case", "Plan", "plan", "writer"]
