"""A lean HTTP/1.1 load generator for the benchmarks: raw keep-alive sockets, no HTTP library.

Why not httpx: on this 2-core machine the load generator shares the CPU with the server and
PostgreSQL. httpx's AsyncClient spent about as much CPU per request as the server's own work,
so the benchmark measured the client. Here each request is pre-encoded bytes and each response
is read by its Content-Length (figures: docs/measurements.md#load-generator).

Two shapes:
- `closed_loop(jobs, clients)`: `clients` connections, each sends its next request as soon as
  the previous answer arrived (throughput);
- `open_loop(jobs, rate)`: requests start on a fixed schedule whatever the answers do (latency
  at an offered rate; a slow server makes the queue, and so the latency, grow — no coordinated
  omission). Connections are taken from a pool and opened on demand.

Each job is (path, JSON-serialisable body); every request is a POST with the same headers.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    elapsed: float = 0.0


def encode(host: str, path: str, body: dict, headers: dict[str, str]) -> bytes:
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    head = [f"POST {path} HTTP/1.1", f"Host: {host}", "Content-Type: application/json"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    head.append(f"Content-Length: {len(payload)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload


class Connection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> int:
        """Send one request; answer its status. Reconnects once if the server closed the
        kept-alive connection in between."""
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            try:
                self.writer.write(raw)
                return await self._response()
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _response(self) -> int:
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        if length:
            await self.reader.readexactly(length)
        if close:
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _one(conn: Connection, raw: bytes, out: Outcome, t0: float | None = None) -> None:
    t0 = time.perf_counter() if t0 is None else t0
    try:
        code: int | str = await conn.request(raw)
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        conn.close()
        code = type(exc).__name__
    out.latencies.append(time.perf_counter() - t0)
    out.statuses[code] += 1


def _encoded(base_url: str, jobs, headers) -> tuple[str, int, list[bytes]]:
    hostport = base_url.split("://", 1)[1].rstrip("/")
    host, port = hostport.rsplit(":", 1)
    return host, int(port), [encode(hostport, path, body, headers) for path, body in jobs]


async def closed_loop(base_url: str, jobs, headers: dict, clients: int) -> Outcome:
    host, port, raws = _encoded(base_url, jobs, headers)
    out, queue = Outcome(), list(reversed(raws))

    async def client():
        conn = Connection(host, port)
        while queue:
            await _one(conn, queue.pop(), out)
        conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    out.elapsed = time.perf_counter() - t0
    return out


async def open_loop(base_url: str, jobs, headers: dict, rate: float) -> Outcome:
    host, port, raws = _encoded(base_url, jobs, headers)
    out, idle = Outcome(), []

    async def fire(raw: bytes, scheduled: float):
        conn = idle.pop() if idle else Connection(host, port)
        await _one(conn, raw, out, scheduled)  # latency from the schedule, not the send
        idle.append(conn)

    tasks, t0 = [], time.perf_counter()
    for k, raw in enumerate(raws):
        scheduled = t0 + k / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(fire(raw, scheduled)))
    await asyncio.gather(*tasks)
    out.elapsed = time.perf_counter() - t0
    for conn in idle:
        conn.close()
    return out
