"""VietQR build speed: bill QR texts per second on one core.

Target (issue 20): over 20,000 builds per second on one core. Each build is a bill's QR as the
cashier page makes it (BIN, account, amount, "VIEN PHI <reference>", bill number), CRC
included. Measured as timed rounds of this process's CPU time (time.process_time, so other work
on a shared machine does not count); the figure is the median rate with the slowest round.

Run: .venv/bin/python -m bench.bench_vietqr
"""

import statistics
import time

from bench.machine import report
from kcb06.identity.vietqr import VietQr, build_vietqr

TARGET = 20_000
N = 20_000
ROUNDS = 10


def main() -> None:
    bills = [
        VietQr(
            "970436",
            "0123456789",
            amount=10_000 + i * 500,
            purpose=f"VIEN PHI KCB{i:06d}",
            bill_number=f"KCB{i:06d}",
        )  # fmt: skip
        for i in range(N)
    ]
    rates = []
    for _ in range(ROUNDS):
        start = time.process_time()
        for qr in bills:
            build_vietqr(qr)
        rates.append(N / max(time.process_time() - start, 1e-9))
    median = statistics.median(rates)
    report(
        "vietqr-build",
        f"median {median:,.0f} builds/s, slowest round {min(rates):,.0f}/s",
        f"> {TARGET:,} builds/s on one core",
        median > TARGET,
    )


if __name__ == "__main__":
    main()
