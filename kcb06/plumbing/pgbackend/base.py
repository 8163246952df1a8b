"""Django's PostgreSQL backend, with a health check that skips connections in steady use, and
psycopg's placeholder conversion kept for long statements too.

With CONN_HEALTH_CHECKS Django sends `SELECT 1` on a kept connection before the first query of
every request, so that a connection the server dropped (a restart, a failover, an idle timeout)
is replaced instead of failing the request. Under load that is one round trip more per request
(a check-in made ten). A connection that answered a query less than HEALTHY_FOR seconds ago
is not checked: only a server lost within that second can fail a request, which any query in
flight at that moment does anyway, and the API answers it with 503 database_unavailable (the
clerk scans again) and the connection is replaced. A connection idle for longer is checked as
before.
"""

import time

from django.db.backends.postgresql import base
from psycopg import _queries

# psycopg turns a statement's %s placeholders into $n at every execute and keeps the result only
# for statements under 4 KB and 50 parameters (psycopg/_queries.py), against ORM statements
# whose shape rarely repeats. The check-in's write is one statement of a few KB and ~100
# parameters in a handful of shapes all day (kcb06/visits/commit.py); converting it again at
# every check-in cost CPU (docs/measurements.md#check-in-write-as-one-statement). The cache
# stays bounded (an lru_cache of 128 shapes).
# tests/platform/test_plumbing_reliance.py (R2 in kcb06/plumbing/README.md) fails if a psycopg
# upgrade makes this a no-op.
_queries.MAX_CACHED_STATEMENT_LENGTH = max(_queries.MAX_CACHED_STATEMENT_LENGTH, 32768)
_queries.MAX_CACHED_STATEMENT_PARAMS = max(_queries.MAX_CACHED_STATEMENT_PARAMS, 400)

HEALTHY_FOR = 1.0  # seconds


class DatabaseWrapper(base.DatabaseWrapper):
    _answered_at = float("-inf")

    def close_if_health_check_failed(self):
        now = time.monotonic()
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and now - self._answered_at < HEALTHY_FOR
        ):
            self.health_check_done = True
        super().close_if_health_check_failed()
        # Called before each cursor: the previous statement on this connection has answered.
        self._answered_at = now

    def close(self):
        self._answered_at = float("-inf")
        super().close()
