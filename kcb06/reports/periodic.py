"""Progress reports kept as files: weekly (due Thursday 10:00), monthly (due the 15th), the
six-monthly pilot report of the e-health book, and any period on demand.

Periods follow the reporting periods of Decree 09/2019/NĐ-CP (art. 12): a month runs from the
15th of the month before to the 14th, six months from 15/12 to 14/6 and from 15/6 to 14/12. The
decree sets no week, so a week is the seven whole days before the Thursday it is due (Thursday
to Wednesday). "The week's change" compares each share with the period of the same length just
before.

The figures come from the daily rollups (`FacilityDay`: counts per facility and day); the
XLSX carries those rows on a sheet of their own, so every figure can be traced to the days
behind it. The pilot report's care-type table counts visits with one grouped query (care type
× BHYT × sent), which the rollups do not split; it is made twice a year. No patient, visit or
name is in any file.
"""

import io
import logging
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone

from kcb06.facilities.models import Facility, FacilityKind
from kcb06.interchange.models import OutboxItem, OutboxKind, OutboxState
from kcb06.reports import rollups, services
from kcb06.reports.models import COUNT_FIELDS, FacilityDay, ProgressReport, ReportKind
from kcb06.reports.targets import CASHLESS, CHIP_FACILITIES, HEALTH_BOOK
from kcb06.visits.models import Visit, VisitStatus

log = logging.getLogger(__name__)

WEEKLY_DUE_WEEKDAY = 3  # Thursday
WEEKLY_DUE_HOUR = 10
MONTHLY_DUE_DAY = 15
MONTHLY_DUE_HOUR = 7  # the 14th's figures have been refreshed by then
MAX_DAYS = 366
SENT_STATES = (OutboxState.SENT, OutboxState.ACCEPTED, OutboxState.REJECTED)
CARE_TYPES = {
    "01": "Khám bệnh",
    "02": "Điều trị ngoại trú",
    "03": "Điều trị nội trú",
    "04": "Điều trị nội trú ban ngày",
    "05": "Điều trị ngoại trú bệnh mạn tính",
    "06": "Điều trị lưu tại trạm y tế",
    "07": "Nhận thuốc theo hẹn",
    "08": "Điều trị ngoại trú các bệnh mạn tính dài ngày",
    "09": "Điều trị nội trú dưới 04 giờ",
}


@dataclass(frozen=True)
class Due:
    kind: str
    start: date
    end: date
    due_at: datetime


def reports_dir() -> Path:
    return Path(getattr(settings, "KCB06_REPORTS_DIR", settings.DATA_DIR / "reports"))


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def _month_before(d: date) -> date:
    return (d.replace(day=1) - timedelta(days=1)).replace(day=min(d.day, 28))


def monthly_period(due_day: date) -> tuple[date, date]:
    """The month reported on the 15th of due_day's month: the 15th before to the 14th."""
    end = due_day.replace(day=14)
    return _month_before(end).replace(day=15), end


def latest_due(now: datetime | None = None) -> list[Due]:
    """The latest period of each scheduled kind whose due time has come (a worker that was
    down catches up on the latest one, not on every one it missed)."""
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    # Weekly: the latest Thursday 10:00 not after now.
    thursday = today - timedelta(days=(today.weekday() - WEEKLY_DUE_WEEKDAY) % 7)
    if _at(thursday, WEEKLY_DUE_HOUR) > now:
        thursday -= timedelta(days=7)
    weekly = Due(
        ReportKind.WEEKLY,
        thursday - timedelta(days=7),
        thursday - timedelta(days=1),
        _at(thursday, WEEKLY_DUE_HOUR),
    )
    # Monthly: the latest 15th 07:00 not after now.
    fifteenth = today.replace(day=MONTHLY_DUE_DAY)
    if _at(fifteenth, MONTHLY_DUE_HOUR) > now:
        fifteenth = _month_before(fifteenth).replace(day=MONTHLY_DUE_DAY)
    m_start, m_end = monthly_period(fifteenth)
    monthly = Due(ReportKind.MONTHLY, m_start, m_end, _at(fifteenth, MONTHLY_DUE_HOUR))
    # Six-monthly: 15 June (15/12..14/6) and 15 December (15/6..14/12).
    pilot_due = fifteenth
    while pilot_due.month not in (6, 12):
        pilot_due = _month_before(pilot_due).replace(day=MONTHLY_DUE_DAY)
    p_end = pilot_due.replace(day=14)
    p_start = date(p_end.year - (1 if p_end.month == 6 else 0), 12 if p_end.month == 6 else 6, 15)
    pilot = Due(ReportKind.PILOT, p_start, p_end, _at(pilot_due, MONTHLY_DUE_HOUR))
    return [weekly, monthly, pilot]


def scheduled_owners() -> list[Facility]:
    """Who gets the scheduled reports: every active health department; on an installation
    without one (a facility running its own kcb06), every active top-level facility."""
    depts = list(
        Facility.objects.filter(kind=FacilityKind.HEALTH_DEPT, is_active=True).order_by("code")
    )
    if depts:
        return depts
    return list(Facility.objects.filter(parent__isnull=True, is_active=True).order_by("code"))


def missing(now: datetime | None = None) -> list[tuple[Facility, Due]]:
    """The scheduled reports whose time has come and that are not kept yet."""
    return [
        (owner, due)
        for due in latest_due(now)
        for owner in scheduled_owners()
        if not ProgressReport.objects.filter(
            owner=owner, kind=due.kind, start=due.start, end=due.end
        ).exists()
    ]


def generate_due(now: datetime | None = None) -> int:
    """The worker's job: make the scheduled reports whose time has come and that are not kept
    yet (refreshing the last days' rollups first). Answers how many were made."""
    todo = missing(now)
    if todo:
        rollups.refresh_recent()
    made = 0
    for owner, due in todo:
        try:
            generate(owner, due.kind, due.start, due.end)
        except IntegrityError:
            log.info("report %s %s skipped: another worker made it", owner.code, due.kind)
            continue
        made += 1
    return made


# ---- the figures of one report ------------------------------------------------------------


def _change(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else round(now - before, 1)


def pilot_table(facilities: list[Facility], start: date, end: date) -> list[dict]:
    """Visits by care type × BHYT / not × whose data was sent to the portal (counts)."""
    sent = OutboxItem.objects.filter(
        visit=OuterRef("pk"), kind=OutboxKind.CLAIM, state__in=SENT_STATES
    )
    rows = (
        Visit.objects.filter(
            facility_id__in=[f.pk for f in facilities],
            visit_date__gte=start,
            visit_date__lte=end,
        )
        .exclude(status=VisitStatus.CANCELLED)
        .annotate(sent=Exists(sent))
        .values("visit_type")
        .annotate(
            bhyt=Count("pk", filter=Q(uses_bhyt=True)),
            bhyt_sent=Count("pk", filter=Q(uses_bhyt=True, sent=True)),
            other=Count("pk", filter=Q(uses_bhyt=False)),
            other_sent=Count("pk", filter=Q(uses_bhyt=False, sent=True)),
        )
        .order_by("visit_type")
    )
    table = []
    for r in rows:
        r["label"] = CARE_TYPES.get(r["visit_type"], r["visit_type"])
        r["total"] = r["bhyt"] + r["other"]
        r["total_sent"] = r["bhyt_sent"] + r["other_sent"]
        table.append(r)
    return table


def build(owner: Facility, kind: str, start: date, end: date) -> dict:
    """Every figure of the report, per facility and rolled up, beside the period before."""
    facilities = services.treating_under(owner)
    length = (end - start).days + 1
    p_end = start - timedelta(days=1)
    p_start = p_end - timedelta(days=length - 1)
    rows, total = services.aggregate(facilities, start, end)
    prev_rows, prev_total = services.aggregate(facilities, p_start, p_end)
    prev = {r["code"]: r for r in prev_rows}
    for r in rows:
        b = prev[r["code"]]
        r["prev_chip_share"] = b["chip_share"]
        r["chip_change"] = _change(r["chip_share"], b["chip_share"])
        r["prev_health_book_share"] = b["health_book_share"]
        r["health_book_change"] = _change(r["health_book_share"], b["health_book_share"])
        r["prev_cashless_share"] = b["cashless_share"]
    values, prev_values = services.target_values(total), services.target_values(prev_total)
    targets = [
        {
            "key": t.key,
            "label_vi": t.label_vi,
            "target_percent": t.percent,
            "source_vi": t.source_vi,
            "value": values[t.key],
            "previous": prev_values[t.key],
            "change": _change(values[t.key], prev_values[t.key]),
        }
        for t in (CHIP_FACILITIES, HEALTH_BOOK, CASHLESS)
    ]
    names = {f.pk: f for f in facilities}
    days = [
        {"code": names[d["facility_id"]].code, **d}
        for d in FacilityDay.objects.filter(
            facility_id__in=list(names), day__gte=start, day__lte=end
        )
        .order_by("day", "facility_id")
        .values("facility_id", "day", *COUNT_FIELDS)
    ]
    return {
        "owner": {
            "code": owner.code or "",
            "name": owner.name,
            # "số/ký hiệu" of the report: BC-SYT for a health department (Sở Y tế)
            "sign": "SYT" if owner.kind == FacilityKind.HEALTH_DEPT else (owner.code or ""),
        },
        "kind": kind,
        "kind_label": ReportKind(kind).label,
        "start": start,
        "end": end,
        "previous": {"start": p_start, "end": p_end},
        "targets": targets,
        "facilities": rows,
        "total": total,
        "previous_total": prev_total,
        "days": days,
        "pilot": pilot_table(facilities, start, end) if kind == ReportKind.PILOT else None,
        "made_at": timezone.localtime(),
    }


# ---- the files ----------------------------------------------------------------------------


def _pct(v: float | None):
    return None if v is None else v / 100


# The per-facility sheets of the XLSX: (title, [(heading, key)]); "%key" is a share shown as
# a percentage, "ms:key" a latency that may lie above the histogram's last bound.
SECTIONS = [
    (
        "1. CCCD gắn chip - VNeID",
        [
            ("Lượt khám", "visits"),
            ("QR CCCD", "by_cccd_qr"),
            ("VNeID", "by_vneid_qr"),
            ("Nhập số định danh", "by_id_number"),
            ("Thẻ BHYT", "by_bhyt_card"),
            ("Không giấy tờ", "by_no_document"),
            ("Tỷ lệ CCCD/VNeID", "%chip_share"),
            ("Kỳ trước", "%prev_chip_share"),
            ("Thay đổi (điểm %)", "chip_change"),
        ],
    ),
    (
        "2. Sổ sức khỏe điện tử",
        [
            ("Lượt khám", "visits"),
            ("Đã kết thúc", "ended"),
            ("Cổng đã tiếp nhận", "accepted"),
            ("Tiếp nhận trong 24 giờ", "accepted_on_time"),
            ("Quá hạn", "late"),
            ("Có hồ sơ XML lỗi", "claims_invalid"),
            ("Tỷ lệ lên sổ", "%health_book_share"),
            ("Kỳ trước", "%prev_health_book_share"),
            ("Thay đổi (điểm %)", "health_book_change"),
        ],
    ),
    (
        "3. Không dùng tiền mặt",
        [
            ("Lần thanh toán", "payments"),
            ("Không tiền mặt", "payments_cashless"),
            ("Tỷ lệ (số lần)", "%cashless_share"),
            ("Số tiền (đồng)", "paid_amount"),
            ("Không tiền mặt (đồng)", "paid_cashless_amount"),
            ("Tỷ lệ (giá trị)", "%cashless_value_share"),
            ("Kỳ trước (số lần)", "%prev_cashless_share"),
        ],
    ),
    (
        "4. Kiểm tra thẻ BHYT",
        [
            ("Hợp lệ", "elig_valid"),
            ("Không hợp lệ", "elig_invalid"),
            ("Không có thẻ", "elig_no_card"),
            ("Chưa kiểm tra được", "elig_unverified"),
            ("Lượt hỏi cổng BHXH", "portal_checks"),
            ("Cổng không trả lời", "portal_unanswered"),
            ("Trong đó quá thời gian chờ", "portal_timeouts"),
            ("Tỷ lệ cổng trả lời", "%portal_availability"),
            ("Thời gian trả lời, 50 % số lượt ≤ (ms)", "ms:portal_p50_ms"),
            ("Thời gian trả lời, 95 % số lượt ≤ (ms)", "ms:portal_p95_ms"),
        ],
    ),
]


def _cell(row: dict, key: str):
    if key.startswith("%"):
        return _pct(row[key[1:]])
    if key.startswith("ms:"):
        value = row[key[3:]]
        return "> 5000" if value is None and row["portal_timed"] else value
    return row[key]


def render_xlsx(data: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    # Write-only: rows stream to the file (a province's month has ~200,000 trace cells).
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def sheet(title, header, rows, percent_cols=()):
        ws = wb.create_sheet(title)
        ws.column_dimensions["B"].width = 40
        ws.freeze_panes = "A5"
        ws.append([f"{data['kind_label']} — {data['owner']['name']}"])
        ws.append([f"Kỳ báo cáo: {data['start']:%d/%m/%Y} – {data['end']:%d/%m/%Y}"])
        ws.append([])
        heads = []
        for text in header:
            cell = WriteOnlyCell(ws, value=text)
            cell.font, cell.alignment = bold, wrap
            heads.append(cell)
        ws.append(heads)
        percent = {c - 1 for c in percent_cols}
        for row in rows:
            if percent:
                row = list(row)
                for i in percent:
                    cell = WriteOnlyCell(ws, value=row[i])
                    cell.number_format = "0.0%"
                    row[i] = cell
            ws.append(row)
        return ws

    sheet(
        "Tổng hợp",
        ["Chỉ tiêu", "Mục tiêu", "Kỳ này", "Kỳ trước", "Thay đổi (điểm %)", "Căn cứ"],
        [
            [
                t["label_vi"],
                _pct(t["target_percent"]),
                _pct(t["value"]) if t["value"] is not None else "chưa có dữ liệu",
                _pct(t["previous"]),
                t["change"],
                t["source_vi"],
            ]
            for t in data["targets"]
        ],
        percent_cols=(2, 3, 4),
    )
    fac = data["facilities"]
    for title, columns in SECTIONS:
        sheet(
            title,
            ["Mã cơ sở", "Tên cơ sở", *(heading for heading, _key in columns)],
            [[r["code"], r["name"], *(_cell(r, key) for _h, key in columns)] for r in fac],
            percent_cols=[i + 3 for i, (_h, key) in enumerate(columns) if key.startswith("%")],
        )
    if data["pilot"] is not None:
        sheet(
            "Thí điểm sổ SKĐT",
            [
                "Mã loại KCB",
                "Loại KCB",
                "Lượt BHYT",
                "BHYT đã gửi dữ liệu",
                "Lượt không BHYT",
                "Không BHYT đã gửi dữ liệu",
                "Tổng",
                "Tổng đã gửi",
            ],
            [
                [
                    p["visit_type"],
                    p["label"],
                    p["bhyt"],
                    p["bhyt_sent"],
                    p["other"],
                    p["other_sent"],
                    p["total"],
                    p["total_sent"],
                ]
                for p in data["pilot"]
            ],
        )
    sheet(
        "Số liệu ngày (nguồn)",
        ["Ngày", "Mã cơ sở", *COUNT_FIELDS],
        [[d["day"], d["code"], *(d[n] for n in COUNT_FIELDS)] for d in data["days"]],
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def render_pdf(data: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string("reports/progress_pdf.html", {"r": data})
    return HTML(string=html).write_pdf()


def _store(owner: Facility, kind: str, start: date, end: date, ext: str, content: bytes) -> str:
    relative = Path(owner.code or f"unit-{owner.pk}") / f"{kind}-{start:%Y%m%d}-{end:%Y%m%d}.{ext}"
    path = reports_dir() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(content)
    tmp.replace(path)
    return str(relative)


def validate_period(start: date, end: date) -> None:
    from kcb06.errors import DomainError

    if end < start:
        raise DomainError(
            "invalid_period",
            "Ngày kết thúc phải không sớm hơn ngày bắt đầu.",
            "The end date must not be before the start date.",
        )
    if (end - start).days + 1 > MAX_DAYS:
        raise DomainError(
            "period_too_long",
            f"Kỳ báo cáo dài tối đa {MAX_DAYS} ngày.",
            f"A report covers at most {MAX_DAYS} days.",
        )


def generate(owner: Facility, kind: str, start: date, end: date, *, by: str = "") -> ProgressReport:
    """Compute, render and keep one report (made again in place if it exists)."""
    validate_period(start, end)
    began = time.perf_counter()
    data = build(owner, kind, start, end)
    xlsx = _store(owner, kind, start, end, "xlsx", render_xlsx(data))
    pdf = _store(owner, kind, start, end, "pdf", render_pdf(data))
    with transaction.atomic():
        report, _created = ProgressReport.objects.update_or_create(
            owner=owner,
            kind=kind,
            start=start,
            end=end,
            defaults={
                "facilities": data["total"]["facilities"],
                "visits": data["total"]["visits"],
                "xlsx_path": xlsx,
                "pdf_path": pdf,
                "generated_at": timezone.now(),
                "generated_by": by,
                "seconds": round(time.perf_counter() - began, 2),
            },
        )
    log.info("report %s %s %s..%s made in %.2f s", owner.code, kind, start, end, report.seconds)
    return report


def file_path(report: ProgressReport, fmt: str) -> Path:
    return reports_dir() / (report.pdf_path if fmt == "pdf" else report.xlsx_path)


def next_due(now: datetime | None = None) -> dict:
    """When the next weekly and monthly reports are due (for the page)."""
    now = timezone.localtime(now or timezone.now())
    week = {d.kind: d for d in latest_due(now)}
    return {
        "weekly": week[ReportKind.WEEKLY].due_at + timedelta(days=7),
        "monthly": _at(
            (week[ReportKind.MONTHLY].due_at.date().replace(day=1) + timedelta(days=32)).replace(
                day=MONTHLY_DUE_DAY
            ),
            MONTHLY_DUE_HOUR,
        ),
    }
