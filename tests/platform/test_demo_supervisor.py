"""`kcb06 demo` keeps web and the portal simulator up when the worker dies, and restarts it.

Before: the demo's supervisor loop stopped everything as soon as one child exited, so a
`kill -9` of the worker took the web server and portalsim down with it.
"""

import os
import re
import signal
import time

import httpx
import pytest

from tests.platform.test_demo import Demo, _processes_of


def _pids(demo: Demo, name: str) -> list[int]:
    return [int(p) for p in re.findall(rf"kcb06 demo: {name} started \(pid (\d+)\)", demo.output)]


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="kcb06 demo always runs on SQLite (it ignores DATABASE_URL): covered by the SQLite run",
)
def test_the_worker_killed_is_restarted_and_web_and_portal_stay_up(tmp_path):
    data_dir = tmp_path / "demo"
    demo = Demo(data_dir)
    try:
        demo.wait_ready()
        base = f"http://127.0.0.1:{demo.port}"
        portal = f"http://127.0.0.1:{demo.portal_port}/health"
        (worker,) = _pids(demo, "worker")
        (web,) = _pids(demo, "web")

        os.kill(worker, signal.SIGKILL)

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(_pids(demo, "worker")) < 2:
            time.sleep(0.3)
        restarted = _pids(demo, "worker")
        assert len(restarted) == 2, demo.output[-3000:]
        assert restarted[1] != worker
        assert restarted[1] in _processes_of(data_dir)
        assert demo.proc.poll() is None  # the demo itself goes on
        assert httpx.get(f"{base}/api/v1/health", timeout=10).json() == {"status": "ok"}
        assert httpx.get(portal, timeout=10).status_code == 200
        assert _pids(demo, "web") == [web]  # the same web server, never stopped
        assert "worker stopped (exit -9), restarting" in demo.output
    finally:
        code = demo.stop()
    assert code == 0, demo.output[-3000:]
    time.sleep(1)
    assert _processes_of(data_dir) == []
