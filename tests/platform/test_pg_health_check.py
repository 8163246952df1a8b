"""kcb06.plumbing.pgbackend: the per-request `SELECT 1` is skipped for a connection that answered less
than a second ago, and still catches a connection the server dropped while it sat idle."""

import psycopg
import pytest
from django.db import OperationalError, connection

from kcb06.plumbing.pgbackend import base


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's backend only")
    assert connection.health_check_enabled
    connection.ensure_connection()
    yield
    connection.close()


def _kill_backend():
    """The server drops this connection (as a restart would), from another connection."""
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("prepare_threshold", None)
    params.pop("cursor_factory", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def _new_request():
    connection.close_if_unusable_or_obsolete()  # what Django runs when a request starts


def test_a_connection_dropped_while_idle_is_replaced_before_the_query(pg):
    _kill_backend()
    connection._answered_at = float("-inf")  # idle for longer than HEALTHY_FOR
    _new_request()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_connection_in_steady_use_is_not_checked(pg, monkeypatch):
    monkeypatch.setattr(base, "HEALTHY_FOR", 60.0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    _kill_backend()
    _new_request()
    # No check: the dropped connection shows only at the query (the API answers 503 then).
    with pytest.raises(OperationalError), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    connection.close()
    _new_request()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
