"""Django's PostgreSQL backend, with a health check that skips connections in steady use.

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
