"""Payments benchmark on PostgreSQL (issue 20):

- webhook: p99 < 50 ms at 100 calls/s, every notification delivered twice at the same instant
  (50 notifications/s, each as two simultaneous signed POSTs on two connections, open loop, to
  gunicorn 2 workers gthread), and the double payments counted afterwards (must be 0);
  baseline in the same run: GET /api/v1/health at the same offered rate;
- reconciliation of a 10,000-line bank statement (CSV, parsed, stored and matched) < 5 s;
  baseline: parsing alone;
- the kiosk shows the QR within 300 ms of the tap: POST /payments/kiosk/ with a ticket's token
  (issue the bill, build the VietQR, render the SVG) through Django's test client on the same
  database; baseline: the kiosk's first screen.

Usage: .venv/bin/python bench/bench_payments.py [--seconds 20] [--rate 50]
Needs PostgreSQL at 127.0.0.1:5432 (user postgres); uses database kcb06_payments_bench and
port 9321 (gunicorn). All data synthetic.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loadgen import Connection  # noqa: E402
from bench.machine import percentile, report, summary_ms, wait_until_up  # noqa: E402

DB = "kcb06_payments_bench"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
PORT = 9321
WEB = f"http://127.0.0.1:{PORT}"
SECRET = "bench-secret-0123456789"
HOOK = "/api/v1/payments/bank-webhook"


def env(**extra) -> dict:
    e = dict(os.environ)
    e.update(
        DATABASE_URL=DATABASE_URL,
        KCB06_DATA_DIR=str(Path(tempfile.gettempdir()) / "payments_bench"),
        KCB06_LOG_LEVEL="WARNING",
        KCB06_BANK_WEBHOOK_SECRET=SECRET,
        DJANGO_SETTINGS_MODULE="kcb06.settings",
    )
    e.update(extra)
    return e


def run(*args, **kw):
    return subprocess.run(args, cwd=ROOT, check=True, **kw)


def prepare() -> None:
    run("psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"DROP DATABASE IF EXISTS {DB}")
    run("psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {DB}")
    run(sys.executable, "manage.py", "migrate", "-v0", env=env())


def django_here() -> None:
    os.environ.update(env())
    from kcb06.cli import setup_django

    setup_django()


def make_bills(n: int, tag: str) -> list:
    """n pending bills of 7 500 đ, each on its own synthetic visit at 27901."""
    from datetime import date, timedelta

    from django.utils import timezone

    from kcb06.facilities.models import Facility
    from kcb06.identity.names import name_key
    from kcb06.patients.models import Patient
    from kcb06.payments.models import Bill
    from kcb06.payments.reference import new_reference
    from kcb06.visits.models import Visit

    facility = Facility.objects.get(code="27901")
    department = facility.departments.order_by("sort_order").first()
    name = "Bench Thanh Toán"
    patient = Patient.objects.create(
        full_name=name, name_key=name_key(name), date_of_birth=date(1980, 1, 1),
        birth_year=1980, sex="male", address="Demo",
    )  # fmt: skip
    now = timezone.now()
    visits = Visit.objects.bulk_create(
        Visit(ma_lk=f"27901.{tag}{i:07d}", facility=facility, patient=patient,
              department=department, arrived_at=now, visit_date=timezone.localdate(now))
        for i in range(n)
    )  # fmt: skip
    refs = set()
    while len(refs) < n:
        refs.add(new_reference())
    return Bill.objects.bulk_create(
        Bill(facility=facility, visit=v, reference=r, amount=7500, lines=[],
             expires_at=now + timedelta(hours=2))
        for v, r in zip(visits, sorted(refs), strict=True)
    )  # fmt: skip


def signed_request(body: dict) -> bytes:
    payload = json.dumps(body).encode()
    ts = str(int(time.time()))
    sig = "sha256=" + hmac.new(SECRET.encode(), ts.encode() + b"." + payload,
                               hashlib.sha256).hexdigest()  # fmt: skip
    head = [f"POST {HOOK} HTTP/1.1", f"Host: 127.0.0.1:{PORT}", "Content-Type: application/json",
            f"X-Bank-Timestamp: {ts}", f"X-Bank-Signature: {sig}",
            f"Content-Length: {len(payload)}"]  # fmt: skip
    return ("\r\n".join(head) + "\r\n\r\n").encode() + payload


def get_request(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\n\r\n".encode()


async def open_loop(requests: list[list[bytes]], rate: float) -> tuple[list, dict]:
    """Each item is a group sent at the same instant (one connection each); groups start on a
    fixed schedule whatever the answers do."""
    pool: list[Connection] = []
    latencies, statuses = [], {}

    async def one(raw: bytes, t0: float):
        conn = pool.pop() if pool else Connection("127.0.0.1", PORT)
        try:
            status = await conn.request(raw)
        except Exception:  # noqa: BLE001 - counted as a failure
            status = 0
            conn = Connection("127.0.0.1", PORT)
        latencies.append(time.perf_counter() - t0)
        statuses[status] = statuses.get(status, 0) + 1
        pool.append(conn)

    tasks = []
    start = time.perf_counter()
    for i, group in enumerate(requests):
        at = start + i / rate
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        t0 = time.perf_counter()
        tasks += [asyncio.create_task(one(raw, t0)) for raw in group]
    await asyncio.gather(*tasks)
    for conn in pool:
        conn.close()
    return latencies, statuses


def start_server() -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "kcb06.wsgi:application", "--bind",
         f"127.0.0.1:{PORT}", "--workers", "2", "--worker-class", "gthread", "--threads", "16",
         "--keep-alive", "30", "--log-level", "warning"],
        cwd=ROOT, env=env(), stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return wait_until_up(proc, WEB + "/api/v1/health", 90, "gunicorn", pause=0.3)


def bench_webhook(seconds: int, rate: float) -> None:
    from django.db.models import Count

    from kcb06.payments.models import Bill, BillState, Payment

    n = int(seconds * rate)
    bills = make_bills(n + 100, "W")
    warm = [[signed_request(note(b, f"warm{i}"))] for i, b in enumerate(bills[n:])]
    groups = []
    for i, bill in enumerate(bills[:n]):
        raw = signed_request(note(bill, f"n{i}"))
        copy = signed_request(note(bill, f"n{i}", copy=True))
        groups.append([raw, copy])  # the same transfer, two deliveries at the same instant
    proc = start_server()
    try:
        asyncio.run(open_loop(warm, 50))
        base, base_st = asyncio.run(
            open_loop([[get_request("/api/v1/health")] * 2 for _ in range(n)], rate)
        )
        lat, st = asyncio.run(open_loop(groups, rate))
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    doubles = (
        Payment.objects.filter(bill__in=bills[:n]).values("bill").annotate(c=Count("pk"))
        .filter(c__gt=1).count()
    )  # fmt: skip
    paid = Bill.objects.filter(pk__in=[b.pk for b in bills[:n]], state=BillState.PAID).count()
    p99 = percentile(lat, 99) * 1000
    print(f"[webhook] baseline GET /api/v1/health x2 at {rate:.0f}/s: {summary_ms(base)} {base_st}")
    print(
        f"[webhook] notifications x2 at {rate:.0f}/s ({2 * rate:.0f} calls/s): {summary_ms(lat)} {st}"
    )
    print(f"[webhook] bills paid {paid}/{n}; bills paid twice: {doubles}")
    report("webhook", f"p99 {p99:.1f} ms at {2 * rate:.0f} calls/s, double payments {doubles}",
           "p99 < 50 ms at 100 calls/s, double payments 0",
           p99 < 50 and doubles == 0 and paid == n)  # fmt: skip


def bench_webhook_closed(n: int = 40) -> None:
    """One call at a time, in process: a bill of an open visit against a bill of a closed visit
    (whose payment flags the claim), then the worker's job re-queuing those claims."""
    from django.test import Client

    from kcb06.facilities.models import StaffProfile
    from kcb06.facilities.services import principal_for_user
    from kcb06.healthbook.services import close_visit

    closing = {
        "weight_kg": "60", "main_icd10": "J06.9", "secondary_icd10": [],
        "treatment_summary": "Điều trị ngoại trú.", "outcome": "2", "discharge_type": "1",
        "prescriptions": [{"drug_name": "Paracetamol", "strength": "500mg",
                           "dose": "1 viên × 3 lần/ngày", "duration_days": "5",
                           "quantity": "15", "unit": "viên", "unit_price": "500"}],
        "results": [],
    }  # fmt: skip
    doctor = StaffProfile.objects.filter(facility__code="27901", role="clinician").first()
    principal = principal_for_user(doctor.user)
    open_bills = make_bills(n, "O")
    closed_bills = make_bills(n, "C")
    for b in closed_bills:
        close_visit(principal, b.visit, dict(closing))
    client = Client()

    def call(bill, i):
        raw = json.dumps(note(bill, f"c{bill.pk}-{i}")).encode()
        ts = str(int(time.time()))
        sig = "sha256=" + hmac.new(SECRET.encode(), ts.encode() + b"." + raw,
                                   hashlib.sha256).hexdigest()  # fmt: skip
        t0 = time.perf_counter()
        resp = client.post(HOOK, raw, content_type="application/json",
                           HTTP_X_BANK_TIMESTAMP=ts, HTTP_X_BANK_SIGNATURE=sig)  # fmt: skip
        assert resp.status_code == 200, resp.content
        return time.perf_counter() - t0

    plain = [call(b, i) for i, b in enumerate(open_bills)]
    requeue = [call(b, i) for i, b in enumerate(closed_bills)]
    print(f"[webhook-claim] open visit (no claim yet): {summary_ms(plain)}")
    from kcb06.payments.jobs import requeue_claims

    t0 = time.perf_counter()
    done = requeue_claims(limit=n)
    job = (time.perf_counter() - t0) / max(done, 1)
    print(f"[webhook-claim] closed visit (claim flagged for the worker): {summary_ms(requeue)}")
    print(
        f"[webhook-claim] worker re-queues {done} claims with NGAY_TTOAN: {job * 1000:.1f} ms each"
    )


def note(bill, nid: str, copy: bool = False) -> dict:
    return {
        "notification_id": f"{nid}-{'b' if copy else 'a'}",
        "transaction_id": f"FTBENCH{bill.pk:09d}",
        "bank_bin": "970436", "account": "0123456789", "amount": 7500,
        "message": f"VIEN PHI {bill.reference}", "paid_at": "2026-12-07T00:00:00+00:00",
    }  # fmt: skip


def bench_reconciliation(lines: int = 10_000) -> None:
    import csv
    import io

    from django.utils import timezone

    from kcb06.facilities.models import StaffProfile
    from kcb06.facilities.services import principal_for_user
    from kcb06.payments import statements
    from kcb06.payments.models import Method, Payment

    bills = make_bills(lines, "R")
    now = timezone.now()
    # Half the lines were notified by the webhook, a quarter only in the statement, a quarter
    # are money with no bill.
    Payment.objects.bulk_create(
        Payment(facility_id=b.facility_id, bill=b, method=Method.VIETQR, amount=7500,
                bank_transaction_id=f"FTREC{i:09d}")
        for i, b in enumerate(bills[: lines // 2])
    )  # fmt: skip
    out = io.StringIO()
    w = csv.writer(out)
    w.writerows([["SAO KÊ"], [], ["STT", "Ngày giao dịch", "Số tham chiếu", "Số tiền ghi nợ",
                                   "Số tiền ghi có", "Mô tả"]])  # fmt: skip
    stamp = timezone.localtime(now).strftime("%d/%m/%Y %H:%M:%S")
    for i, b in enumerate(bills):
        message = f"VIEN PHI {b.reference}" if i < lines * 3 // 4 else "chuyen tien"
        w.writerow([i + 1, stamp, f"FTREC{i:09d}", "", "7.500", message])
    content = out.getvalue().encode()
    profile = StaffProfile.objects.filter(facility__code="27901", role="cashier").first()
    principal = principal_for_user(profile.user)
    t0 = time.perf_counter()
    statements.parse(content, "s.csv", "vcb")
    parse_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    st = statements.import_statement(principal, content, "s.csv", "vcb", timezone.localdate())
    total = time.perf_counter() - t0
    counts = {m: st.lines.filter(match=m).count() for m in ("matched", "no_webhook", "no_bill")}
    print(f"[reconcile] baseline parse only: {parse_s:.2f} s; matches {counts}")
    report("reconcile", f"{lines:,} lines parsed, stored and matched in {total:.2f} s",
           "< 5 s for 10,000 lines", total < 5)  # fmt: skip


def bench_kiosk(n: int = 60) -> None:
    import secrets

    from django.test import Client

    from kcb06.facilities.models import Facility
    from kcb06.payments.models import PaymentSettings
    from kcb06.visits.demo import _kiosk_user
    from kcb06.visits.models import Ticket

    facility = Facility.objects.get(code="27901")
    PaymentSettings.objects.update_or_create(
        facility=facility, defaults={"registration_fee": 30000}
    )
    bills = make_bills(n + 5, "K")
    tickets = []
    for i, b in enumerate(bills):
        b.delete()  # the visit without a bill: the tap issues it
        tickets.append(Ticket.objects.create(visit_id=b.visit_id, department=b.visit.department,
                       day=b.visit.visit_date, number=i + 1, token=secrets.token_urlsafe(12)))  # fmt: skip
    client = Client()
    client.force_login(_kiosk_user(facility))
    base, taps = [], []
    for i, t in enumerate(tickets):
        t0 = time.perf_counter()
        client.get("/payments/kiosk/")
        b = time.perf_counter() - t0
        t0 = time.perf_counter()
        resp = client.post("/payments/kiosk/", {"token": t.token})
        tap = time.perf_counter() - t0
        assert resp.status_code == 200 and b"<svg" in resp.content, resp.content[:300]
        if i >= 5:  # the first taps warm the caches and connections
            base.append(b)
            taps.append(tap)
    print(f"[kiosk-qr] baseline kiosk first screen: {summary_ms(base)}")
    print(f"[kiosk-qr] tap -> amount and QR: {summary_ms(taps)}")
    p99 = percentile(taps, 99) * 1000
    report("kiosk-qr", f"p99 {p99:.0f} ms from the tap to the QR page (server side)",
           "< 300 ms", p99 < 300)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rate", type=float, default=50.0, help="notifications/s (x2 calls)")
    args = parser.parse_args()
    print(f"[payments] load average before the run: {os.getloadavg()} (a shared machine)")
    prepare()
    django_here()
    from kcb06.facilities.demo import seed

    seed()
    bench_webhook(args.seconds, args.rate)
    bench_webhook_closed()
    bench_reconciliation()
    bench_kiosk()
    print(f"[payments] load average after the run: {os.getloadavg()}")


if __name__ == "__main__":
    main()
