"""Start banksim as its own process on a free loopback port (like portalsim in tests/conftest)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
WEBHOOK_PATH = "/api/v1/payments/bank-webhook"
SECRET = "test-bank-secret-0123456789"


class BankSim:
    def __init__(self, url: str, proc: subprocess.Popen):
        self.url = url
        self.proc = proc

    def post(self, path: str, **kw) -> httpx.Response:
        return httpx.post(self.url + path, timeout=10, **kw)

    def configure(self, kcb06_url: str, secret: str = SECRET, scenario: dict | None = None):
        resp = self.post(
            "/_control/config",
            json={
                "webhook_url": kcb06_url + WEBHOOK_PATH,
                "secret": secret,
                "scenario": scenario or {},
                "reset": True,
            },
        )
        resp.raise_for_status()

    def pay(self, qr: str, **scenario) -> dict:
        resp = self.post("/api/qr-payments", json={"qr": qr, "scenario": scenario})
        assert resp.status_code == 202, resp.text
        return resp.json()

    def transfer(self, amount, message: str, **scenario) -> dict:
        body = {"bank_bin": "970436", "account": "0123456789", "amount": amount,
                "message": message, "scenario": scenario}  # fmt: skip
        resp = self.post("/api/transfers", json=body)
        assert resp.status_code == 202, resp.text
        return resp.json()

    def wait_delivered(self, transaction_id: str, copies: int = 1, timeout: float = 20) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            tx = httpx.get(f"{self.url}/_control/transactions/{transaction_id}", timeout=5).json()
            if len(tx["deliveries"]) >= copies:
                return tx
            time.sleep(0.05)
        raise AssertionError(f"banksim did not deliver {transaction_id}: {tx}")


def start_banksim() -> BankSim:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("BANKSIM_WEBHOOK_SECRET", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kcb06.cli", "bank-sim", "--port", str(port)], env=env, cwd=ROOT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"banksim exited with {proc.returncode}")
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return BankSim(url, proc)
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("banksim did not start")
