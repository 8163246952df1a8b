"""The front door of the catalogues: the row valid on a date, search, import (preview, then
confirm in one audited transaction), export to XLSX.

Import is a whole catalogue at a time: the file is what the facility's catalogue becomes.
Against the current catalogue a row of the file is *added* (a new item or a new validity
period), *changed* (same item and start date, other values) or unchanged; a current row (valid
today or later) missing from the file is *retired*: it ends yesterday (or, never used because
it starts later, is removed). Rows that ended before today stay as history.
"""

import io
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kcb06.audit.services import Action, record
from kcb06.catalogue import models, parsing
from kcb06.catalogue.columns import CATALOGUES, Catalogue
from kcb06.catalogue.text import fold
from kcb06.errors import DomainError, Forbidden, NotFound
from kcb06.facilities.models import Role

MODELS = {
    "drugs": models.Drug,
    "services": models.Service,
    "supplies": models.Supply,
    "staff": models.Staff,
    "departments": models.DepartmentEntry,
    "beds": models.Bed,
}
SEARCH_FIELDS = ("code", "name", "strength", "registration")


def catalogue_of(slug: str) -> Catalogue:
    if slug not in CATALOGUES:
        raise NotFound("catalogue_unknown", "Không có danh mục này.", "Unknown catalogue.")
    return CATALOGUES[slug]


def _require_admin(principal) -> int:
    if (
        principal is None
        or not principal.has_role(Role.FACILITY_ADMIN)
        or not principal.facility_id
    ):
        raise Forbidden(
            "forbidden_role",
            "Chỉ quản trị cơ sở được nhập, xuất danh mục.",
            "Only a facility admin manages catalogues.",
        )
    return principal.facility_id


# ---------------------------------------------------------------------------- reading


def parse_day(text) -> date | None:
    """A yyyy-mm-dd date from a query string, None when empty."""
    if not text:
        return None
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        raise DomainError("bad_date", "Ngày không hợp lệ.", "Invalid date.") from None


def valid_on(facility_id: int, slug: str, on: date):
    """The rows of a catalogue valid on `on` (TU_NGAY <= on <= DEN_NGAY)."""
    return MODELS[catalogue_of(slug).slug].objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on), facility_id=facility_id, valid_from__lte=on
    )


def row_on(facility_id: int, slug: str, on: date, *, item_id: int | None = None, code: str = ""):
    """The row valid on `on` of the item the clinician picked (`item_id`: any row of that item,
    e.g. today's row picked while correcting an older visit) or of the item with `code`
    (a code shared by several products: the first by name). None when none is valid then."""
    qs = valid_on(facility_id, slug, on)
    if item_id is not None:
        picked = MODELS[slug].objects.filter(pk=item_id, facility_id=facility_id).first()
        if picked is None:
            return None
        qs = qs.filter(key=picked.key)
    elif code:
        qs = qs.filter(code=code)
    else:
        return None
    return qs.order_by("-valid_from", "name").first()


def has_rows(facility_id: int, slug: str) -> bool:
    return MODELS[slug].objects.filter(facility_id=facility_id).exists()


# Search index per (facility, catalogue) in this process: (stamp, entries). A catalogue changes
# only through an applied ImportBatch (an import, or the demo seed, which records one too), so
# the newest applied batch tells whether the copy is current; INDEX_SECONDS bounds the age of a
# copy should rows be changed by hand (Django shell, SQL).
_INDEX: dict[tuple[int, str], tuple[tuple, list[tuple]]] = {}
INDEX_SECONDS = 300


def _entries(facility_id: int, slug: str) -> list[tuple]:
    """(pk, code lowered, folded text, name, valid_from, valid_to) of every row."""
    newest = (
        models.ImportBatch.objects.filter(
            facility_id=facility_id, catalogue=slug, state=models.ImportBatch.APPLIED
        )
        .order_by("-pk")
        .values_list("pk", "applied_at")  # the time too: SQLite may reuse a rolled-back id
        .first()
    )
    now = time.monotonic()
    cached = _INDEX.get((facility_id, slug))
    if cached is not None and cached[0][0] == newest and now - cached[0][1] < INDEX_SECONDS:
        return cached[1]
    rows = MODELS[slug].objects.filter(facility_id=facility_id)
    entries = [
        (pk, code.lower(), folded, name, start, end)
        for pk, code, folded, name, start, end in rows.values_list(
            "pk", "code", "folded", "name", "valid_from", "valid_to"
        )
    ]
    _INDEX[(facility_id, slug)] = ((newest, now), entries)
    return entries


def search(facility_id: int, slug: str, query: str, on: date | None = None, limit: int = 15):
    """Rows valid on `on` (today) whose code starts with the query or whose name (and strength,
    registration) contains every word of it, with or without diacritics; when nothing matches,
    the closest by rapidfuzz (a typo: "paracetamon"). Matching runs over this process's copy
    of the catalogue's search text (a catalogue is thousands of rows, not millions), then one
    query fetches the rows found."""
    on = on or timezone.localdate()
    words = fold(query).split()[:8]
    if not words:
        return []
    code = query.strip().lower()
    valid = [
        e
        for e in _entries(facility_id, catalogue_of(slug).slug)
        if e[4] <= on and (e[5] is None or e[5] >= on)
    ]
    hits = []
    if any(ch.isalpha() for ch in code):  # words; a query of digits and dots is a code
        longest = max(words, key=len)  # one substring test per row, the rest on the few left
        hits = [e for e in valid if longest in e[2]]
        hits = [e for e in hits if all(w in e[2] for w in words)]
    if any(ch.isdigit() for ch in code):
        seen = {e[0] for e in hits}
        hits += [e for e in valid if e[1].startswith(code) and e[0] not in seen]
    if hits:
        # Code matches first, then names that start with the first word, then by name.
        hits.sort(key=lambda e: (not e[1].startswith(code), not e[2].startswith(words[0]), e[3]))
        ids = [e[0] for e in hits[:limit]]
    else:
        from rapidfuzz import fuzz, process

        best = process.extract(
            " ".join(words),
            [e[2] for e in valid],
            scorer=fuzz.partial_ratio,
            limit=limit,
            score_cutoff=80,
        )
        ids = [valid[index][0] for _text, _score, index in best]
    found = MODELS[slug].objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def counts(facility_id: int, on: date | None = None) -> dict[str, dict]:
    on = on or timezone.localdate()
    return {
        slug: {
            "catalogue": c,
            "total": MODELS[slug].objects.filter(facility_id=facility_id).count(),
            "valid": valid_on(facility_id, slug, on).count(),
        }
        for slug, c in CATALOGUES.items()
    }


# ---------------------------------------------------------------------------- import


def _values(catalogue: Catalogue, row) -> dict:
    return {f: getattr(row, f) for f in catalogue.fields}


def _same(a, b) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return a is not None and b is not None and Decimal(a) == Decimal(b)
    return (a or "") == (b or "") if not isinstance(a, int | date) else a == b


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return f"{value.normalize():,f}".replace(",", ".")
    return str(value)


def _cells(catalogue: Catalogue, get) -> dict:
    """A row as the preview shows it: code, name, and every column's text in column order."""
    return {
        "code": _shown(get("code")),
        "name": _shown(get("name")),
        "cells": [_shown(get(c.field)) for c in catalogue.columns],
    }


def compute_diff(facility_id: int, catalogue: Catalogue, rows: list[dict], today=None) -> dict:
    """added / changed / retired against the current catalogue; JSON-ready for the page."""
    today = today or timezone.localdate()
    existing = {
        (r.key, r.valid_from): r
        for r in MODELS[catalogue.slug].objects.filter(facility_id=facility_id)
    }
    added, changed, seen = [], [], set()
    for values in rows:
        k = (parsing.item_key(catalogue, values), values["valid_from"])
        seen.add(k)
        old = existing.get(k)
        shown = _cells(catalogue, values.get)
        if old is None:
            added.append({"row": values.get("_row"), **shown})
            continue
        fields = [
            {
                "column": c.name,
                "before": _shown(getattr(old, c.field)),
                "after": _shown(values.get(c.field)),
            }
            for c in catalogue.columns
            if not _same(getattr(old, c.field), values.get(c.field))
        ]
        if fields:
            changed.append({"row": values.get("_row"), "id": old.pk, **shown, "fields": fields})
    retired = [
        {"id": r.pk, **_cells(catalogue, lambda f, r=r: getattr(r, f))}
        for k, r in sorted(existing.items(), key=lambda kv: (kv[1].code, kv[1].valid_from))
        if k not in seen and (r.valid_to is None or r.valid_to >= today)
    ]
    return {
        "added": added,
        "changed": changed,
        "retired": retired,
        "unchanged": len(rows) - len(added) - len(changed),
    }


@dataclass
class Preview:
    batch: models.ImportBatch | None
    errors: list[parsing.RowError] = field(default_factory=list)

    @property
    def diff(self) -> dict:
        return self.batch.diff if self.batch else {}


def preview_import(principal, slug: str, filename: str, content: bytes) -> Preview:
    """Parse a file and compare it with the current catalogue; nothing changes until `confirm`.
    A file error raises DomainError; row errors come back (and no batch) so every bad row is
    shown at once."""
    facility_id = _require_admin(principal)
    catalogue = catalogue_of(slug)
    try:
        parsed = parsing.parse_file(catalogue, filename, content)
    except parsing.CatalogueFileError as exc:
        raise DomainError(exc.code, exc.message_vi, exc.message_en, status=422) from None
    if parsed.errors:
        return Preview(None, parsed.errors)
    if not parsed.rows:
        raise DomainError(
            "file_empty", "Tệp không có dòng dữ liệu nào.", "The file has no rows.", status=422
        )
    diff = compute_diff(facility_id, catalogue, parsed.rows)
    batch = models.ImportBatch.objects.create(
        facility_id=facility_id,
        catalogue=slug,
        filename=(filename or "")[-255:],
        rows=[parsing.to_json(r) for r in parsed.rows],
        diff=diff,
        uploaded_by=principal.user,
    )
    return Preview(batch)


def pending_batch(principal, batch_id: int) -> models.ImportBatch:
    facility_id = _require_admin(principal)
    batch = models.ImportBatch.objects.filter(pk=batch_id, facility_id=facility_id).first()
    if batch is None:
        raise NotFound("batch_not_found", "Không tìm thấy lần nhập này.", "Import not found.")
    return batch


def _row_fields(catalogue: Catalogue, values: dict) -> dict:
    clean = {f: values.get(f) for f in catalogue.fields}
    clean["key"] = parsing.item_key(catalogue, values)
    clean["folded"] = fold(" ".join(str(values.get(f) or "") for f in SEARCH_FIELDS))[:2048]
    return clean


def confirm(principal, batch_id: int) -> dict:
    """Apply a previewed import in one transaction, audited. Refused when the catalogue
    changed since the preview (another import): the admin previews again."""
    facility_id = _require_admin(principal)
    with transaction.atomic():
        batch = (
            models.ImportBatch.objects.select_for_update()
            .filter(pk=batch_id, facility_id=facility_id)
            .first()
        )
        if batch is None:
            raise NotFound("batch_not_found", "Không tìm thấy lần nhập này.", "Import not found.")
        if batch.state != models.ImportBatch.PENDING:
            raise DomainError(
                "batch_done",
                "Lần nhập này đã được áp dụng hoặc đã hủy.",
                "This import was already applied or discarded.",
                status=409,
            )
        catalogue = catalogue_of(batch.catalogue)
        model = MODELS[catalogue.slug]
        # Serialise imports of one facility's catalogue: lock its rows while diffing.
        list(model.objects.select_for_update().filter(facility_id=facility_id).values_list("pk"))
        rows = [parsing.from_json(catalogue, r) for r in batch.rows]
        diff = compute_diff(facility_id, catalogue, rows)
        if _summary(diff) != _summary(batch.diff) or diff != batch.diff:
            raise DomainError(
                "catalogue_changed",
                "Danh mục đã thay đổi sau khi xem trước (có lần nhập khác). Hãy tải tệp lên và "
                "xem lại thay đổi trước khi xác nhận.",
                "The catalogue changed since the preview; upload the file again.",
                status=409,
            )
        today = timezone.localdate()
        changed_ids = {c["id"]: c for c in diff["changed"]}
        by_key = {(parsing.item_key(catalogue, r), r["valid_from"]): r for r in rows}
        existing = {(r.key, r.valid_from): r for r in model.objects.filter(facility_id=facility_id)}
        new = []
        for k, values in by_key.items():
            old = existing.get(k)
            if old is None:
                new.append(
                    model(facility_id=facility_id, batch=batch, **_row_fields(catalogue, values))
                )
            elif old.pk in changed_ids:
                for f, v in _row_fields(catalogue, values).items():
                    setattr(old, f, v)
                old.batch = batch
                old.save()
        model.objects.bulk_create(new)
        for item in diff["retired"]:
            row = model.objects.get(pk=item["id"])
            end = today - timedelta(days=1)
            if row.valid_from > end:
                row.delete()
            else:
                row.valid_to = end
                row.batch = batch
                row.save(update_fields=["valid_to", "batch"])
        batch.state = models.ImportBatch.APPLIED
        batch.applied_by = principal.user
        batch.applied_at = timezone.now()
        batch.save(update_fields=["state", "applied_by", "applied_at"])
        summary = _summary(diff)
        record(
            principal,
            Action.UPDATE,
            object_type=f"catalogue_{catalogue.slug}",
            object_id=batch.pk,
            detail={"file": batch.filename, **summary},
        )
    return summary


def _summary(diff: dict) -> dict:
    return {
        "added": len(diff.get("added", [])),
        "changed": len(diff.get("changed", [])),
        "retired": len(diff.get("retired", [])),
        "unchanged": diff.get("unchanged", 0),
    }


def discard(principal, batch_id: int) -> None:
    batch = pending_batch(principal, batch_id)
    if batch.state == models.ImportBatch.PENDING:
        batch.state = models.ImportBatch.DISCARDED
        batch.rows = []
        batch.save(update_fields=["state", "rows"])


# ---------------------------------------------------------------------------- export


def export_rows(facility_id: int, slug: str) -> list[list]:
    catalogue = catalogue_of(slug)
    out: list[list] = [[c.name for c in catalogue.columns]]
    for row in (
        MODELS[slug].objects.filter(facility_id=facility_id).order_by("code", "key", "valid_from")
    ):
        line = []
        for c in catalogue.columns:
            v = getattr(row, c.field)
            if c.kind == "date":
                v = v.strftime("%Y%m%d") if v else ""
            elif c.kind == "price":
                v = int(v) if v == v.to_integral_value() else float(v)
            line.append("" if v is None else v)
        out.append(line)
    return out


def export_xlsx(principal, slug: str) -> bytes:
    """The whole catalogue (history included) as XLSX with the import's own column names, so an
    exported file imports back with no change. Audited as an export."""
    facility_id = _require_admin(principal)
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = catalogue_of(slug).label[:31]
    for line in export_rows(facility_id, slug):
        sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    record(principal, Action.EXPORT, object_type=f"catalogue_{slug}", detail={"format": "xlsx"})
    return buffer.getvalue()


def seed_rows(facility_id: int, slug: str, rows: list[dict]) -> int:
    """Write clean rows straight in (the demo's own catalogue; no admin, no preview). Rows
    already there (same item and start date) are left alone."""
    catalogue = catalogue_of(slug)
    model = MODELS[slug]
    have = set(model.objects.filter(facility_id=facility_id).values_list("key", "valid_from"))
    fresh = [r for r in rows if (parsing.item_key(catalogue, r), r["valid_from"]) not in have]
    if not fresh:
        return 0
    batch = models.ImportBatch.objects.create(
        facility_id=facility_id,
        catalogue=slug,
        filename="(dữ liệu mẫu)",
        state=models.ImportBatch.APPLIED,
        applied_at=timezone.now(),
    )
    model.objects.bulk_create(
        [model(facility_id=facility_id, batch=batch, **_row_fields(catalogue, r)) for r in fresh]
    )
    return len(fresh)
