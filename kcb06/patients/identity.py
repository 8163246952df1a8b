"""A patient's identity data (name, date of birth, sex, address) changes only on evidence, with
history.

What counts as evidence (docs/reception.md, "Identity data: evidence and history"):
- a chip-card QR (or a VNeID authentication) whose name, date of birth and sex agree with the
  record: it may bring the card's spelling of the name (the same words, e.g. with diacritics)
  and the card's address. A QR that contradicts the stored name, date of birth or sex is a
  difference to show to staff, never an overwrite: a QR is plain text and anybody can print one;
- a clerk's correction from documents, with a reason;
- a facility admin's revert of an earlier change, with a reason.
A typed number, and the name and date of birth a clerk types next to it, are never evidence.

Every applied change is one IdentityChange row (old and new values, who, where, when, why,
evidence) and one audit entry, in the transaction of the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from kcb06.audit.services import Action, read_personal, record_about
from kcb06.errors import DomainError, Forbidden, NotFound
from kcb06.facilities.models import Role
from kcb06.patients.models import IdentityChange, IdentityEvidence, Patient, Sex
from kcb06.patients.names import name_key

FIELDS = ("full_name", "date_of_birth", "sex", "address")
LABELS = {
    "full_name": "Họ và tên",
    "date_of_birth": "Ngày sinh",
    "sex": "Giới tính",
    "address": "Địa chỉ",
}
CORRECT_ROLES = (Role.RECEPTION, Role.FACILITY_ADMIN)
REVERT_ROLES = (Role.FACILITY_ADMIN,)
HISTORY_ROLES = (Role.FACILITY_ADMIN, Role.AUDITOR)
SCAN_EVIDENCE = {"cccd_qr": IdentityEvidence.CHIP_SCAN, "vneid_qr": IdentityEvidence.VNEID}


@dataclass(frozen=True)
class Difference:
    """One field where what was scanned or typed differs from the record."""

    field: str
    stored: str
    presented: str

    @property
    def label(self) -> str:
        return LABELS[self.field]

    def as_dict(self) -> dict:
        return {"field": self.field, "stored": self.stored, "presented": self.presented}


# --- comparing ---------------------------------------------------------------------------------


def _spaces(text: str) -> str:
    return " ".join((text or "").split())


def shown(field: str, value) -> str:
    """A field's value as staff read it (dates dd/mm/yyyy, sex in Vietnamese)."""
    if value in (None, ""):
        return ""
    if field == "date_of_birth":
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return f"{value:%d/%m/%Y}"
    if field == "sex":
        return str(Sex(value).label) if value in Sex.values else str(value)
    return str(value)


def _stored_birth(patient: Patient) -> str:
    if patient.date_of_birth:
        return shown("date_of_birth", patient.date_of_birth)
    return str(patient.birth_year or "")


def same_person(patient: Patient, person) -> bool:
    """Whether what was presented agrees with the record on name (folded: diacritics, case and
    word order aside), date of birth and sex: the condition for a scan to count as evidence."""
    if not person.full_name or name_key(person.full_name) != patient.name_key:
        return False
    if person.date_of_birth is not None:
        if patient.date_of_birth != person.date_of_birth:
            return False
    elif person.birth_year and person.birth_year != patient.birth_year:
        return False
    return not person.sex or person.sex == patient.sex


def differences(patient: Patient, person) -> list[Difference]:
    """Every field the scan or the clerk gave that differs from the record (no query)."""
    out = []
    name = _spaces(person.full_name)
    if name and name != patient.full_name:
        out.append(Difference("full_name", patient.full_name, name))
    if person.date_of_birth is not None and person.date_of_birth != patient.date_of_birth:
        out.append(
            Difference(
                "date_of_birth",
                _stored_birth(patient),
                shown("date_of_birth", person.date_of_birth),
            )
        )
    if person.sex and person.sex != patient.sex:
        out.append(Difference("sex", shown("sex", patient.sex), shown("sex", person.sex)))
    address = _spaces(person.address)
    if address and address != patient.address:
        out.append(Difference("address", patient.address, address))
    return out


def scan_update(patient: Patient, person, kind: str) -> dict:
    """What a scan of `kind` may change in the record: nothing unless it is a chip-card QR or a
    VNeID authentication that agrees on name, date of birth and sex; then the card's spelling
    of the name and its address. No query."""
    if kind not in SCAN_EVIDENCE or not same_person(patient, person):
        return {}
    changes = {}
    name = _spaces(person.full_name)
    if name != patient.full_name:
        changes["full_name"] = name
    address = _spaces(person.address)
    if address and address != patient.address:
        changes["address"] = address
    return changes


# --- applying ------------------------------------------------------------------------------------


def _stored(patient: Patient, field: str):
    value = getattr(patient, field)
    if field == "date_of_birth":
        return value.isoformat() if value else None
    return value


def _set(patient: Patient, field: str, value) -> list[str]:
    """Set one field (with the columns derived from it); the columns to save."""
    if field == "full_name":
        patient.full_name = value
        patient.name_key = name_key(value)
        return ["full_name", "name_key"]
    if field == "date_of_birth":
        if value is None:
            patient.date_of_birth = None
            patient.dob_precision = "year"
            return ["date_of_birth", "dob_precision"]
        value = date.fromisoformat(value) if isinstance(value, str) else value
        patient.date_of_birth = value
        patient.birth_year = value.year
        patient.dob_precision = "day"
        return ["date_of_birth", "birth_year", "dob_precision"]
    setattr(patient, field, value)
    return [field]


def apply(
    patient: Patient,
    changes: dict,
    *,
    evidence: str,
    principal,
    reason: str = "",
    reverts: IdentityChange | None = None,
    purpose: str = "",
) -> IdentityChange | None:
    """Write `changes` ({field: new value}) to the record with its history row and audit entry.
    Call inside the transaction that holds the patient's row."""
    diff = {}
    columns: list[str] = []
    for field, new in changes.items():
        old = _stored(patient, field)
        if isinstance(new, date):
            new = new.isoformat()
        if old == new:
            continue
        diff[field] = {"old": old, "new": new}
        columns += _set(patient, field, new)
    if not diff:
        return None
    patient.save(update_fields=[*dict.fromkeys(columns), "updated_at"])
    profile = getattr(principal, "profile", None)
    user = getattr(principal, "user", None)
    change = IdentityChange.objects.create(
        patient=patient,
        changes=diff,
        evidence=evidence,
        reason=(reason or "")[:512],
        facility_id=getattr(profile, "facility_id", None),
        changed_by=user if getattr(user, "pk", None) else None,
        changed_by_name=(getattr(profile, "full_name", "") or getattr(user, "username", ""))[:255],
        reverts=reverts,
    )
    record_about(
        principal,
        Action.UPDATE,
        "patient_identity",
        change,
        purpose or f"identity_{evidence}",
        patient_id=patient.pk,
        detail={"evidence": evidence, "changes": diff, "reason": change.reason},
    )
    return change


# --- staff actions ------------------------------------------------------------------------------


def _reason(reason: str) -> str:
    reason = _spaces(reason)
    if len(reason) < 5:
        raise DomainError(
            "reason_required",
            "Cần ghi lý do (ít nhất 5 ký tự), ví dụ: theo CCCD bản gốc người bệnh xuất trình.",
            "A reason (at least 5 characters) is required.",
        )
    return reason


def _patient_in_scope(principal, patient_id: int) -> Patient:
    """The patient's row, locked, if known at the principal's facility."""
    from kcb06.patients import services as mpi

    patient = mpi._scope(principal).select_for_update().filter(pk=patient_id).first()
    if patient is None:
        raise NotFound(
            "patient_not_found",
            "Không tìm thấy người bệnh (hoặc không thuộc cơ sở của bạn).",
            "Patient not found (or not at your facility).",
        )
    return patient


def clean_correction(data: dict) -> dict:
    """The clerk's corrected values: only the fields given, each checked."""
    out = {}
    name = _spaces(data.get("full_name") or "")
    if name:
        if len(name) > 255 or any(ch.isdigit() for ch in name):
            raise DomainError(
                "invalid_full_name",
                "Họ tên không hợp lệ (không chứa chữ số, tối đa 255 ký tự).",
                "Invalid full name.",
            )
        out["full_name"] = name
    dob = data.get("date_of_birth")
    if dob:
        if isinstance(dob, str):
            try:
                dob = date.fromisoformat(dob.strip())
            except ValueError:
                dob = None
        if not isinstance(dob, date) or dob > date.today() or dob.year < 1900:
            raise DomainError(
                "invalid_date_of_birth",
                "Ngày sinh không hợp lệ (ngày/tháng/năm, không ở tương lai).",
                "Invalid date of birth.",
            )
        out["date_of_birth"] = dob
    sex = data.get("sex") or ""
    if sex:
        if sex not in Sex.values:
            raise DomainError("invalid_sex", "Giới tính không hợp lệ.", "Invalid sex.")
        out["sex"] = sex
    address = _spaces(data.get("address") or "")
    if address:
        out["address"] = address[:1024]
    return out


def correct(principal, patient_id: int, data: dict, reason: str) -> IdentityChange:
    """A clerk corrects the record from the documents the patient shows, with a reason."""
    principal.require_role(*CORRECT_ROLES)
    reason = _reason(reason)
    changes = clean_correction(data)
    with transaction.atomic():
        patient = _patient_in_scope(principal, patient_id)
        change = apply(
            patient,
            changes,
            evidence=IdentityEvidence.CLERK_CORRECTION,
            principal=principal,
            reason=reason,
        )
    if change is None:
        raise DomainError(
            "nothing_changed",
            "Thông tin nhập giống hồ sơ: không có gì để sửa.",
            "The values given equal the record: nothing to change.",
        )
    return change


def revert(principal, change_id: int, reason: str) -> IdentityChange:
    """Put back the old values of one change (a new change, evidence "revert"). Refused when a
    later change has touched the same fields: revert that one first."""
    if not principal.has_role(*REVERT_ROLES):
        raise Forbidden(
            "forbidden_role",
            "Chỉ quản trị cơ sở được hoàn tác thay đổi thông tin định danh.",
            "Only a facility administrator may revert an identity change.",
        )
    reason = _reason(reason)
    with transaction.atomic():
        change = IdentityChange.objects.filter(pk=change_id).first()
        if change is None:
            raise NotFound("change_not_found", "Không tìm thấy thay đổi.", "Change not found.")
        patient = _patient_in_scope(principal, change.patient_id)
        if change.reverted_by.exists():
            raise DomainError(
                "change_already_reverted",
                "Thay đổi này đã được hoàn tác.",
                "This change was already reverted.",
                status=409,
            )
        moved = [f for f, v in change.changes.items() if _stored(patient, f) != v["new"]]
        if moved:
            names = ", ".join(LABELS.get(f, f) for f in moved)
            raise DomainError(
                "change_superseded",
                f"{names} đã được thay đổi lại sau lần này; hãy hoàn tác lần thay đổi sau trước.",
                "A later change touched the same fields: revert that one first.",
                status=409,
            )
        return apply(
            patient,
            {f: v["old"] for f, v in change.changes.items()},
            evidence=IdentityEvidence.REVERT,
            principal=principal,
            reason=reason,
            reverts=change,
        )


@dataclass
class ChangeRow:
    change: IdentityChange
    fields: list[tuple[str, str, str]]  # (label, old shown, new shown)
    reverted: bool


def history(principal, patient_id: int) -> tuple[Patient, list[ChangeRow]]:
    """The patient's identity history, newest first, for the facility admin and the auditor of
    a facility that knows the patient; the read is audited."""
    from kcb06.patients import services as mpi

    principal.require_role(*HISTORY_ROLES)

    def fetch():
        patient = mpi._scope(principal).filter(pk=patient_id).first()
        if patient is None:
            raise NotFound(
                "patient_not_found",
                "Không tìm thấy người bệnh (hoặc không thuộc cơ sở của bạn).",
                "Patient not found (or not at your facility).",
            )
        changes = list(
            IdentityChange.objects.filter(patient_id=patient_id)
            .select_related("facility")
            .order_by("-changed_at", "-pk")
        )
        reverted = set(
            IdentityChange.objects.filter(reverts__in=[c.pk for c in changes]).values_list(
                "reverts_id", flat=True
            )
        )
        rows = [
            ChangeRow(
                c,
                [
                    (LABELS.get(f, f), shown(f, v["old"]), shown(f, v["new"]))
                    for f, v in c.changes.items()
                ],
                c.pk in reverted,
            )
            for c in changes
        ]
        return patient, rows

    return read_personal(
        principal,
        fetch,
        what="patient_identity_history",
        patient_id=patient_id,
        purpose="identity_history",
        object_id=patient_id,
    )


def evidence_label(value: str) -> str:
    return str(IdentityEvidence(value).label) if value in IdentityEvidence.values else _(value)


def recent_changes(principal, limit: int = 100) -> list[tuple[IdentityChange, list]]:
    """The latest identity changes of patients known at the principal's facility (the admin's
    and auditor's way in); the read is audited."""
    from kcb06.patients.models import PatientFacility

    principal.require_role(*HISTORY_ROLES)
    ids = principal.patient_data_facility_ids()

    def fetch():
        changes = list(
            IdentityChange.objects.filter(
                patient_id__in=PatientFacility.objects.filter(facility_id__in=ids).values(
                    "patient_id"
                )
            )
            .select_related("patient", "facility")
            .order_by("-changed_at", "-pk")[:limit]
        )
        return [
            (
                c,
                [
                    (LABELS.get(f, f), shown(f, v["old"]), shown(f, v["new"]))
                    for f, v in c.changes.items()
                ],
            )
            for c in changes
        ]

    rows = read_personal(
        principal, fetch, what="identity_changes", patient_id=None, purpose="identity_history"
    )
    return rows
