"""Bank statements to download, in two synthetic layouts modelled on the shape of common
Vietnamese bank exports (title lines, then a header row). Its own code: banksim imports
nothing from kcb06; the column names match what kcb06's shipped layouts expect."""

import csv
import io
from datetime import datetime, timedelta, timezone

VN = timezone(timedelta(hours=7))

LAYOUTS = {
    "vcb": {
        "title": ["SAO KÊ TÀI KHOẢN", "Ngân hàng giả lập (banksim)"],
        "header": [
            "STT",
            "Ngày giao dịch",
            "Số tham chiếu",
            "Số tiền ghi nợ",
            "Số tiền ghi có",
            "Mô tả",
        ],  # fmt: skip
        "date": "%d/%m/%Y %H:%M:%S",
        "amount": lambda n: f"{n:,}".replace(",", "."),
    },
    "tcb": {
        "title": ["ACCOUNT STATEMENT", "banksim"],
        "header": ["No.", "Transaction Date", "Reference No", "Debit", "Credit", "Description"],
        "date": "%Y-%m-%d",
        "amount": lambda n: f"{n:,}",
    },
}


def statement_rows(transactions: list[dict], day: str, layout: str) -> list[list]:
    """Title lines, header, then one credit line per transfer booked on `day` (local time,
    yyyy-mm-dd), lost notifications included: the statement is the bank's own record."""
    spec = LAYOUTS[layout]
    rows = [[t] for t in spec["title"]] + [[], spec["header"]]
    n = 0
    for tx in transactions:
        booked = datetime.fromisoformat(tx["paid_at"]).astimezone(VN)
        if booked.date().isoformat() != day or not isinstance(tx.get("amount"), int):
            continue
        if tx["amount"] <= 0:
            continue
        n += 1
        rows.append([n, booked.strftime(spec["date"]), tx["transaction_id"], "",
                     spec["amount"](tx["amount"]), tx["message"]])  # fmt: skip
    return rows


def to_csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
