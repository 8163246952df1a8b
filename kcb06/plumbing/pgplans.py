"""Queries that must be planned with their values, not from a prepared statement's plan.

kcb06 prepares statements on PostgreSQL (settings: KCB06_PG_PREPARED_STATEMENTS): after a few
runs PostgreSQL may switch a prepared statement to one generic plan for all values. That is
right for the check-in's key lookups and wrong where the best plan depends on the value: a
`name_key LIKE '%word%'` can use the trigram index only when the pattern is known at planning,
and a generic plan scans the whole table instead (the likely-duplicates search of a new patient
became several times slower, docs/measurements.md#prepared-statements; over 1,000,000 patients
the name search would read every row). Those queries run inside `planned_each_time()`.
"""

from contextlib import contextmanager

from django.db import connection


@contextmanager
def planned_each_time():
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    saved = raw.prepare_threshold
    raw.prepare_threshold = None  # psycopg: prepare nothing, use no prepared statement
    try:
        yield
    finally:
        raw.prepare_threshold = saved
