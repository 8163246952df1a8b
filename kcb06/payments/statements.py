"""A day's bank statement (CSV or XLSX) read with the bank's column layout, and matched against
the payments the webhook recorded and the bills' references.

Layouts are a setting (`KCB06_BANK_STATEMENT_LAYOUTS`, a dict like LAYOUTS, wins when set).
The two shipped layouts are synthetic, modelled on the shape of common Vietnamese bank exports
(a header row after a few title lines; Vietnamese or English column names; dd/mm/yyyy
HH:MM:SS or yyyy-mm-dd dates; "1.234.567" or "1,234,567" amounts). They are not copies of any
bank's file."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kcb06.errors import DomainError

from .reference import candidate_references

LAYOUTS = {
    "vcb": {
        "name": "Mẫu 1 — kiểu Vietcombank (dd/mm/yyyy HH:MM:SS)",
        "columns": {
            "booked_at": "Ngày giao dịch",
            "transaction_id": "Số tham chiếu",
            "credit": "Số tiền ghi có",
            "message": "Mô tả",
        },
        "date_formats": ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y"],
        "date_hint": "dd/mm/yyyy HH:MM:SS",
        "thousands": ".",
    },
    "tcb": {
        "name": "Mẫu 2 — kiểu Techcombank (yyyy-mm-dd)",
        "columns": {
            "booked_at": "Transaction Date",
            "transaction_id": "Reference No",
            "credit": "Credit",
            "message": "Description",
        },
        "date_formats": ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S"],
        "date_hint": "yyyy-mm-dd",
        "thousands": ",",
    },
}
HEADER_SEARCH_ROWS = 20
MAX_LINES = 100_000


def layouts() -> dict:
    return getattr(settings, "KCB06_BANK_STATEMENT_LAYOUTS", None) or LAYOUTS


def _bad(code: str, vi: str, en: str) -> DomainError:
    return DomainError(code, vi, en)


@dataclass
class Line:
    row: int
    transaction_id: str
    booked_at: datetime
    amount: int
    message: str


def _rows(content: bytes, filename: str) -> list[list[str]]:
    if filename.lower().endswith(".xlsx") or content[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's file
            raise _bad(
                "statement_unreadable",
                "Không đọc được tệp Excel (.xlsx): tệp hỏng hoặc không phải .xlsx.",
                "The XLSX file could not be read.",
            ) from exc
        sheet = book.worksheets[0]
        return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _bad(
            "statement_encoding",
            "Tệp CSV không ở dạng UTF-8: hãy xuất lại sao kê dạng CSV UTF-8 hoặc .xlsx.",
            "The CSV is not UTF-8.",
        )
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise _bad(
            "statement_csv",
            f"Tệp CSV bị lỗi định dạng ({exc}): hãy xuất lại sao kê từ ngân hàng.",
            f"The CSV is malformed: {exc}",
        ) from exc


def _amount(value, thousands: str) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() else None
    text = str(value or "").strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return 0
    text = text.replace(thousands, "")
    decimal_mark = "," if thousands == "." else "."
    if decimal_mark in text:
        whole, _, frac = text.partition(decimal_mark)
        if frac.strip("0"):
            return None
        text = whole
    return int(text) if text.isdigit() else None


def _date(value, formats: list[str]) -> datetime | None:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    else:
        parsed = None
        for fmt in formats:
            try:
                parsed = datetime.strptime(str(value).strip(), fmt)
                break
            except ValueError:
                continue
        if parsed is None:
            return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def parse(content: bytes, filename: str, layout_key: str) -> list[Line]:
    """The statement's credit lines. Every problem is a DomainError in Vietnamese naming the
    row and what was expected."""
    layout = layouts().get(layout_key)
    if layout is None:
        raise _bad("statement_layout", "Không có mẫu sao kê này.", "Unknown statement layout.")
    rows = _rows(content, filename)
    wanted = layout["columns"]
    header_at, index = None, {}
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [str(c).strip() for c in row]
        if all(name in cells for name in wanted.values()):
            header_at, index = i, {key: cells.index(name) for key, name in wanted.items()}
            break
    if header_at is None:
        names = ", ".join(f"“{n}”" for n in wanted.values())
        raise _bad(
            "statement_columns",
            f"Không tìm thấy đủ các cột {names} trong tệp. Kiểm tra đã chọn đúng mẫu sao kê "
            f"của ngân hàng ({layout['name']}) hay chưa.",
            f"The columns {', '.join(wanted.values())} were not found: wrong layout?",
        )
    lines = []
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not any(str(c).strip() for c in row):
            continue
        values = {k: row[i] if i < len(row) else "" for k, i in index.items()}
        cell = values.__getitem__
        credit = _amount(cell("credit"), layout["thousands"])
        if credit is None:
            raise _bad(
                "statement_amount",
                f"Dòng {number}: số tiền “{cell('credit')}” không đọc được (số nguyên đồng).",
                f"Row {number}: amount {cell('credit')!r} is not a whole number of đồng.",
            )
        if credit == 0:
            continue  # a debit line or a blank credit: not money received
        booked = _date(cell("booked_at"), layout["date_formats"])
        if booked is None:
            raise _bad(
                "statement_date",
                f"Dòng {number}: ngày “{cell('booked_at')}” không đúng định dạng "
                f"{layout['date_hint']} của mẫu sao kê đã chọn.",
                f"Row {number}: date {cell('booked_at')!r} is not {layout['date_hint']}.",
            )
        tx_id = str(cell("transaction_id")).strip().upper()
        if not tx_id:
            raise _bad(
                "statement_reference",
                f"Dòng {number}: thiếu số tham chiếu giao dịch.",
                f"Row {number}: the transaction reference is missing.",
            )
        lines.append(Line(number, tx_id[:64], booked, credit, str(cell("message"))[:255]))
        if len(lines) > MAX_LINES:
            raise _bad(
                "statement_too_long",
                f"Sao kê quá {MAX_LINES} dòng: hãy tách theo ngày.",
                "Too many lines.",
            )
    if not lines:
        raise _bad(
            "statement_empty",
            "Sao kê không có dòng tiền vào nào.",
            "The statement has no credit lines.",
        )
    return lines


@dataclass
class Reconciliation:
    statement: object
    lines: list  # StatementLine, in file order
    missing_in_statement: list  # Payment: notified by the bank, absent from its statement

    def count(self, match: str) -> int:
        return sum(1 for line in self.lines if line.match == match)


def import_statement(principal, content: bytes, filename: str, layout_key: str, day: date):
    """Parse, store and match a statement; audited. Nothing is paid by the import itself: a
    line with a bill but no notification is confirmed by the cashier (with a reason)."""
    from kcb06.audit.services import Action, record_about

    from .models import LineMatch, Payment, StatementImport, StatementLine
    from .services import CASHIER_ROLES

    principal.require_role(*CASHIER_ROLES)
    parsed = parse(content, filename, layout_key)
    payments = {}
    ids = [line.transaction_id for line in parsed]
    for start in range(0, len(ids), 5000):
        for p in Payment.objects.filter(bank_transaction_id__in=ids[start : start + 5000]).only(
            "pk", "amount", "bank_transaction_id", "bill_id"
        ):
            payments[p.bank_transaction_id] = p
    refs_of = {line.row: candidate_references(line.message) for line in parsed}
    all_refs = {r for refs in refs_of.values() for r in refs}
    from .models import Bill

    known_refs = set()
    refs_list = list(all_refs)
    for start in range(0, len(refs_list), 5000):
        known_refs |= set(
            Bill.objects.filter(
                facility_id=principal.facility_id, reference__in=refs_list[start : start + 5000]
            ).values_list("reference", flat=True)
        )
    with transaction.atomic():
        statement = StatementImport.objects.create(
            facility_id=principal.facility_id,
            day=day,
            layout=layout_key,
            filename=(filename or "")[:255],
            line_count=len(parsed),
            imported_by=principal.user,
        )
        rows = []
        for line in parsed:
            payment = payments.get(line.transaction_id)
            reference = next((r for r in refs_of[line.row] if r in known_refs), "")
            if payment is not None and payment.bill_id is None:
                match = LineMatch.NO_BILL  # notified, but still money with no bill
            elif payment is not None:
                match = (
                    LineMatch.MATCHED if payment.amount == line.amount else LineMatch.AMOUNT_DIFFERS
                )
            elif reference:
                match = LineMatch.NO_WEBHOOK
            else:
                match = LineMatch.NO_BILL
            rows.append(
                StatementLine(
                    statement=statement,
                    row=line.row,
                    transaction_id=line.transaction_id,
                    booked_at=line.booked_at,
                    amount=line.amount,
                    message=line.message,
                    reference=reference,
                    match=match,
                    payment=payment,
                )  # fmt: skip
            )
        StatementLine.objects.bulk_create(rows, batch_size=2000)
        record_about(
            principal,
            Action.CREATE,
            "payments.statement",
            statement,
            "statement_imported",
            facility_id=principal.facility_id,
            detail={"lines": len(parsed), "layout": layout_key, "day": day.isoformat()},
        )
    return statement


def reconciliation(principal, statement_id: int) -> Reconciliation:
    from .models import Method, Payment, StatementImport
    from .services import CASHIER_ROLES

    principal.require_role(*CASHIER_ROLES)
    statement = StatementImport.objects.filter(
        pk=statement_id, facility_id=principal.facility_id
    ).first()
    if statement is None:
        from kcb06.errors import NotFound

        raise NotFound("statement_not_found", "Không tìm thấy sao kê.", "No such statement.")
    lines = list(statement.lines.order_by("row"))
    in_statement = {line.transaction_id for line in lines}
    start = timezone.make_aware(datetime.combine(statement.day, time()))
    end = timezone.make_aware(datetime.combine(statement.day, time(23, 59, 59, 999999)))
    notified = (
        Payment.objects.filter(
            facility_id=principal.facility_id,
            method=Method.VIETQR,
            bank_transaction_id__isnull=False,
            received_at__range=(start, end),
        )
        .select_related("bill")
        .order_by("received_at")
    )
    missing = [p for p in notified if p.bank_transaction_id not in in_statement]
    return Reconciliation(statement, lines, missing)


def confirm_line(principal, line_id: int, reason: str):
    """A statement line with a bill's reference but no notification: the cashier confirms it;
    the bank's transaction id keeps a late notification from paying a second time."""
    from .models import LineMatch, StatementLine
    from .services import confirm_transfer

    line = (
        StatementLine.objects.select_related("statement")
        .filter(pk=line_id, statement__facility_id=principal.facility_id)
        .first()
    )
    if line is None:
        from kcb06.errors import NotFound

        raise NotFound("line_not_found", "Không tìm thấy dòng sao kê.", "No such line.")
    if line.match != LineMatch.NO_WEBHOOK:
        raise DomainError(
            "line_not_open",
            "Dòng sao kê này không chờ xác nhận.",
            "This statement line is not waiting for confirmation.",
            status=409,
        )
    from .models import Bill

    bill = Bill.objects.filter(reference=line.reference, facility_id=principal.facility_id).first()
    result = confirm_transfer(
        principal, bill.pk, line.transaction_id, line.amount, reason, source="statement"
    )
    from .models import Payment

    line.match = LineMatch.CONFIRMED
    line.payment = Payment.objects.get(bank_transaction_id=line.transaction_id)
    line.save(update_fields=["match", "payment"])
    return result
