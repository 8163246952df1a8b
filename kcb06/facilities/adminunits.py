"""Administrative units in force since 1 July 2025: 34 provinces, wards, no district level.

Province codes follow QĐ 19/2025/QĐ-TTg (docs/specs/admin-units.md#provinces-from-1-july-2025).
Wards come from the offline dataset
of the `vietnamadminunits` package; nothing here calls an online geocoder.
"""

import sqlite3
from functools import lru_cache
from importlib import resources

from kcb06.identity import PROVINCE_CODES_2025

# The 34 provinces' codes and names live in kcb06.identity (Django-free, used by the parsers).
PROVINCES_2025: dict[str, str] = dict(PROVINCE_CODES_2025)


def province_name(code: str) -> str:
    return PROVINCES_2025.get(code or "", "")


@lru_cache(maxsize=1)
def _dataset_path() -> str:
    return str(resources.files("vietnamadminunits") / "data" / "dataset.db")


@lru_cache(maxsize=64)
def wards_of(province_code: str) -> list[tuple[str, str]]:
    """(ward_code, ward_name) of one province since 2025, from the package's offline dataset."""
    con = sqlite3.connect(f"file:{_dataset_path()}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "select distinct wardCode, ward from admin_units where provinceCode = ? order by ward",
            (province_code,),
        ).fetchall()
    finally:
        con.close()
    return [(str(code), name) for code, name in rows]


def ward_name(province_code: str, ward_code: str) -> str | None:
    return dict(wards_of(province_code)).get(ward_code)
