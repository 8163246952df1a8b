"""The nginx block of docs/install.md in a real nginx, in front of a live kcb06: five wrong
passwords from one client lock that client out, not the receptionist at another address, and a
forged X-Forwarded-For changes nothing.

The `location /` block is read from the doc itself (only proxy_pass points at the test server
and TLS is left out), so the doc cannot drift from what is tested. Clients come from different
loopback addresses (127.0.0.2, 127.0.0.3), which nginx sees as $remote_addr. Skipped where
nginx is not installed (Debian: nginx-light).
"""

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port
from tests.platform.test_web_security import nginx_block

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx not installed (apt-get install nginx-light)"
)


def _location_block(upstream: str) -> str:
    block = nginx_block()
    start = block.index("location / {")
    location = block[start : block.index("}", start) + 1]
    return re.sub(r"proxy_pass [^;]+;", f"proxy_pass {upstream};", location)


@pytest.fixture
def demo_org(transactional_db):
    """The demo users, committed so that the live server thread sees them."""
    from kcb06.facilities.demo import seed

    return seed()


@pytest.fixture
def nginx(tmp_path, live_server, settings, demo_org):
    settings.KCB06_TRUSTED_PROXIES = ["127.0.0.1"]  # as docs/install.md tells
    port = free_port()
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / d).mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    server {{
        listen 127.0.0.1:{port};
        {_location_block(live_server.url)}
    }}
}}
"""
    )
    proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp_path)], stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/api/v1/health", timeout=2)
            break
        except httpx.HTTPError:
            if proc.poll() is not None:
                pytest.fail(f"nginx did not start: {proc.stderr.read().decode()}")
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(10)


def _client(url: str, source: str) -> httpx.Client:
    return httpx.Client(
        base_url=url, transport=httpx.HTTPTransport(local_address=source), timeout=10
    )


def _login(client: httpx.Client, password: str, forged_xff: str | None = None) -> int:
    form = client.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    headers = {"X-Forwarded-For": forged_xff, "X-Real-IP": forged_xff} if forged_xff else {}
    resp = client.post(
        "/login/",
        data={"username": "tiepdon", "password": password, "csrfmiddlewaretoken": token},
        headers=headers,
    )
    return resp.status_code


def test_lock_out_is_per_client_behind_the_documented_nginx(nginx):
    with _client(nginx, "127.0.0.2") as attacker, _client(nginx, "127.0.0.3") as desk:
        statuses = [_login(attacker, "sai-mat-khau", forged_xff=f"10.1.1.{n}") for n in range(5)]
        assert statuses[-1] == 429, statuses  # locked out, whatever addresses it claimed
        assert _login(attacker, "demo", forged_xff="10.1.1.99") == 429
        assert _login(desk, "demo") == 302  # the receptionist still signs in
