"""Catalogue speed on PostgreSQL: the clinician's search-as-you-type over a facility's drug
catalogue, and an import's preview (read the XLSX, parse, compare) of the whole catalogue.

Targets (issue #19, "fast"): a search p95 < 50 ms with 20,000 drug rows (a large hospital's
catalogue with several periods per item); preview of a 20,000-row XLSX < 10 s. Baseline in the
same run: an exact code lookup on the (facility, code, valid_from) index, the cheapest query a
line could make.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/kcb06_catalogue_bench \
     .venv/bin/python -m bench.bench_catalogue --rows 20000
"""

import argparse
import io
import os
import random
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kcb06_catalogue_bench")
os.environ.setdefault("KCB06_DATA_DIR", "/tmp/catalogue_bench")
os.environ.setdefault("KCB06_LOG_LEVEL", "WARNING")

from bench.machine import ensure_database, percentile, report, summary_ms  # noqa: E402

SEARCH_TARGET_MS = 50
PREVIEW_TARGET_S = 10
WORDS = ["Paracetamol", "Amlodipin", "Metformin", "Omeprazol", "Meloxicam", "Acetylcystein",
         "Natri clorid", "Amoxicilin", "Cefuroxim", "Vitamin", "Kali clorid", "Glucose",
         "Dung dịch", "Viên nén", "Thuốc nhỏ mắt", "Siro ho", "Kẽm gluconat", "Salbutamol"]  # fmt: skip
QUERIES = ["para", "paracetamol 500", "natri clorid", "Natri clorid", "vitamin c", "40.12",
           "amlodipin 5", "thuoc nho mat", "kem gluconat", "paracetamon", "siro"]  # fmt: skip


def _rows(n: int) -> list[dict]:
    rnd = random.Random(19)
    rows = []
    for i in range(n):
        name = f"{rnd.choice(WORDS)} {rnd.choice(['', 'Plus ', 'DHG ', 'Stada '])}{i}".strip()
        rows.append(
            {
                "code": f"40.{i // 2}",
                "name": name,
                "strength": f"{rnd.choice([5, 10, 20, 250, 500])}mg",
                "route": "1.01",
                "unit": "Viên",
                "registration": f"VD-{i // 2:05d}-25",
                "tender": "1021/QĐ-SYT;G1;N4;2025",
                "price": Decimal(rnd.randint(100, 90000)),
                "scope": 1,
                "group": 4,
                # Two periods per item: a price change on 01/07.
                "valid_from": date(2026, 1, 1) if i % 2 == 0 else date(2026, 7, 1),
                "valid_to": date(2026, 6, 30) if i % 2 == 0 else None,
            }
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--queries", type=int, default=300)
    args = ap.parse_args()
    ensure_database(ROOT)
    from kcb06.cli import setup_django

    setup_django()
    import openpyxl
    from django.contrib.auth.models import User

    from kcb06.catalogue import services
    from kcb06.catalogue.models import Drug
    from kcb06.facilities.demo import seed
    from kcb06.facilities.services import principal_for_user

    seed()
    admin = principal_for_user(User.objects.get(username="quantri"))
    facility_id = admin.facility_id
    rows = _rows(args.rows)
    Drug.objects.filter(facility_id=facility_id).delete()
    services.seed_rows(facility_id, "drugs", rows)
    on = date(2026, 8, 1)

    search, baseline = [], []
    for i in range(args.queries):
        q = QUERIES[i % len(QUERIES)]
        t = time.perf_counter()
        services.search(facility_id, "drugs", q, on=on, limit=12)
        search.append(time.perf_counter() - t)
        t = time.perf_counter()
        services.row_on(facility_id, "drugs", on, code=f"40.{i % (args.rows // 2)}")
        baseline.append(time.perf_counter() - t)
    p95 = percentile(search, 95) * 1000
    print(f"[catalogue search] {args.rows} rows: {summary_ms(search)}")
    print(f"[catalogue search] baseline exact code lookup: {summary_ms(baseline)}")
    report(
        "catalogue search",
        f"p95 {p95:.1f} ms over {args.rows} drug rows",
        f"p95 < {SEARCH_TARGET_MS} ms",
        p95 < SEARCH_TARGET_MS,
    )

    # Preview of the whole catalogue as a facility would re-import it (one price changed).
    book = openpyxl.Workbook()
    sheet = book.active
    from kcb06.catalogue.columns import CATALOGUES

    columns = CATALOGUES["drugs"].columns
    sheet.append([c.name for c in columns])
    for i, r in enumerate(rows):
        line = []
        for c in columns:
            v = r[c.field]
            if c.field == "price" and i == 0:
                v += 1
            if isinstance(v, date):
                v = v.strftime("%Y%m%d")
            elif isinstance(v, Decimal):
                v = int(v)
            line.append(v)
        sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    content = buffer.getvalue()
    t = time.perf_counter()
    preview = services.preview_import(admin, "drugs", "bench.xlsx", content)
    seconds = time.perf_counter() - t
    assert preview.batch is not None and len(preview.diff["changed"]) == 1
    preview.batch.delete()
    report(
        "catalogue preview",
        f"{seconds:.2f} s for {args.rows} rows ({len(content) // 1024} KiB XLSX)",
        f"< {PREVIEW_TARGET_S} s",
        seconds < PREVIEW_TARGET_S,
    )


if __name__ == "__main__":
    main()
