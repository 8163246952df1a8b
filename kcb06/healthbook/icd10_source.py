"""Reading the Ministry of Health's Vietnamese ICD-10 list (QĐ 4469/QĐ-BYT, Phụ lục 1) and
writing the subset kcb06 ships (kcb06/healthbook/data/icd10_vi.tsv).

The Ministry publishes the list as an Excel workbook: sheet "ICD10", two title rows, then a
header row whose columns include "MÃ BỆNH" (code, with the dagger/asterisk markers † and *) and
"TÊN BỆNH" (Vietnamese name). A three-character category appears twice when it has a marker
(a bare header row, then the coded row "G01*"); the later row is the coded one and wins.
The same layout saved as CSV from Excel is read too, as is our own `code,name_vi` CSV.

No Django here: the CLI (`kcb06 icd10 import`) calls these and then kcb06.healthbook.icd10.
"""

import csv
import io
import unicodedata
from pathlib import Path

from kcb06.errors import DomainError

MINISTRY_CODE = "mã bệnh"
MINISTRY_NAME = "tên bệnh"
SOURCE = (
    "Bộ Y tế, Quyết định 4469/QĐ-BYT ngày 28/10/2020, Phụ lục 1 "
    '"Danh mục mã bệnh theo phân loại quốc tế bệnh tật, nguyên nhân tử vong theo ICD-10"'
)
DATA_FILE = Path(__file__).resolve().parent / "data" / "icd10_vi.tsv"

# Categories whose every code is shipped, beyond the three-character categories themselves:
# what a commune health station or a district outpatient clinic codes most (acute respiratory
# and intestinal infections, the chronic diseases managed in primary care — hypertension,
# diabetes, dyslipidaemia, COPD/asthma — common skin, eye, ear, musculoskeletal, urinary,
# digestive complaints, antenatal care and check-ups).
PRIMARY_CARE = frozenset(
    """
    A01 A02 A03 A04 A06 A08 A09 A15 A16 A90 A91 B01 B02 B05 B08 B15 B16 B17 B18 B19 B35 B36
    B37 B65 B76 B77 B79 B80 B82 B86 D50 D64 E03 E04 E05 E06 E10 E11 E14 E16 E55 E66 E78 E86
    F10 F17 F32 F41 F45 F51 G40 G43 G44 G47 G51 G56 H00 H01 H10 H11 H16 H25 H40 H52 H60 H61
    H65 H66 H81 H91 I10 I11 I12 I20 I21 I25 I48 I49 I50 I63 I64 I69 I80 I83 I84 I95 J00 J01
    J02 J03 J04 J05 J06 J09 J10 J11 J12 J15 J18 J20 J21 J22 J30 J31 J32 J34 J35 J40 J42 J44
    J45 K02 K04 K05 K12 K21 K25 K26 K27 K29 K30 K35 K40 K52 K56 K58 K59 K64 K74 K76 K80 L01
    L02 L03 L08 L20 L21 L23 L24 L25 L28 L29 L30 L40 L50 L70 M06 M10 M13 M15 M16 M17 M19 M25
    M47 M51 M53 M54 M62 M65 M75 M77 M79 M81 N18 N20 N30 N39 N40 N76 N77 N91 N92 N94 N95 O03
    O20 O21 O23 O99 R00 R05 R06 R07 R10 R11 R17 R19 R21 R25 R31 R42 R50 R51 R52 R53 R55 R56
    R63 S00 S01 S05 S09 S30 S40 S50 S60 S70 S80 S90 S93 T14 T15 T30 T63 T78 W54 Z00 Z01 Z02
    Z09 Z20 Z23 Z24 Z25 Z27 Z30 Z32 Z33 Z34 Z35 Z39 Z71 Z72 Z76
    """.split()
)


def _norm_code(raw) -> str:
    """ "G01*" / "A17.0†" / " i10 " -> "G01" / "A17.0" / "I10"."""
    text = str(raw or "").strip().upper()
    for marker in ("†", "*", "+", " "):
        text = text.replace(marker, "")
    if len(text) > 3 and "." not in text:
        text = text[:3] + "." + text[3:]
    return text


def _norm_name(raw) -> str:
    return " ".join(unicodedata.normalize("NFC", str(raw or "")).split())


def _header_key(cell) -> str:
    return " ".join(unicodedata.normalize("NFC", str(cell or "")).split()).lower()


def _columns(header: list) -> tuple[int, int] | None:
    """(code column, name column) of a header row, Ministry's or ours; None if not a header."""
    keys = [_header_key(c) for c in header]
    for code_key, name_key in ((MINISTRY_CODE, MINISTRY_NAME), ("code", "name_vi")):
        if code_key in keys and name_key in keys:
            return keys.index(code_key), keys.index(name_key)
    return None


def _rows_from(table, source: str) -> list[tuple[str, str]]:
    """Rows (code, name) after the header row (looked for in the first 20 rows)."""
    from kcb06.healthbook.icd10 import CODE_RE

    table = iter(table)
    cols = None
    header_line = 0
    while cols is None and header_line < 20:
        header = next(table, None)
        if header is None:
            break
        header_line += 1
        cols = _columns(list(header))
    if cols is None:
        raise DomainError(
            "icd10_header",
            "Không thấy dòng tiêu đề: tệp của Bộ Y tế cần cột “MÃ BỆNH” và “TÊN BỆNH” "
            "(hoặc cột code và name_vi).",
            "No header row with MÃ BỆNH and TÊN BỆNH (or code and name_vi).",
        )
    ci, ni = cols
    found: dict[str, str] = {}
    for lineno, row in enumerate(table, start=header_line + 1):
        row = list(row)
        if not any(str(c or "").strip() for c in row):
            continue
        if len(row) <= max(ci, ni):
            raise DomainError(
                "icd10_row", f"Dòng {lineno}: thiếu cột.", f"{source} line {lineno}: columns."
            )
        code, name = _norm_code(row[ci]), _norm_name(row[ni])
        if not CODE_RE.match(code) or not name:
            raise DomainError(
                "icd10_row",
                f"Dòng {lineno}: mã “{row[ci]}” hoặc tên không hợp lệ.",
                f"Line {lineno}: invalid code {row[ci]!r} or empty name.",
            )
        found[code] = name[:512]  # a repeated code: the later (coded) row wins
    return list(found.items())


def _xlsx_rows(raw: bytes):
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's file
        raise DomainError(
            "icd10_xlsx", f"Không đọc được tệp Excel: {exc}.", f"Unreadable workbook: {exc}."
        ) from None
    sheet = book["ICD10"] if "ICD10" in book.sheetnames else book.worksheets[0]
    return sheet.iter_rows(values_only=True)


def parse_ministry(raw: bytes) -> list[tuple[str, str]]:
    """(code, Vietnamese name) rows of the Ministry's workbook (.xlsx) or a CSV of it."""
    if raw[:2] == b"PK":
        return _rows_from(_xlsx_rows(raw), "xlsx")
    from kcb06.healthbook.icd10 import decode_csv

    text = decode_csv(raw).replace("\x00", "")
    lines = text.splitlines()
    head = next((ln for ln in lines[:20] if "," in ln or ";" in ln), "")
    delimiter = ";" if head.count(";") > head.count(",") else ","
    try:
        return _rows_from(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), "csv")
    except csv.Error as exc:
        raise DomainError(
            "icd10_csv", f"Tệp CSV không đọc được: {exc}.", f"Unreadable CSV: {exc}."
        ) from None


def shipped_subset(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Every three-character category, and every code of the PRIMARY_CARE categories."""
    return sorted((c, n) for c, n in rows if len(c) == 3 or c[:3] in PRIMARY_CARE)


def write_data_file(rows: list[tuple[str, str]], path: Path, source_name: str) -> int:
    """Write our TSV (header comment naming the source, then `code<TAB>name_vi`)."""
    subset = shipped_subset(rows)
    lines = [
        "# Vietnamese ICD-10 names shipped with kcb06 (kcb06.healthbook.icd10 reads this file).",
        f"# Source: {SOURCE}.",
        f"# Produced by: kcb06 icd10 import {source_name} --extract <this file>",
        "# Content: every three-character category, and every code of the primary-care",
        "# categories in kcb06.healthbook.icd10_source.PRIMARY_CARE. Names as published.",
        "code\tname_vi",
        *(f"{c}\t{n}" for c, n in subset),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(subset)


def read_data_file(path: Path = DATA_FILE) -> dict[str, str]:
    out: dict[str, str] = {}
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("code\t"):
            continue
        code, _, name = line.partition("\t")
        if code and name:
            out[code] = name
    return out
