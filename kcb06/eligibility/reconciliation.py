"""The reconciliation ("seed procedure") list: export to XLSX/CSV for the police and BHXH."""

import csv
import io
from datetime import date

from django.db import transaction
from django.utils import timezone

from kcb06.audit.services import Action, record
from kcb06.eligibility.models import MismatchKind, ReconciliationEntry
from kcb06.errors import DomainError

VIEW_ROLES = ("facility_admin", "auditor")
MARK_ROLES = ("facility_admin",)  # marking rows as sent is the facility's act, not the auditor's

COLUMNS = [
    ("Số định danh cá nhân", "id_number"),
    ("Họ tên trên CCCD", "name_id_card"),
    ("Họ tên tại BHXH", "name_insurance"),
    ("Ngày sinh trên CCCD", "dob_id_card"),
    ("Ngày sinh tại BHXH", "dob_insurance"),
    ("Giới tính trên CCCD", "sex_id_card"),
    ("Giới tính tại BHXH", "sex_insurance"),
    ("Mã thẻ BHYT", "card_number"),
    ("Mã cơ sở KCB", "facility_code"),
    ("Ngày phát hiện", "day"),
    ("Loại sai lệch", "kinds_vi"),
    ("Mã kết quả Cổng BHXH", "portal_code"),
    ("Đã gửi lúc", "sent_at"),
]


def kinds_vi(kinds: str) -> str:
    labels = dict(MismatchKind.choices)
    return "; ".join(str(labels.get(k, k)) for k in kinds.split(",") if k)


def entries(principal, start: date, end: date):
    principal.require_role(*VIEW_ROLES)
    if start > end:
        raise DomainError(
            "invalid_range",
            "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.",
            "Start date must not be after end date.",
        )
    return ReconciliationEntry.objects.filter(
        facility_id=principal.facility_id, day__gte=start, day__lte=end
    ).select_related("facility")


def row_values(entry: ReconciliationEntry) -> list[str]:
    values = {
        "facility_code": entry.facility.code or "",
        "day": entry.day.strftime("%d/%m/%Y"),
        "kinds_vi": kinds_vi(entry.kinds),
        "sent_at": timezone.localtime(entry.sent_at).strftime("%d/%m/%Y %H:%M")
        if entry.sent_at
        else "",
    }
    return [str(values.get(attr, getattr(entry, attr, "")) or "") for _, attr in COLUMNS]


def _csv(rows: list[ReconciliationEntry]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title for title, _ in COLUMNS])
    for entry in rows:
        writer.writerow(row_values(entry))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel reads UTF-8 correctly


def _xlsx(rows: list[ReconciliationEntry]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Doi soat"
    ws.append([title for title, _ in COLUMNS])
    for entry in rows:
        ws.append(row_values(entry))
    for column in ws.columns:
        ws.column_dimensions[column[0].column_letter].width = 22
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export(principal, start: date, end: date, fmt: str, mark_sent: bool) -> tuple[bytes, str]:
    """The file content and its name; marks the rows sent (facility admins) and audits."""
    if fmt not in ("xlsx", "csv"):
        raise DomainError("invalid_format", "Chọn định dạng XLSX hoặc CSV.", "Use xlsx or csv.")
    if mark_sent:
        principal.require_role(*MARK_ROLES)
    with transaction.atomic():
        qs = entries(principal, start, end)
        rows = list(qs.select_for_update(of=("self",)) if mark_sent else qs)
        now = timezone.now()
        if mark_sent:
            ids = [e.pk for e in rows if e.sent_at is None]
            ReconciliationEntry.objects.filter(pk__in=ids).update(
                sent_at=now, sent_by=principal.user
            )
            for e in rows:
                if e.pk in ids:
                    e.sent_at = now
        content = _xlsx(rows) if fmt == "xlsx" else _csv(rows)
        record(
            principal,
            Action.EXPORT,
            object_type="reconciliation",
            purpose="doi_soat_du_lieu_cong_an_bhxh",
            detail={
                "from": start.isoformat(),
                "to": end.isoformat(),
                "format": fmt,
                "rows": len(rows),
                "marked_sent": mark_sent,
            },
        )
    name = f"doi-soat-{principal.facility.code}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    return content, name
