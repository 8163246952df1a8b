"""The claim-error work queue as an Excel workbook: the staff's filtered claims, or the health
department's counts (docs/claims.md)."""

import io

from django.utils import timezone

from kcb06.interchange import queue

EXPORT_LIMIT = 50_000
HEADERS = [
    "MA_LK",
    "Khoa/phòng",
    "Trạng thái",
    "Kết thúc đợt khám",
    "Số giờ chưa tiếp nhận",
    "Mã lỗi",
    "Lỗi",
    "Cách sửa",
    "Đường dẫn đợt khám",
]


def _inert(value) -> object:
    """A cell a spreadsheet will not run as a formula (formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_rows(facility_ids, f: queue.Filters, now, limit: int = EXPORT_LIMIT) -> list[dict]:
    """Every claim of the filter (up to `limit`), by keyset pages so memory stays flat."""
    out: list[dict] = []
    cursor = queue.Filters(f.error, f.department, f.age, f.period)
    while len(out) < limit:
        page, nxt = queue.rows(facility_ids, cursor, now, limit=min(1000, limit - len(out)))
        out.extend(page)
        if not nxt:
            break
        cursor.after = queue.parse_cursor(nxt)
    return out


def export_xlsx(principal, f: queue.Filters, visit_url, now=None) -> bytes:
    """The filtered queue as a workbook; for the health department, the counts only."""
    from openpyxl import Workbook  # noqa: PLC0415 - only the export needs it

    now = now or timezone.now()
    book = Workbook(write_only=True)
    if principal.has_role(*queue.COUNT_ROLES):
        data = queue.health_dept_view(principal, f, now)
        sheet = book.create_sheet("Số hồ sơ theo lỗi")
        sheet.append(["Mã cơ sở", "Tên cơ sở", "Mã lỗi", "Lỗi", "Số hồ sơ chưa tiếp nhận"])
        for group in data["facilities"]:
            for e in group["errors"]:
                message = e["fix"].message_vi if e["fix"] else "Chờ gửi / đang gửi"
                sheet.append(
                    [_inert(v) for v in (group["code"], group["name"], e["key"], message, e["n"])]
                )
    else:
        principal.require_role(*queue.STAFF_ROLES)
        sheet = book.create_sheet("Hồ sơ chưa tiếp nhận")
        for column, width in zip("ABCDEFGHI", (22, 28, 22, 18, 12, 30, 50, 50, 40), strict=True):
            sheet.column_dimensions[column].width = width
        sheet.freeze_panes = "A2"
        sheet.append(HEADERS)
        for r in export_rows(principal.patient_data_facility_ids(), f, now):
            local = timezone.localtime(r["since"]).strftime("%d/%m/%Y %H:%M")
            sheet.append(
                [
                    _inert(v)
                    for v in (
                        r["ma_lk"],
                        r["department"],
                        r["state_vi"],
                        local,
                        r["age_hours"],
                        r["error"],
                        r["message_vi"],
                        r["next_step_vi"],
                        visit_url(r["visit_id"]) if r["visit_id"] else "",
                    )
                ]
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
