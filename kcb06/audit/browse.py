"""The audit log as an auditor reads it: filters, Vietnamese words for every code, the patient
by name and masked ID number, and the CSV/XLSX export.

This is the read side of the audit page. It imports nothing from kcb06.patients (audit stands
below patients): the page itself, which finds patients by ID number or name and labels them,
is kcb06/web/auditlog.py, above both, and hands this module the patients it found
(`PatientMatch`) and a function that labels them. An ID number typed into the search travels in
a POST body only, and is kept neither in the URL nor in the audit entry of the search (only how
the patient was looked up).
"""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from kcb06.audit.models import AuditEntry
from kcb06.audit.services import Action
from kcb06.facilities.models import Role
from kcb06.identity.names import name_key

ACTION_LABELS = {
    Action.READ: "Xem",
    Action.CREATE: "Tạo",
    Action.UPDATE: "Sửa",
    Action.DELETE: "Xóa",
    Action.EXPORT: "Xuất",
    Action.MERGE: "Gộp",
    Action.UNMERGE: "Tách",
    Action.LOGIN: "Đăng nhập",
    Action.LOGIN_FAILED: "Đăng nhập sai",
    Action.LOGOUT: "Đăng xuất",
}
OBJECT_LABELS = {
    "patient": "Hồ sơ người bệnh",
    "patient_search": "Tìm kiếm người bệnh",
    "visit": "Đợt khám",
    "visit_closure": "Kết thúc đợt khám",
    "visit_xml": "Hồ sơ XML đợt khám",
    "ticket": "Số thứ tự",
    "session": "Phiên đăng nhập",
    "audit_log": "Nhật ký truy cập",
    "healthbook": "Sổ sức khỏe",
    "healthbook_entry": "Mục sổ sức khỏe",
    "healthbook_entry_history": "Lịch sử mục sổ sức khỏe",
    "healthbook_section": "Phần sổ sức khỏe",
    "healthbook_visits": "Các lần khám trong sổ sức khỏe",
    "healthbook_consent": "Đồng ý chia sẻ sổ sức khỏe",
    "healthbook_worklist": "Danh sách chờ khám",
    "eligibility": "Kiểm tra thẻ BHYT",
    "eligibility_check": "Kiểm tra thẻ BHYT",
    "reconciliation": "Danh sách đối soát",
    "interchange_outbox": "Hàng đợi gửi XML",
    "interchange_outbox_item": "Hồ sơ XML chờ gửi",
    "interchange_visit_files": "Các tệp XML của đợt khám",
    "xml": "Hồ sơ XML",
    "bill": "Hóa đơn",
}
# Purposes other apps record as codes; free-text purposes are already Vietnamese words.
PURPOSE_LABELS = {
    "check_in": "Tiếp đón, đăng ký khám",
    "check_in_preview": "Xem trước khi tiếp đón",
    "visit_lookup": "Tra cứu đợt khám",
    "bhyt_eligibility": "Kiểm tra thông tin thẻ BHYT",
    "bhyt_eligibility_recheck": "Kiểm tra lại thông tin thẻ BHYT",
    "doi_soat_du_lieu_cong_an_bhxh": "Đối soát dữ liệu Công an – BHXH",
    "search": "Tìm kiếm người bệnh",
    "merge_duplicates": "Gộp hồ sơ trùng",
    "undo_merge": "Hoàn tác gộp hồ sơ",
    "api_lookup": "Tra cứu qua API",
    "xml_export_cli": "Xuất XML bằng dòng lệnh",
}
VIA_LABELS = {
    "session": "trình duyệt",
    "api_key": "khóa API",
    "cli": "dòng lệnh",
    "system": "hệ thống",
}
EXPORT_LIMIT = 100_000
ID_NUMBER = re.compile(r"\d{9}|\d{12}")


def role_label(value: str) -> str:
    return str(dict(Role.choices).get(value, value or "—"))


def action_label(value: str) -> str:
    return ACTION_LABELS.get(value, value)


def object_label(value: str) -> str:
    return OBJECT_LABELS.get(value, value or "—")


def purpose_label(value: str) -> str:
    return PURPOSE_LABELS.get(value, value)


def via_label(value: str) -> str:
    return VIA_LABELS.get(value, value)


def mask_id(value: str) -> str:
    """Only the last four digits show: enough to tell two people apart, not to copy a number."""
    return "*" * max(len(value) - 4, 0) + value[-4:] if value else ""


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(
        label="Từ ngày",
        required=False,
        # A date input sends ISO whatever the locale; dd/mm/yyyy is the first input format.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label="Đến ngày",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    username = forms.CharField(label="Tài khoản", required=False, max_length=150)
    action = forms.ChoiceField(
        label="Hành động",
        required=False,
        choices=[("", "Tất cả")] + list(ACTION_LABELS.items()),
    )
    patient = forms.CharField(
        label="Người bệnh",
        required=False,
        max_length=255,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": "Số CCCD/CMND hoặc họ tên"}
        ),
    )

    def clean_patient(self):
        text = " ".join(self.cleaned_data.get("patient", "").split())
        digits = text.replace(" ", "")
        numeric = digits.isdigit()
        if text and (ID_NUMBER.fullmatch(digits) is None if numeric else not name_key(text)):
            raise forms.ValidationError("Nhập số CCCD 12 số, CMND 9 số hoặc họ tên người bệnh.")
        return text

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("Ngày bắt đầu phải trước ngày kết thúc.")
        return data


@dataclass
class PatientMatch:
    """The patients an auditor means (found by kcb06.web.auditlog.find_patients)."""

    by: str  # "id_number" | "name"
    patient_ids: list[int]


def _local_midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered_entries(principal, data: dict, match: PatientMatch | None):
    """Entries of the principal's facility only, newest first, narrowed by the filters."""
    qs = AuditEntry.objects.filter(facility_id=principal.facility_id).order_by("-at", "-pk")
    if data.get("date_from"):
        qs = qs.filter(at__gte=_local_midnight(data["date_from"]))
    if data.get("date_to"):
        qs = qs.filter(at__lt=_local_midnight(data["date_to"] + timedelta(days=1)))
    if data.get("username"):
        qs = qs.filter(username__iexact=data["username"].strip())
    if data.get("action"):
        qs = qs.filter(action=data["action"])
    if match is not None:
        qs = qs.filter(patient_id__in=match.patient_ids)
    return qs


def filters_for_audit(data: dict, match: PatientMatch | None) -> dict:
    """What the auditor filtered on, for the audit entry of the view or export: never the ID
    number or name typed, only how the patient was looked up."""
    detail = {k: str(v) for k, v in data.items() if v not in (None, "") and k != "patient"}
    if match is not None:
        detail["patient_by"] = match.by
        detail["patients_found"] = len(match.patient_ids)
    return detail


@dataclass
class Row:
    at: str
    username: str
    role: str
    action: str
    what: str
    patient: str
    purpose: str
    origin: str


HEADERS = [
    "Thời điểm",
    "Tài khoản",
    "Vai trò",
    "Hành động",
    "Dữ liệu",
    "Người bệnh",
    "Mục đích",
    "Từ",
]


def rows(entries, patient_labels: Callable[[set[int]], dict[int, str]]) -> list[Row]:
    """Display rows: every code in words, the patient as `patient_labels` names them (the page
    gives name and masked ID number: kcb06.web.auditlog.patient_labels)."""
    entries = list(entries)
    labels = patient_labels({e.patient_id for e in entries if e.patient_id})
    out = []
    for e in entries:
        what = object_label(e.object_type)
        if e.object_id:
            what += f" #{e.object_id}"
        out.append(
            Row(
                at=timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M:%S"),
                username=e.username or "—",
                role=role_label(e.role),
                action=action_label(e.action),
                what=what,
                patient=labels.get(e.patient_id, "") if e.patient_id else "",
                purpose=purpose_label(e.purpose),
                origin=f"{e.ip or '—'} · {via_label(e.via)}",
            )
        )
    return out


def _inert(value: str) -> str:
    """A cell a spreadsheet will not run: text such as a user name typed at a failed login
    ("=HYPERLINK(...)") would otherwise become a formula (CSV/formula injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _cells(row: Row) -> list[str]:
    values = [row.at, row.username, row.role, row.action, row.what, row.patient, row.purpose]
    return [_inert(v) for v in [*values, row.origin]]


def export_csv(table: list[Row]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel shows the Vietnamese letters."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in table:
        writer.writerow(_cells(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(table: list[Row]) -> bytes:
    # Imported here: openpyxl pulls in numpy (~45 ms and OpenBLAS threads in every web worker
    # that imports this module, which every worker does through the audit pages' URLs).
    from openpyxl import Workbook  # noqa: PLC0415 - only the export needs it

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Nhật ký truy cập")
    for column, width in zip("ABCDEFGH", (20, 16, 16, 14, 30, 36, 36, 24), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    sheet.append(HEADERS)
    for row in table:
        sheet.append(_cells(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
