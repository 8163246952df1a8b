"""The bank simulator's HTTP server (standard library only, plus httpx for the webhook calls).

A payer "pays" a VietQR text (or makes a plain transfer); the bank then notifies the hospital's
webhook, signed with HMAC-SHA256 over "<timestamp>.<body>", after `delay_ms`, as `duplicates`
simultaneous copies, with the amount or message changed, or not at all (`lose`). Everything a
test or a demo needs to steer is under /_control/.
"""

import hashlib
import hmac
import json
import logging
import os
import threading
import time
import uuid
from datetime import UTC, datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx

from .alter import alter_message
from .qr import QrError, read_payment_qr
from .statement import LAYOUTS, statement_rows, to_csv, to_xlsx

log = logging.getLogger("banksim")

SCENARIO_KEYS = {
    "delay_ms": int,  # wait before notifying
    "duplicates": int,  # copies of the same transfer notified at the same moment (>= 1)
    "amount": int,  # the amount actually transferred (payer typed another figure)
    "amount_delta": int,  # or: the QR amount plus this
    "alter": str,  # spacing | case | diacritics | prefix | all
    "lose": bool,  # the notification never leaves the bank
    "timestamp_skew_s": int,  # sign with a clock this far off (stale calls)
    "bad_signature": bool,  # sign with the wrong secret
}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The webhook signature: hex HMAC-SHA256 of "<timestamp>.<body>" with the shared secret."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class Bank:
    """Accounts' incoming transfers and the notifications sent for them (in memory)."""

    def __init__(self, webhook_url: str = "", secret: str = ""):
        self.webhook_url = webhook_url
        self.secret = secret
        self.scenario: dict = {}
        self.transactions: list[dict] = []
        self.lock = threading.Lock()

    def configure(self, data: dict) -> None:
        with self.lock:
            if "webhook_url" in data:
                self.webhook_url = str(data["webhook_url"])
            if "secret" in data:
                self.secret = str(data["secret"])
            if "scenario" in data:
                self.scenario = _clean_scenario(data["scenario"] or {})
            if data.get("reset"):
                self.transactions.clear()
                self.scenario = {}

    def transfer(self, bank_bin: str, account: str, amount, message: str, scenario: dict) -> dict:
        """Book a transfer and schedule its notification(s); the caller gets the bank's id."""
        scenario = {**self.scenario, **_clean_scenario(scenario)}
        if "amount" in scenario:
            amount = scenario["amount"]
        elif "amount_delta" in scenario and amount is not None:
            amount = amount + scenario["amount_delta"]
        if scenario.get("alter"):
            message = alter_message(message, scenario["alter"], seed=len(self.transactions))
        tx = {
            "transaction_id": "FT" + uuid.uuid4().hex[:14].upper(),
            "bank_bin": bank_bin,
            "account": account,
            "amount": amount,
            "message": message,
            "paid_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "scenario": scenario,
            "deliveries": [],
            "status": "lost" if scenario.get("lose") else "scheduled",
        }
        with self.lock:
            self.transactions.append(tx)
        if not scenario.get("lose"):
            threading.Thread(target=self._notify, args=(tx,), daemon=True).start()
        return _public(tx)

    def redeliver(self, transaction_id: str) -> dict | None:
        """Send a (lost or delivered) notification again now: the bank's late retry."""
        tx = self.find(transaction_id)
        if tx is None:
            return None
        tx["scenario"] = {**tx["scenario"], "delay_ms": 0, "duplicates": 1, "lose": False}
        self._notify(tx)
        return _public(tx)

    def find(self, transaction_id: str) -> dict | None:
        with self.lock:
            return next(
                (t for t in self.transactions if t["transaction_id"] == transaction_id), None
            )

    def _notify(self, tx: dict) -> None:
        scenario = tx["scenario"]
        time.sleep(max(0, scenario.get("delay_ms", 0)) / 1000)
        copies = max(1, scenario.get("duplicates", 1))
        barrier = threading.Barrier(copies)
        threads = [
            threading.Thread(target=self._deliver, args=(tx, barrier)) for _ in range(copies)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        tx["status"] = "delivered"

    def _deliver(self, tx: dict, barrier: threading.Barrier) -> None:
        scenario = tx["scenario"]
        body = json.dumps(
            {
                "notification_id": uuid.uuid4().hex,
                **{k: tx[k] for k in ("transaction_id", "bank_bin", "account", "amount")},
                "message": tx["message"],
                "paid_at": tx["paid_at"],
            },
            ensure_ascii=False,
        ).encode()
        timestamp = str(int(time.time()) + scenario.get("timestamp_skew_s", 0))
        secret = "not-the-secret" if scenario.get("bad_signature") else self.secret
        headers = {
            "Content-Type": "application/json",
            "X-Bank-Timestamp": timestamp,
            "X-Bank-Signature": sign(secret, timestamp, body),
        }
        barrier.wait(timeout=10)
        try:
            resp = httpx.post(self.webhook_url, content=body, headers=headers, timeout=15)
            result = {"status_code": resp.status_code, "body": _json_or_text(resp)}
        except httpx.HTTPError as exc:
            result = {"status_code": None, "error": str(exc)}
        with self.lock:
            tx["deliveries"].append(result)


def _json_or_text(resp: httpx.Response):
    try:
        return resp.json()
    except ValueError:
        return resp.text[:500]


def _clean_scenario(raw: dict) -> dict:
    out = {}
    for key, value in raw.items():
        if key not in SCENARIO_KEYS:
            raise ValueError(f"unknown scenario key {key!r}")
        out[key] = SCENARIO_KEYS[key](value)
    return out


def _public(tx: dict) -> dict:
    return {k: v for k, v in tx.items() if k != "scenario"} | {"scenario": dict(tx["scenario"])}


PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>banksim — ngân hàng giả lập</title></head><body>
<h1>banksim — ngân hàng giả lập (chỉ để thử)</h1>{result}
<form method="post" action="/pay">
<p><label>Nội dung mã VietQR (dán chuỗi đã quét)<br>
<textarea name="qr" rows="4" cols="80" required></textarea></label></p>
<p><label>Ứng dụng ngân hàng sửa nội dung chuyển khoản <select name="alter">
<option value="">không</option><option>spacing</option><option>case</option>
<option>diacritics</option><option>prefix</option><option>all</option></select></label></p>
<p><label>Báo có chậm (ms) <input name="delay_ms" type="number" value="0" min="0"></label>
<label><input type="checkbox" name="duplicates" value="2"> gửi báo có hai lần cùng lúc</label>
<label><input type="checkbox" name="lose" value="1"> làm mất báo có</label></p>
<p><button type="submit">Thanh toán</button></p></form></body></html>"""


def _page(result: str = "") -> bytes:
    return PAGE.replace("{result}", result).encode()


class Handler(BaseHTTPRequestHandler):
    bank: Bank  # set on the subclass made by make_server

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        log.debug(format, *args)

    def _send(self, status: int, data) -> None:
        body = json.dumps(data, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        data = json.loads(self.rfile.read(length) or b"{}")
        if not isinstance(data, dict):
            raise ValueError("a JSON object is expected")
        return data

    def _send_html(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _pay_form(self) -> None:
        """The demo's "banking app": paste a scanned QR text and pay it."""
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        scenario = {k: form[k] for k in ("alter", "delay_ms", "duplicates", "lose") if form.get(k)}
        try:
            qr = read_payment_qr(form.get("qr", ""))
            tx = self.bank.transfer(
                qr["bank_bin"], qr["account"], qr["amount"], qr["message"], scenario
            )
        except (QrError, ValueError) as exc:
            return self._send_html(400, _page(f"<p><strong>Lỗi:</strong> {escape(str(exc))}</p>"))
        result = (
            f"<p>Đã chuyển {tx['amount']} đ đến {escape(tx['account'])}, nội dung "
            f"“{escape(tx['message'])}”, mã giao dịch {tx['transaction_id']}.</p>"
        )
        return self._send_html(200, _page(result))

    def _statement(self) -> None:
        """GET /api/statements?date=yyyy-mm-dd&layout=vcb|tcb&format=csv|xlsx"""
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        day = query.get("date") or datetime.now(UTC).astimezone().date().isoformat()
        layout = query.get("layout", "vcb")
        fmt = query.get("format", "csv")
        if layout not in LAYOUTS or fmt not in ("csv", "xlsx"):
            return self._send(400, {"error": "layout must be vcb|tcb, format csv|xlsx"})
        with self.bank.lock:
            rows = statement_rows(list(self.bank.transactions), day, layout)
        body = to_csv(rows) if fmt == "csv" else to_xlsx(rows)
        kind = (
            "text/csv; charset=utf-8"
            if fmt == "csv"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header(
            "Content-Disposition", f'attachment; filename="saoke-{day}-{layout}.{fmt}"'
        )
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        if self.path.startswith("/api/statements"):
            return self._statement()
        if self.path == "/":
            return self._send_html(200, _page())
        if self.path == "/health":
            return self._send(200, {"status": "ok"})
        if self.path == "/_control/transactions":
            with self.bank.lock:
                return self._send(200, [_public(t) for t in self.bank.transactions])
        if self.path.startswith("/_control/transactions/"):
            tx = self.bank.find(self.path.rsplit("/", 1)[1])
            return self._send(200, _public(tx)) if tx else self._send(404, {"error": "unknown"})
        return self._send(404, {"error": "not found"})

    def do_POST(self):  # noqa: N802
        if self.path == "/pay":
            return self._pay_form()
        try:
            data = self._json()
            if self.path == "/api/qr-payments":
                qr = read_payment_qr(str(data.get("qr", "")))
                amount = data.get("amount", qr["amount"])  # a static QR: the payer types it
                tx = self.bank.transfer(
                    qr["bank_bin"], qr["account"], amount, qr["message"], data.get("scenario", {})
                )
                return self._send(202, tx)
            if self.path == "/api/transfers":
                tx = self.bank.transfer(
                    str(data["bank_bin"]),
                    str(data["account"]),
                    data["amount"],
                    str(data.get("message", "")),
                    data.get("scenario", {}),
                )
                return self._send(202, tx)
            if self.path == "/_control/config":
                self.bank.configure(data)
                return self._send(200, {"webhook_url": self.bank.webhook_url})
            if self.path.startswith("/_control/redeliver/"):
                tx = self.bank.redeliver(self.path.rsplit("/", 1)[1])
                return self._send(200, tx) if tx else self._send(404, {"error": "unknown"})
        except (QrError, ValueError, KeyError, TypeError) as exc:
            return self._send(400, {"error": str(exc)})
        return self._send(404, {"error": "not found"})


def make_server(host: str, port: int, bank: Bank) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"bank": bank})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve(host: str = "127.0.0.1", port: int = 8766, webhook_url: str = "", secret: str = ""):
    """Run until interrupted; the webhook URL and secret default to BANKSIM_* variables."""
    bank = Bank(
        webhook_url or os.environ.get("BANKSIM_WEBHOOK_URL", ""),
        secret or os.environ.get("BANKSIM_WEBHOOK_SECRET", ""),
    )
    server = make_server(host, port, bank)
    print(f"banksim listening on http://{host}:{port}", flush=True)  # noqa: T201
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    serve(port=int(os.environ.get("BANKSIM_PORT", "8766")))
