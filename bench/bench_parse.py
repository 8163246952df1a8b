"""Parsing speed: synthetic scans per second through parse_scan on one core.

Target (issue 3): over 50,000 QR texts per second on one core. The mix is mostly CCCD QRs
(what reception scans) with typed ID numbers, BHYT card codes, BHXH numbers and a few scans
that need cleaning (CR/LF, BOM). Measured as many timed rounds of CPU time of this process
(time.process_time, so other work on a shared machine does not count as ours); the figure is
the median rate with p5 (slowest rounds) beside it. The verdict is on CCCD QR texts only, the
most expensive kind.

Run: .venv/bin/python -m bench.bench_parse
"""

import os
import random
import time
from datetime import date, timedelta

from bench.machine import percentile, report
from kcb06.identity import CccdQr, IdentityError, format_cccd_qr, parse_scan
from kcb06.identity.codes import BHYT_OBJECT_CODES, PROVINCE_BIRTH_CODES

TARGET = 50_000
N_TEXTS = 50_000
ROUNDS = 15

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Đức", "Ngọc", "Minh", "Thanh", "Hữu", "Quốc", "Thùy", ""]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Khoa", "Linh", "Nga", "Phúc", "Ánh"]
STREETS = ["Số 12 Đường Lê Lợi", "Thôn Đông", "Ấp 3", "Tổ 7", "Số 45 Ngõ 8 Phố Huế"]
WARDS = ["Phường Bến Nghé", "Xã Tân Phú", "Phường Hàng Bài", "Xã Đông Hòa", "Thị trấn Hóc Môn"]
CITIES = ["Thành phố Hà Nội", "Thành phố Hồ Chí Minh", "Tỉnh Nghệ An", "Tỉnh Đắk Lắk"]


def synthetic_texts(n: int, seed: int = 6) -> list[str]:
    rng = random.Random(seed)
    provinces = list(PROVINCE_BIRTH_CODES)
    objects = [c for c, o in BHYT_OBJECT_CODES.items() if o.usual_level]
    texts = []
    for i in range(n):
        dob = date(1930, 1, 1) + timedelta(days=rng.randrange(0, 34000))
        sex = rng.choice(["male", "female"])
        digit = (dob.year - 1900) // 100 * 2 + (sex == "female")
        number = f"{rng.choice(provinces)}{digit}{dob.year % 100:02d}{rng.randrange(10**6):06d}"
        kind = i % 10
        if kind < 7:
            qr = CccdQr(
                id_number=number,
                old_id_number=f"{rng.randrange(10**9):09d}" if rng.random() < 0.5 else None,
                full_name=" ".join(
                    w for w in (rng.choice(SURNAMES), rng.choice(MIDDLE), rng.choice(GIVEN)) if w
                ),
                date_of_birth=dob,
                sex=sex,
                address=f"{rng.choice(STREETS)}, {rng.choice(WARDS)}, {rng.choice(CITIES)}",
                issue_date=date(2021, 1, 1) + timedelta(days=rng.randrange(0, 1700)),
            )
            text = format_cccd_qr(qr)
            if kind == 6:
                text = "\ufeff" + text + "\r\n"  # scanner adds a BOM and Enter
            texts.append(text)
        elif kind == 7:
            texts.append(number)
        elif kind == 8:
            code = rng.choice(objects)
            level = BHYT_OBJECT_CODES[code].usual_level
            texts.append(f"{code}{level}{rng.choice(provinces)[1:]}{rng.randrange(10**10):010d}")
        else:
            texts.append(f"{rng.randrange(10**10):010d}")
    return texts


def _rates(texts: list[str], today: date) -> list[float]:
    rates = []
    for _ in range(ROUNDS):
        start = time.process_time()
        for text in texts:
            parse_scan(text, today)
        rates.append(len(texts) / (time.process_time() - start))
    return rates


def main() -> None:
    texts = synthetic_texts(N_TEXTS)
    qr_only = [t for t in synthetic_texts(N_TEXTS * 10 // 7 + 10, seed=7) if "|" in t][:N_TEXTS]
    today = date(2026, 11, 23)
    for text in texts + qr_only:  # every text is valid: a failure here is a parser bug
        try:
            parse_scan(text, today)
        except IdentityError as exc:
            raise SystemExit(f"synthetic text rejected: {exc.code}") from exc
    load_before = os.getloadavg()[0]
    mix = _rates(texts, today)
    qr = _rates(qr_only, today)
    print(
        f"[parse] mix: {percentile(mix, 50):,.0f} texts/s median, {percentile(mix, 5):,.0f} "
        f"p5 ({ROUNDS} rounds x {len(texts):,}: 70% CCCD QR, 10% each ID number/BHYT/BHXH)"
    )
    median, slow = percentile(qr, 50), percentile(qr, 5)
    print(
        f"[parse] machine load average (1 min): {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores (shared machines are slower)"
    )
    report(
        "parse",
        f"CCCD QR only: {median:,.0f} texts/s median, {slow:,.0f} texts/s p5 "
        f"({ROUNDS} rounds x {len(qr_only):,} distinct synthetic QR texts, 1 core, 1 process)",
        f"over {TARGET:,} QR texts per second on one core",
        median > TARGET,
    )


if __name__ == "__main__":
    main()
