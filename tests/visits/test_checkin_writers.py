"""The writer is chosen once per check-in, and the one chosen is the one that writes: with
PostgreSQL's writer the rows, the audit entry and the ticket go as one statement (and a
returning patient the scan changes nothing for takes no row lock); with the portable writer
they go one by one. So a check-in test run "with both writers" really ran both."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kcb06.visits import checkin, services
from kcb06.visits.checkin import orm_writer, pg_writer
from kcb06.visits.models import Ticket, Visit
from tests.visits.helpers import VALID, principal

pytestmark = pytest.mark.django_db

TICKETS = Ticket._meta.db_table
VISITS = Visit._meta.db_table


def _statements(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries]


def test_the_writer_follows_the_setting_and_the_database(settings):
    settings.KCB06_CHECKIN_WRITER = "auto"
    on_pg = connection.vendor == "postgresql"
    assert checkin.writer() is (pg_writer if on_pg else orm_writer)
    settings.KCB06_CHECKIN_WRITER = "orm"
    assert checkin.writer() is orm_writer
    settings.KCB06_CHECKIN_WRITER = "fast"
    with pytest.raises(ImproperlyConfigured):
        checkin.writer()
    settings.KCB06_CHECKIN_WRITER = "pg"
    if on_pg:
        assert checkin.writer() is pg_writer
    else:
        with pytest.raises(ImproperlyConfigured):
            checkin.writer()


def test_the_chosen_writer_is_the_one_that_writes(org, portal, checkin_writer):
    p = principal(org)
    with CaptureQueriesContext(connection) as new:
        first = services.check_in(VALID, "K01", p)
    with CaptureQueriesContext(connection) as returning:
        second = services.check_in(VALID, "K19", p)
    assert first.created and second.created and second.patient.pk == first.patient.pk
    for queries in (new, returning):
        statements = _statements(queries)
        whole = [s for s in statements if s.startswith("WITH ") and f"INSERT INTO {TICKETS}" in s]
        alone = [s for s in statements if s.startswith(f'INSERT INTO "{VISITS}"')]
        if checkin_writer == "pg":
            assert len(whole) == 1 and not alone, "PostgreSQL's writer did not write"
            assert f'INSERT INTO "{VISITS}"' in whole[0]
        else:
            assert len(alone) == 1 and not whole, "the portable writer did not write"
    # The returning patient the scan changes nothing for (a plan RETURNING_UNCHANGED).
    locks = [s for s in _statements(returning) if "FOR UPDATE" in s]
    if checkin_writer == "pg":
        # No row lock: the one statement holds a share lock that fails if merged meanwhile.
        assert not locks
        assert any(s.startswith("WITH ") and "FOR SHARE" in s for s in _statements(returning))
    elif connection.vendor == "postgresql":
        assert locks  # the portable writer's check under the row lock
