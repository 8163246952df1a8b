"""Bulk-load synthetic patients for benchmarks and load tests (never for real use).

PostgreSQL: COPY FROM STDIN (about a million rows in well under a minute); SQLite: executemany
in one transaction. Names are combinations of common Vietnamese family, middle and given names;
ID numbers start with "9", which is no province code, so they can never be a real person's.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from kcb06.patients.names import name_key

FAMILY = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trương Cao Mai"
).split()
MIDDLE = "Văn Thị Hữu Đức Minh Thanh Ngọc Quang Xuân Thu Hồng Kim Gia Bảo Công".split()
GIVEN = (
    "An Bình Chi Dũng Giang Hà Hải Hạnh Hòa Hùng Hương Khánh Lan Linh Long Mai Nam Ngân Phong "
    "Phúc Quân Sơn Tâm Thảo Trang Tuấn Việt Yến Anh Bích Cường Đạt Hiếu Huy Lâm Loan Nhung "
    "Oanh Phương Quyên Tài Thắng Thủy Tú Vân"
).split()
STREETS = "Thôn Đông Thôn Tây Xóm Chùa Khu phố 3 Tổ 5 Ngõ 12".split("  ")


def _names(rng: random.Random, count: int):
    cache: dict[str, str] = {}
    for _ in range(count):
        parts = [rng.choice(FAMILY), rng.choice(MIDDLE)]
        if rng.random() < 0.3:
            parts.append(rng.choice(MIDDLE))
        parts.append(rng.choice(GIVEN))
        name = " ".join(parts)
        key = cache.get(name)
        if key is None:
            key = cache[name] = name_key(name)
        yield name, key


def generate(count: int, facility_id: int, *, seed: int = 6, batch: int = 50_000) -> float:
    """Insert `count` patients linked to the facility, each with a synthetic ID number.
    Returns the seconds taken."""
    rng = random.Random(seed)
    started = time.perf_counter()
    now = timezone.now()
    base = date(1930, 1, 1)
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM patients_patient")
            first_id = cur.fetchone()[0] + 1
        rows = []
        for name, key in _names(rng, count):
            dob = base + timedelta(days=rng.randrange(0, 95 * 365))
            sex = "female" if " Thị " in f" {name} " or rng.random() < 0.5 else "male"
            address = f"{rng.choice(STREETS)}, phường Demo {rng.randrange(1, 40)}, tỉnh Bắc Ninh"
            rows.append((name, key, dob, dob.year, sex, address))
        _insert_patients(rows, now, batch)
        with connection.cursor() as cur:
            cur.execute("SELECT MAX(id) FROM patients_patient")
            last_id = cur.fetchone()[0]
            # Links and identifiers derived in SQL from the new ids: no round trips per row.
            cur.execute(
                "INSERT INTO patients_patientfacility (patient_id, facility_id, first_seen) "
                "SELECT id, %s, %s FROM patients_patient WHERE id BETWEEN %s AND %s",
                [facility_id, now, first_id, last_id],
            )
            ident = (
                "'9' || lpad(CAST(id AS TEXT), 11, '0')"
                if connection.vendor == "postgresql"
                else "'9' || substr('00000000000' || id, -11, 11)"
            )
            # {ident} is one of the two constant SQL expressions above, never input.
            sql = "".join(
                [
                    "INSERT INTO patients_patientidentifier (patient_id, kind, value, is_active, ",
                    "added_at) SELECT id, 'id_number', ",
                    ident,
                    ", %s, %s FROM patients_patient WHERE id BETWEEN %s AND %s",
                ]
            )
            cur.execute(sql, [True, now, first_id, last_id])
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE patients_patient")
            cur.execute("ANALYZE patients_patientfacility")
            cur.execute("ANALYZE patients_patientidentifier")
    return time.perf_counter() - started


COLUMNS = (
    "full_name",
    "name_key",
    "date_of_birth",
    "birth_year",
    "dob_precision",
    "sex",
    "address",
    "province_code",
    "ward_code",
    "phone",
    "nationality_code",
    "ethnicity_code",
    "occupation_code",
    "created_at",
    "updated_at",
)


def _full(row, now):
    name, key, dob, year, sex, address = row
    return (name, key, dob, year, "day", sex, address, "24", "", "", "000", "01", "00000", now, now)


def _insert_patients(rows, now, batch: int) -> None:
    if connection.vendor == "postgresql":
        sql = f"COPY patients_patient ({', '.join(COLUMNS)}) FROM STDIN"
        with connection.cursor() as cur:
            raw = cur.cursor if hasattr(cur, "cursor") else cur
            stamp = now.isoformat()
            with raw.copy(sql) as copy:
                # Pre-formatted text lines: the generated values contain no tab or backslash.
                for i in range(0, len(rows), batch):
                    copy.write(
                        "".join(
                            f"{n}\t{k}\t{d.isoformat()}\t{y}\tday\t{s}\t{a}\t24\t\t\t000\t01"
                            f"\t00000\t{stamp}\t{stamp}\n"
                            for n, k, d, y, s, a in rows[i : i + batch]
                        )
                    )
        return
    sql = (
        f"INSERT INTO patients_patient ({', '.join(COLUMNS)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    )
    with connection.cursor() as cur:
        for i in range(0, len(rows), batch):
            cur.executemany(sql, [_full(r, now) for r in rows[i : i + batch]])
