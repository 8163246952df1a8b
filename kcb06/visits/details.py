"""What the desk clerk types for someone a number alone does not identify: full name, date of
birth and sex, read field by field so that a wrong field is named, kept as typed, and explained.

The date is day first as Vietnamese papers print it (15/08/1985, 15-08-1985, 15081985); the
issue form's hidden copy is ISO (1985-08-15). Sex is typed as the clerk says it ("nam", "nữ",
"nu") or as the XML 4750 code (1 = Nam, 2 = Nữ); the hidden copy is "male"/"female".
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

_DATE = re.compile(r"(\d{1,2})\D?(\d{1,2})\D?(\d{4})", re.ASCII)
_DATE_8 = re.compile(r"(\d{2})(\d{2})(\d{4})", re.ASCII)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_SEX = {
    "1": "male",
    "nam": "male",
    "male": "male",
    "2": "female",
    "nữ": "female",
    "nu": "female",
    "nư": "female",
    "female": "female",
}


@dataclass
class TypedDetails:
    """The three fields as typed (`raw_*`, shown back in the form) and as read (`full_name`,
    `date_of_birth`, `sex`, None where unreadable), with one Vietnamese message per bad field."""

    raw_name: str = ""
    raw_dob: str = ""
    raw_sex: str = ""
    full_name: str = ""
    date_of_birth: date | None = None
    sex: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def given(self) -> bool:
        return bool(self.raw_name or self.raw_dob or self.raw_sex)

    @property
    def complete(self) -> bool:
        return bool(self.full_name and self.date_of_birth and self.sex) and not self.errors

    def confirm(self) -> dict:
        return {"full_name": self.full_name, "date_of_birth": self.date_of_birth, "sex": self.sex}


def read_birth_date(text: str) -> tuple[date | None, str]:
    """(date, "") or (None, why in Vietnamese). 31/02/1990 is named as a day that does not
    exist, not as unreadable text."""
    text = (text or "").strip()
    if not text:
        return None, "Hãy nhập ngày sinh (ngày/tháng/năm, ví dụ 15/08/1985)."
    if _ISO.fullmatch(text):
        try:
            return date.fromisoformat(text), ""
        except ValueError:
            pass
    match = _DATE_8.fullmatch(text) or _DATE.fullmatch(text)
    if match is None:
        return (
            None,
            f"Ngày sinh «{text[:20]}» không đọc được: hãy gõ ngày/tháng/năm, ví dụ 15/08/1985.",
        )
    day, month, year = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        return None, f"Ngày sinh {text[:20]}: không có tháng {month}."
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return None, (
            f"Ngày sinh {day:02d}/{month:02d}/{year} không có thật: tháng {month} năm {year} "
            f"chỉ có {last} ngày."
        )
    born = date(year, month, day)
    today = timezone.localdate()
    if born > today:
        return None, f"Ngày sinh {born:%d/%m/%Y} ở sau hôm nay."
    if year < today.year - 130:
        return None, f"Năm sinh {year} không hợp lý (hơn 130 tuổi)."
    return born, ""


def read_sex(text: str) -> tuple[str, str]:
    key = (text or "").strip().lower()
    sex = _SEX.get(key)
    if sex is None:
        return "", "Giới tính: gõ 1 (Nam) hoặc 2 (Nữ)."
    return sex, ""


def read(post) -> TypedDetails:
    """The details as the form sent them (any field may be missing or wrong)."""
    d = TypedDetails(
        raw_name=(post.get("full_name") or "").strip(),
        raw_dob=(post.get("date_of_birth") or "").strip(),
        raw_sex=(post.get("sex") or "").strip(),
    )
    if not d.given:
        return d
    d.full_name = " ".join(d.raw_name.split())
    if not d.full_name:
        d.errors["full_name"] = "Hãy nhập họ và tên (theo giấy tờ)."
    elif any(ch.isdigit() for ch in d.full_name):
        d.errors["full_name"] = "Họ và tên không có chữ số."
    d.date_of_birth, why = read_birth_date(d.raw_dob)
    if why:
        d.errors["date_of_birth"] = why
    d.sex, why = read_sex(d.raw_sex)
    if why:
        d.errors["sex"] = why
    return d
