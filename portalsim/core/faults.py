"""Fault injection and call statistics of portalsim, kept in the server process's memory.

portalsim runs ONE gunicorn worker with many threads (see portalsim.server), so a module-level
dict behind a lock is shared by every request. Faults from the fixtures file are installed at
start-up (before gunicorn forks its worker, which inherits them) and form the baseline that
POST /_control/reset restores. The control endpoint exists for tests and demos only.

A fault applies "globally" or to one card/lookup key (the maThe value, a BHXH number or an ID
number). Modes:
- "" (latency only): sleep latency_ms, then answer normally;
- "timeout": sleep `timeout_seconds` (default 30 s, longer than any client deadline);
- "http500": HTTP 500 with an HTML body;
- "malformed": HTTP 200 with a body that is not JSON;
- "success_wrapped_error": HTTP 200, {"maKetQua": "200", "thongDiep": "Lỗi hệ thống"} — a
  "success" envelope with no card result in it;
- "rate_limit": HTTP 429 with {"maKetQua": "429"};
- "code:NNN": answer maKetQua NNN whatever the card.
`count` limits how many requests a fault affects (None = until reset).
"""

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

MODES = {"", "timeout", "http500", "malformed", "success_wrapped_error", "rate_limit"}


@dataclass
class Fault:
    scope: str = "global"
    mode: str = ""
    latency_ms: int = 0
    count: int | None = None
    timeout_seconds: float = 30.0
    endpoints: tuple[str, ...] = ("card_check",)

    @classmethod
    def from_dict(cls, data: dict) -> "Fault":
        mode = str(data.get("mode") or "")
        if mode not in MODES and not (mode.startswith("code:") and mode[5:].isdigit()):
            raise ValueError(f"unknown mode {mode!r}")
        count = data.get("count")
        endpoints = data.get("endpoints") or ["card_check"]
        if isinstance(endpoints, str):
            endpoints = [endpoints]
        return cls(
            scope=str(data.get("scope") or "global"),
            mode=mode,
            latency_ms=int(data.get("latency_ms") or 0),
            count=int(count) if count is not None else None,
            timeout_seconds=float(data.get("timeout_seconds") or 30.0),
            endpoints=tuple(str(e) for e in endpoints),
        )

    def as_dict(self) -> dict:
        return {
            "scope": self.scope,
            "mode": self.mode,
            "latency_ms": self.latency_ms,
            "count": self.count,
            "timeout_seconds": self.timeout_seconds,
            "endpoints": list(self.endpoints),
        }


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    baseline: list[Fault] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    calls: Counter = field(default_factory=Counter)


STATE = _State()


def install_baseline(faults: list[Fault]) -> None:
    with STATE.lock:
        STATE.baseline = list(faults)
        STATE.faults = [Fault(**f.__dict__) for f in faults]


def add(fault: Fault) -> None:
    with STATE.lock:
        # A newer fault for the same scope replaces the older one: tests set, then override.
        STATE.faults = [f for f in STATE.faults if f.scope != fault.scope]
        STATE.faults.append(fault)


def reset() -> None:
    with STATE.lock:
        STATE.faults = [Fault(**f.__dict__) for f in STATE.baseline]
        STATE.calls.clear()


def snapshot() -> dict:
    with STATE.lock:
        return {"calls": dict(STATE.calls), "faults": [f.as_dict() for f in STATE.faults]}


def count_call(endpoint: str) -> None:
    with STATE.lock:
        STATE.calls[endpoint] += 1


def take(endpoint: str, key: str | None) -> Fault | None:
    """The fault that applies to this request (card scope wins over global), consuming one
    use of a counted fault."""
    with STATE.lock:
        chosen = None
        for fault in STATE.faults:
            if endpoint not in fault.endpoints:
                continue
            if key and fault.scope == key:
                chosen = fault
                break
            if fault.scope == "global" and chosen is None:
                chosen = fault
        if chosen is None:
            return None
        if chosen.count is not None:
            chosen.count -= 1
            if chosen.count <= 0:
                STATE.faults.remove(chosen)
        return Fault(**chosen.__dict__)


def sleep_for(fault: Fault) -> None:
    if fault.latency_ms:
        time.sleep(fault.latency_ms / 1000)
    if fault.mode == "timeout":
        time.sleep(fault.timeout_seconds)
