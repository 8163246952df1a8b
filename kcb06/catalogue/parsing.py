"""Reading a catalogue spreadsheet (XLSX or CSV) into clean rows, with a Vietnamese and an
English message per bad cell. Pure Python (no Django): fuzzed with hypothesis.

- `read_table(filename, content)` -> header and rows of cell values;
- `map_headers(catalogue, header)` -> which column holds which field (missing ones: an error);
- `parse_row(catalogue, raw)` -> (clean values, errors) for one row, never raises;
- `parse_file(catalogue, filename, content)` -> ParsedFile: clean rows and every row error,
  including duplicates and overlapping validity periods of one item.
"""

import csv
import io
import itertools
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from kcb06.catalogue.columns import Catalogue, Column
from kcb06.catalogue.text import fold

MAX_ROWS = 20_000
MAX_PRICE = Decimal("1000000000000")  # 10^12 VND: more is a typo
CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._\-/]*")
BED = re.compile(r"[HTCK]\d{3}")
YEAR = re.compile(r"(19|20)\d\d")
GROUPS = range(1, 19)  # MA_NHOM 1..18 (QĐ 4750, Phụ lục 5 "Mã nhóm theo chi phí")
NO_TENDER_GROUPS = {7, 17}  # QĐ 4750 Bảng 2: TT_THAU required except MA_NHOM 7 and 17


class CatalogueFileError(Exception):
    """The whole file cannot be read (not XLSX/CSV, no header, required columns missing)."""

    def __init__(self, code: str, message_vi: str, message_en: str):
        super().__init__(message_en)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number (header = 1)
    column: str
    message_vi: str
    message_en: str


@dataclass
class ParsedFile:
    rows: list[dict] = field(default_factory=list)  # clean values, each with "_row"
    errors: list[RowError] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # field -> header found


# ---------------------------------------------------------------------------- reading a file


def read_table(filename: str, content: bytes) -> tuple[list, list[list]]:
    name = (filename or "").lower()
    if content[:4] == b"PK\x03\x04" or name.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(content)
    if name.endswith((".csv", ".txt")) or not name:
        return _read_csv(content)
    raise CatalogueFileError(
        "file_type",
        "Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv).",
        "Only .xlsx or .csv files are accepted.",
    )


def _read_xlsx(content: bytes) -> tuple[list, list[list]]:
    """The first sheet's values. python-calamine (Rust) reads a 20,000-row catalogue ~10×
    faster than openpyxl; openpyxl stays the fallback when it is not installed."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        return _read_xlsx_openpyxl(content)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:
        raise _unreadable() from None
    return _split_header([[None if v == "" else v for v in row] for row in rows[: MAX_ROWS + 2]])


def _unreadable() -> "CatalogueFileError":
    return CatalogueFileError(
        "file_unreadable",
        "Không đọc được tệp Excel: tệp hỏng hoặc không phải .xlsx.",
        "The Excel file cannot be read.",
    )


def _read_xlsx_openpyxl(content: bytes) -> tuple[list, list[list]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise _unreadable() from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(list(values))
            if len(rows) > MAX_ROWS + 1:
                break
    finally:
        book.close()
    return _split_header(rows)


def decoded(content: bytes) -> str | None:
    """A CSV file's text as offices here save it: UTF-8 (with or without BOM), else
    Windows-1258, the Vietnamese Windows code page; None when neither reads it."""
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _decode(content: bytes) -> str:
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode text"
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    text = decoded(content)
    if text is not None:
        return text
    raise CatalogueFileError(
        "file_encoding",
        "Tệp CSV phải mã hóa UTF-8 (hoặc Windows-1258).",
        "CSV must be UTF-8 or Windows-1258.",
    )


def _read_csv(content: bytes) -> tuple[list, list[list]]:
    text = _decode(content)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        rows = list(itertools.islice(reader, MAX_ROWS + 2))
    except csv.Error:
        raise CatalogueFileError(
            "file_unreadable", "Không đọc được tệp CSV.", "The CSV file cannot be read."
        ) from None
    return _split_header(rows)


def _split_header(rows: list[list]) -> tuple[list, list[list]]:
    rows = [r for r in rows if any(v not in (None, "") and str(v).strip() for v in r)]
    if not rows:
        raise CatalogueFileError("file_empty", "Tệp không có dữ liệu.", "The file is empty.")
    if len(rows) > MAX_ROWS + 1:
        raise CatalogueFileError(
            "file_too_long",
            f"Tệp có quá nhiều dòng: tối đa {MAX_ROWS:,} dòng.".replace(",", "."),
            f"At most {MAX_ROWS} rows.",
        )
    return rows[0], rows[1:]


def map_headers(catalogue: Catalogue, header: list) -> dict[str, int]:
    """field -> column index; a header matches a column's name or one of its aliases."""
    folded = [fold(str(h or "")) for h in header]
    found: dict[str, int] = {}
    for column in catalogue.columns:
        names = {fold(column.name), *column.aliases}
        for index, text in enumerate(folded):
            if text in names and index not in found.values():
                found[column.field] = index
                break
    missing = [c.name for c in catalogue.columns if c.required and c.field not in found]
    if missing:
        raise CatalogueFileError(
            "columns_missing",
            f"Tệp danh mục {catalogue.label.lower()} thiếu cột: {', '.join(missing)}. "
            f"Dòng đầu tiên phải là tên cột (ví dụ: "
            f"{', '.join(c.name for c in catalogue.columns)}).",
            f"Missing columns: {', '.join(missing)}.",
        )
    return found


# ---------------------------------------------------------------------------- one cell


class _Bad(Exception):
    def __init__(self, vi: str, en: str):
        self.vi, self.en = vi, en


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def parse_price(value) -> Decimal:
    if isinstance(value, bool):
        raise _Bad("phải là số", "must be a number")
    if isinstance(value, int | float | Decimal):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise _Bad("phải là số", "must be a number") from None
    else:
        text = _text(value).replace(" ", "").replace("đ", "").replace("VND", "")
        if "." in text and "," in text:  # 1.234,5 or 1,234.5: the last one is the decimal mark
            thousands = "." if text.rfind(",") > text.rfind(".") else ","
            text = text.replace(thousands, "").replace(",", ".")
        elif re.fullmatch(r"-?[1-9]\d{0,2}([.,]\d{3})+", text):  # 1.200 / 1,200: thousands
            text = text.replace(".", "").replace(",", "")
        else:
            text = text.replace(",", ".")
        if not re.fullmatch(r"-?\d+(\.\d+)?", text):
            raise _Bad("phải là số", "must be a number")
        number = Decimal(text)
    if not number.is_finite():
        raise _Bad("phải là số", "must be a number")
    if number < 0:
        raise _Bad("không được âm", "must not be negative")
    if number > MAX_PRICE:
        raise _Bad("quá lớn", "too large")
    return number.quantize(Decimal("0.001"))


def parse_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern, order in (
        (r"(\d{4})(\d{2})(\d{2})(\d{4})?", "ymd"),  # 20240101 or 202401010000 (XML style)
        (r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd"),
        (r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", "dmy"),
    ):
        m = re.fullmatch(pattern, text)
        if m:
            a, b, c = (int(x) for x in m.groups()[:3])
            y, mo, d = (a, b, c) if order == "ymd" else (c, b, a)
            try:
                if not 1900 <= y <= 2200:
                    raise ValueError
                return date(y, mo, d)
            except ValueError:
                raise _Bad("không phải ngày có thật", "is not a real date") from None
    raise _Bad(
        "phải là ngày dạng yyyymmdd hoặc dd/mm/yyyy", "must be a date (yyyymmdd or dd/mm/yyyy)"
    )


def parse_tender(text: str) -> str:
    """TT_THAU "decision;package;group;year" (QĐ 4750 Bảng 2/3), several tenders continuing
    with ";": no empty part, a four-digit year as the fourth, at most 50 characters."""
    parts = text.split(";")
    if len(parts) < 4 or any(not p.strip() for p in parts) or not YEAR.fullmatch(parts[3].strip()):
        raise _Bad(
            "phải dạng “số quyết định;gói thầu;nhóm thầu;năm” (ví dụ 123/QĐ-SYT;G1;N4;2024)",
            'must be "decision;package;group;year"',
        )
    return ";".join(p.strip() for p in parts)


def _cell(column: Column, value):
    if column.kind == "date":
        return parse_date(value) if _text(value) else None
    if column.kind == "price":
        return parse_price(value) if _text(value) else None
    text = _text(value)
    if not text:
        return None
    if len(text) > column.max_length:
        raise _Bad(f"dài quá {column.max_length} ký tự", f"longer than {column.max_length}")
    if column.kind == "code":
        if not CODE.fullmatch(text):
            raise _Bad(
                "chỉ gồm chữ, số và . _ - / (không dấu cách)",
                "letters, digits and . _ - / only",
            )
    elif column.kind == "bed":
        codes = text.upper().split(";")
        if not all(BED.fullmatch(c) for c in codes):
            raise _Bad(
                "phải là H, T, C hoặc K và 3 chữ số (ví dụ H001)",
                "must be H/T/C/K and 3 digits",
            )
        text = ";".join(codes)
    elif column.kind in ("group", "scope"):
        allowed = GROUPS if column.kind == "group" else (1, 2, 3)
        if not text.isdigit() or int(text) not in allowed:
            lo, hi = allowed[0], allowed[-1]
            raise _Bad(f"phải là số từ {lo} đến {hi}", f"must be {lo}..{hi}")
        return int(text)
    elif column.kind == "tender":
        return parse_tender(text)
    return text


def parse_row(catalogue: Catalogue, raw: dict, row: int = 0) -> tuple[dict | None, list[RowError]]:
    """One row's values by field -> (clean values, []) or (None, errors). Never raises."""
    clean: dict = {}
    errors: list[RowError] = []
    for column in catalogue.columns:
        try:
            value = _cell(column, raw.get(column.field))
        except _Bad as bad:
            shown = _text(raw.get(column.field))[:40]
            errors.append(
                RowError(
                    row,
                    column.name,
                    f"Dòng {row}, cột {column.name} ({column.label}): “{shown}” {bad.vi}.",
                    f"Row {row}, {column.name}: {bad.en}.",
                )
            )
            continue
        if value is None and column.required:
            errors.append(
                RowError(
                    row,
                    column.name,
                    f"Dòng {row}: thiếu {column.label.lower()} ({column.name}).",
                    f"Row {row}: {column.name} is required.",
                )
            )
        clean[column.field] = value
    if errors:
        return None, errors
    if "group" in clean and clean["group"] is None and catalogue.default_group:
        clean["group"] = catalogue.default_group
    if "scope" in clean and clean["scope"] is None:
        clean["scope"] = 1
    if catalogue.slug == "beds" and not clean.get("name"):
        clean["name"] = clean["code"]
    for key in (
        "strength",
        "route",
        "unit",
        "tender",
        "certificate",
        "practice_scope",
        "department",
    ):
        if key in clean and clean[key] is None:
            clean[key] = ""
    if catalogue.slug == "drugs" and not clean["tender"] and clean["group"] not in NO_TENDER_GROUPS:
        errors.append(
            RowError(
                row,
                "TT_THAU",
                f"Dòng {row}: thiếu thông tin thầu (TT_THAU); chỉ thuốc nhóm 7 và 17 được để trống.",
                f"Row {row}: TT_THAU is required except for MA_NHOM 7 and 17.",
            )
        )
    if clean["valid_to"] is not None and clean["valid_to"] < clean["valid_from"]:
        errors.append(
            RowError(
                row,
                "DEN_NGAY",
                f"Dòng {row}: ngày hết hiệu lực (DEN_NGAY) trước ngày bắt đầu (TU_NGAY).",
                f"Row {row}: DEN_NGAY is before TU_NGAY.",
            )
        )
    return (None, errors) if errors else (clean, [])


def item_key(catalogue: Catalogue, values: dict) -> str:
    """What identifies one item across its validity periods (drugs: code, registration and
    tender; supplies: code and tender; others: the code)."""
    return "|".join(str(values.get(f) or "") for f in catalogue.key_fields)


def parse_file(catalogue: Catalogue, filename: str, content: bytes) -> ParsedFile:
    header, rows = read_table(filename, content)
    columns = map_headers(catalogue, header)
    parsed = ParsedFile(columns={f: _text(header[i]) for f, i in columns.items()})
    periods: dict[str, list[tuple[date, date | None, int]]] = {}
    for number, values in enumerate(rows, start=2):
        raw = {f: (values[i] if i < len(values) else None) for f, i in columns.items()}
        clean, errors = parse_row(catalogue, raw, number)
        parsed.errors.extend(errors)
        if clean is None:
            continue
        key = item_key(catalogue, clean)
        start, end = clean["valid_from"], clean["valid_to"]
        clash = next(
            (
                other
                for s, e, other in periods.get(key, [])
                if (e is None or start <= e) and (end is None or s <= end)
            ),
            None,
        )
        if clash is not None:
            same = any(s == start for s, _, o in periods[key] if o == clash)
            parsed.errors.append(
                RowError(
                    number,
                    catalogue.columns[0].name,
                    f"Dòng {number}: trùng với dòng {clash} "
                    + (
                        "(cùng mã và cùng ngày bắt đầu)."
                        if same
                        else "(cùng mã, thời gian hiệu lực chồng nhau)."
                    ),
                    f"Row {number}: duplicates row {clash} (same item, overlapping dates).",
                )
            )
            continue
        periods.setdefault(key, []).append((start, end, number))
        clean["_row"] = number
        parsed.rows.append(clean)
    return parsed


def to_json(values: dict) -> dict:
    return {
        k: (v.isoformat() if isinstance(v, date) else str(v) if isinstance(v, Decimal) else v)
        for k, v in values.items()
    }


def from_json(catalogue: Catalogue, values: dict) -> dict:
    out = dict(values)
    for column in catalogue.columns:
        v = out.get(column.field)
        if v is None:
            continue
        if column.kind == "date":
            out[column.field] = date.fromisoformat(v)
        elif column.kind == "price":
            out[column.field] = Decimal(v)
    return out
