"""Versioned health-book entries (history, allergies, chronic conditions, vaccinations): the
form's rules, adding one, and correcting one with an optimistic version check. Every write is
audited. services.py re-exports these."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from kcb06.audit.services import Action, record_about
from kcb06.errors import DomainError, NotFound
from kcb06.facilities.models import Role
from kcb06.healthbook import icd10
from kcb06.healthbook.access import PURPOSE_CARE, confidential_visible, require_access
from kcb06.healthbook.icd10 import FieldError
from kcb06.healthbook.models import (
    BookEntry,
    EntryKind,
    Severity,
)
from kcb06.healthbook.text import fold as fold_name
from kcb06.visits.models import Visit, VisitStatus


def _parse_date(value, field_name: str, *, past: bool = False, label: str = "Ngày") -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value).strip())
        except ValueError:
            raise FieldError(
                field_name, f"{label} không hợp lệ (năm-tháng-ngày).", "Invalid date."
            ) from None
    if past and value > timezone.localdate():
        raise FieldError(
            field_name,
            f"{label} không thể ở tương lai (sự việc đã xảy ra).",
            "A past event cannot be dated in the future.",
        )
    return value


def clean_entry(data: dict) -> dict:
    kind = (data.get("kind") or "").strip()
    if kind not in EntryKind.values:
        raise FieldError("kind", "Loại mục không hợp lệ.", "Unknown entry kind.")
    title = (data.get("title") or "").strip()
    if not title:
        msg = {
            EntryKind.ALLERGY: ("Cần ghi chất gây dị ứng.", "The allergy needs a substance."),
            EntryKind.BLOOD_GROUP: ("Cần ghi nhóm máu.", "Blood group is required."),
        }.get(kind, ("Cần ghi nội dung.", "Content is required."))
        raise FieldError("title", *msg)
    severity = (data.get("severity") or "").strip()
    if severity and severity not in Severity.values:
        raise FieldError("severity", "Mức độ không hợp lệ.", "Invalid severity.")
    if kind == EntryKind.ALLERGY and not severity:
        raise FieldError("severity", "Cần chọn mức độ dị ứng.", "Allergy severity is required.")
    code = (data.get("code") or "").strip()
    if code and kind in (EntryKind.CHRONIC, EntryKind.FAMILY, EntryKind.DISABILITY):
        code = icd10.validate(code, "code")
    status = data.get("status") or "active"
    if status not in ("active", "resolved", "entered_in_error"):
        raise FieldError("status", "Tình trạng không hợp lệ.", "Invalid status.")
    return {
        "kind": kind,
        "title": title[:255],
        "code": code[:20],
        "severity": severity,
        "reaction": (data.get("reaction") or "").strip()[:255],
        "detail": (data.get("detail") or "").strip(),
        "event_date": _parse_date(data.get("event_date"), "event_date", past=True),
        "status": status,
        "confidential": data.get("confidential") in (True, "1", "on", "true"),
    }


def _who(principal) -> dict:
    profile = principal.profile
    return {
        "facility_id": principal.facility_id,
        "recorded_by": principal.user,
        "recorded_by_name": getattr(profile, "full_name", "") or principal.user.get_username(),
    }


def _refuse_duplicate_chronic(patient_id: int, clean: dict) -> None:
    """A chronic condition already active in the book is not recorded a second time: same
    ICD-10 category (E11 and E11.9 are one disease), or the same name when neither has a code.
    The clinician corrects the existing entry instead, so the book keeps one line per disease."""
    code, title = clean["code"], fold_name(clean["title"])
    for other in BookEntry.objects.filter(
        patient_id=patient_id, kind=EntryKind.CHRONIC, is_current=True, status="active"
    ):
        same = (
            code[:3] == other.code[:3] if code and other.code else fold_name(other.title) == title
        )
        if same:
            when = timezone.localtime(other.recorded_at).strftime("%d/%m/%Y")
            label = f"{other.code} {other.title}".strip()
            raise FieldError(
                "code" if code else "title",
                f"Bệnh mạn tính này đã có trong sổ: “{label}” (ghi ngày {when}, "
                f"{other.recorded_by_name}). Không ghi lần hai; hãy sửa mục đã có nếu cần.",
                f"This chronic condition is already in the book ({label}); correct that entry.",
                status=409,
            )


def add_entry(principal, patient_id: int, data: dict) -> BookEntry:
    principal.require_role(Role.CLINICIAN)
    require_access(principal, patient_id)
    clean = clean_entry(data)
    with transaction.atomic():
        visit = (
            Visit.objects.filter(
                patient_id=patient_id, facility_id=principal.facility_id, status=VisitStatus.OPEN
            )
            .order_by("-arrived_at")
            .first()
        )
        if clean["kind"] == EntryKind.BLOOD_GROUP:
            # One blood group per person: a new value is a correction of the existing one.
            current = BookEntry.objects.filter(
                confidential_visible(principal.facility_id),
                patient_id=patient_id,
                kind=EntryKind.BLOOD_GROUP,
                is_current=True,
            ).first()
            if current:
                return correct_entry(principal, current.pk, current.version, data)
        if clean["kind"] == EntryKind.CHRONIC:
            _refuse_duplicate_chronic(patient_id, clean)
        entry = BookEntry.objects.create(
            patient_id=patient_id, visit=visit, **clean, **_who(principal)
        )
        record_about(
            principal,
            Action.CREATE,
            "healthbook_entry",
            entry,
            PURPOSE_CARE,
            patient_id=patient_id,
            detail={"kind": entry.kind},
        )
    return entry


class EditConflict(DomainError):
    status = 409

    def __init__(self, current: BookEntry):
        when = timezone.localtime(current.recorded_at).strftime("%H:%M %d/%m/%Y")
        super().__init__(
            "healthbook_conflict",
            f"Mục này vừa được {current.recorded_by_name or 'người khác'} sửa lúc {when} "
            f"thành “{current.title}”"
            + (f" ({current.get_severity_display()})" if current.severity else "")
            + ". Thay đổi của bạn chưa được lưu; hãy xem lại và sửa tiếp nếu cần.",
            f"This entry was changed by {current.recorded_by_name or 'someone else'} at {when}; "
            "your change was not saved. Review it and edit again.",
        )
        self.current = current


def correct_entry(principal, entry_id: int, expected_version: int, data: dict) -> BookEntry:
    """Supersede entry version `expected_version` with the corrected data (optimistic lock)."""
    principal.require_role(Role.CLINICIAN)
    old = BookEntry.objects.filter(confidential_visible(principal.facility_id), pk=entry_id).first()
    if old is None:
        raise NotFound("entry_not_found", "Không tìm thấy mục.", "Entry not found.")
    require_access(principal, old.patient_id)
    merged = {
        "kind": old.kind,
        "title": old.title,
        "code": old.code,
        "severity": old.severity,
        "reaction": old.reaction,
        "detail": old.detail,
        "event_date": old.event_date,
        "status": old.status,
        "confidential": old.confidential,
    }
    merged.update({k: v for k, v in data.items() if k in merged and k != "kind"})
    clean = clean_entry(merged)
    try:
        expected_version = int(expected_version)
    except (TypeError, ValueError):
        raise FieldError("version", "Thiếu phiên bản của mục.", "Missing version.") from None
    with transaction.atomic():
        flipped = BookEntry.objects.filter(
            lineage=old.lineage, version=expected_version, is_current=True
        ).update(is_current=False)
        if not flipped:
            current = BookEntry.objects.filter(lineage=old.lineage, is_current=True).first()
            raise EditConflict(current or old)
        entry = BookEntry.objects.create(
            patient_id=old.patient_id,
            lineage=old.lineage,
            version=expected_version + 1,
            visit=old.visit,
            reason=(data.get("reason") or "").strip()[:255],
            **clean,
            **_who(principal),
        )
        record_about(
            principal,
            Action.UPDATE,
            "healthbook_entry",
            entry,
            PURPOSE_CARE,
            patient_id=old.patient_id,
            detail={"kind": entry.kind, "supersedes": old.pk},
        )
    return entry
