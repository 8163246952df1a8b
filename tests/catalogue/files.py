"""Catalogue spreadsheets made in the test, as a facility would keep them."""

import csv as _csv
import io

import openpyxl

DRUG_HEADER = [
    "MA_THUOC", "TEN_THUOC", "HAM_LUONG", "DUONG_DUNG", "DON_VI_TINH", "SO_DANG_KY",
    "TT_THAU", "DON_GIA", "PHAM_VI", "MA_NHOM", "TU_NGAY", "DEN_NGAY",
]  # fmt: skip
TENDER = "1021/QĐ-SYT;G1;N4;2026"


def drug(code, name, price, start="20260101", end="", strength="500mg", reg=None, tender=TENDER):
    return [
        code,
        name,
        strength,
        "1.01",
        "Viên",
        reg or f"VD-{code}",
        tender,
        price,
        1,
        4,
        start,
        end,
    ]


def xlsx(header, rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv(header, rows, sep=",") -> bytes:
    out = io.StringIO()
    writer = _csv.writer(out, delimiter=sep, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()
