"""A per-process cache of a few seconds, for reads that every request makes and whose answer
rarely changes: the API key behind a call (with its user, role and facility) and a department
with today's closure. Each was a database round trip per check-in
(docs/measurements.md#short-per-process-cache).

Each process keeps its own copy. A change made through kcb06 clears it at once in the process
that made it (save signals, and the services that write with `.update()`); the other server
processes see the change within `seconds`. Only rows that were found are kept, at most `limit`.
"""

import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


class ShortCache:
    def __init__(self, seconds: float, limit: int = 1000):
        self.seconds = seconds
        self.limit = limit
        self._items: dict[Hashable, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], T | None]) -> T | None:
        now = time.monotonic()
        hit = self._items.get(key)
        if hit is not None and now - hit[0] < self.seconds:
            return hit[1]  # type: ignore[return-value]
        value = load()
        if value is not None:
            with self._lock:
                if len(self._items) >= self.limit:
                    self._items.clear()
                self._items[key] = (now, value)
        return value

    def clear(self, *args, **kwargs) -> None:
        """Forget everything (signature fits a signal receiver)."""
        with self._lock:
            self._items.clear()
