"""Administrative units in force since 1 July 2025: 34 provinces, wards, no district level.

Province codes follow QĐ 19/2025/QĐ-TTg (SPECS.md §7.1). Wards come from the offline dataset
of the `vietnamadminunits` package; nothing here calls an online geocoder.
"""

import sqlite3
from functools import lru_cache
from importlib import resources

PROVINCES_2025: dict[str, str] = {
    "01": "Thành phố Hà Nội",
    "04": "Cao Bằng",
    "08": "Tuyên Quang",
    "11": "Điện Biên",
    "12": "Lai Châu",
    "14": "Sơn La",
    "15": "Lào Cai",
    "19": "Thái Nguyên",
    "20": "Lạng Sơn",
    "22": "Quảng Ninh",
    "24": "Bắc Ninh",
    "25": "Phú Thọ",
    "31": "Thành phố Hải Phòng",
    "33": "Hưng Yên",
    "37": "Ninh Bình",
    "38": "Thanh Hóa",
    "40": "Nghệ An",
    "42": "Hà Tĩnh",
    "44": "Quảng Trị",
    "46": "Thành phố Huế",
    "48": "Thành phố Đà Nẵng",
    "51": "Quảng Ngãi",
    "52": "Gia Lai",
    "56": "Khánh Hòa",
    "66": "Đắk Lắk",
    "68": "Lâm Đồng",
    "75": "Đồng Nai",
    "79": "Thành phố Hồ Chí Minh",
    "80": "Tây Ninh",
    "82": "Đồng Tháp",
    "86": "Vĩnh Long",
    "91": "An Giang",
    "92": "Thành phố Cần Thơ",
    "96": "Cà Mau",
}


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
