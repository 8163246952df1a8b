"""The check-in writers (kcb06.visits.checkin): tests that take `checkin_writer` run once per
writer the database has — on PostgreSQL both (the portable reference and PostgreSQL's own),
on SQLite the portable one."""

import os

import pytest

WRITERS_HERE = (
    ["orm", "pg"] if os.environ.get("DATABASE_URL", "").startswith("postgres") else ["orm"]
)


def pytest_generate_tests(metafunc):
    if "checkin_writer" in metafunc.fixturenames:
        metafunc.parametrize("checkin_writer", WRITERS_HERE, indirect=True)


@pytest.fixture
def checkin_writer(request, settings):
    """The writer every check-in of the test uses ("orm" or "pg"). Each run starts with the
    portal client's breaker closed: a portal failure the other writer's run provoked (the
    unverified citizen) must not open it for this one."""
    from kcb06.bhxh import client

    client.reset_breakers()
    settings.KCB06_CHECKIN_WRITER = request.param
    yield request.param
    client.reset_breakers()
