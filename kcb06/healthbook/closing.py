"""Closing a visit: validate the whole closure, write it in one transaction, send the signal.

Split from services.py so each module stays readable; kcb06.healthbook.services.close_visit
is the front door callers use.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from kcb06.audit.services import Action, record
from kcb06.catalogue import services as catalogue
from kcb06.errors import DomainError
from kcb06.healthbook import claimcheck, icd10, signals
from kcb06.healthbook.icd10 import FieldError
from kcb06.healthbook.models import (
    Diagnosis,
    DischargeType,
    Outcome,
    Prescription,
    ProgressNote,
    Result,
    ServiceOrder,
    VisitClosure,
)
from kcb06.healthbook.services import PURPOSE_CARE, _parse_date, require_visit_access
from kcb06.limits import CLOSURE_MAX_ROWS
from kcb06.visits.models import Visit, VisitStatus


def _decimal(value, field_name: str, label: str, *, required=False) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise FieldError(field_name, f"Cần nhập {label}.", f"{label} is required.")
        return None
    try:
        d = Decimal(str(value).replace(",", ".").strip())
    except InvalidOperation:
        raise FieldError(field_name, f"{label} phải là số.", f"{label} must be a number.") from None
    if d < 0 or not d.is_finite():
        raise FieldError(field_name, f"{label} không hợp lệ.", f"Invalid {label}.")
    return d


def _int(value, field_name: str, label: str, lo=0, hi=365) -> int | None:
    if value in (None, ""):
        return None
    try:
        n = int(str(value).strip())
    except ValueError:
        raise FieldError(
            field_name, f"{label} phải là số nguyên.", f"{label} must be an integer."
        ) from None
    if not lo <= n <= hi:
        raise FieldError(field_name, f"{label} phải từ {lo} đến {hi}.", f"{label} out of range.")
    return n


@dataclass
class CleanClosure:
    fields: dict
    diagnoses: list[tuple[str, str]]  # (code, name), main first
    prescriptions: list[dict]
    results: list[dict]
    services: list[dict] = field(default_factory=list)
    progress_notes: list[str] = field(default_factory=list)


def _check_row_counts(data: dict) -> None:
    """At most CLOSURE_MAX_ROWS rows of each kind: checked before any row is read, so a body
    of 200,000 rows costs a 400, not a minute of validation."""
    for key, label_vi in (
        ("prescriptions", "dòng thuốc"),
        ("results", "dòng kết quả"),
        ("services", "dòng dịch vụ"),
        ("progress_notes", "dòng diễn biến"),
    ):
        rows = data.get(key) or []
        if len(rows) > CLOSURE_MAX_ROWS:
            raise DomainError(
                "too_many_rows",
                f"Số dòng quá nhiều: tối đa {CLOSURE_MAX_ROWS} {label_vi}.",
                f"At most {CLOSURE_MAX_ROWS} rows of {key}.",
            )


def _version(value) -> int | None:
    """The closure version the clinician saw (a hidden field): a whole number, or None."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise DomainError(
            "closure_version_invalid",
            "Phiên bản của lần kết thúc khám không hợp lệ: hãy tải lại trang.",
            "version must be a whole number; reload the visit first.",
        )
    return int(text)


def _item_id(value, field_name: str) -> int | None:
    """The catalogue row the clinician picked (a hidden field the search fills)."""
    text = str(value or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        raise FieldError(
            field_name,
            "Dòng đã chọn từ danh mục không hợp lệ: hãy chọn lại từ danh mục.",
            "catalogue_id must be a catalogue row id.",
        )
    return int(text)


def _not_in_catalogue(field_name: str, what: str, label: str, on) -> FieldError:
    return FieldError(
        field_name,
        f"{what} “{label}” không có trong danh mục của cơ sở còn hiệu lực ngày "
        f"{on:%d/%m/%Y}. Hãy chọn từ danh mục; thuốc ngoài danh mục thì xóa mã để ghi "
        "thành lời dặn (không tính vào hồ sơ BHYT).",
        f"{label!r} is not in the facility's catalogue valid on {on:%Y-%m-%d}.",
    )


def _prescription(visit: Visit, i: int, p: dict) -> dict | None:
    """One drug line. Picked from the catalogue (catalogue_id) or named by its code, it takes
    codes, tender data and price from the catalogue row valid on the visit's date. Without
    either it is free text: kept in the book and on the prescription as a note, never a claim
    line (billable False). A facility that has no drug catalogue yet keeps typed codes."""
    name = (p.get("drug_name") or "").strip()
    code = (p.get("drug_code") or "").strip()
    item_id = _item_id(p.get("catalogue_id"), f"prescriptions.{i}.drug_name")
    if not (name or code or item_id) and not any(
        (p.get(k) or "") for k in ("dose", "duration_days", "quantity")
    ):
        return None  # an empty form row
    on = visit.visit_date
    row = None
    if item_id or code:
        row = catalogue.row_on(visit.facility_id, "drugs", on, item_id=item_id, code=code)
        if row is None and (item_id or catalogue.has_rows(visit.facility_id, "drugs")):
            raise _not_in_catalogue(f"prescriptions.{i}.drug_code", "Thuốc", name or code, on)
    if row is not None:
        name = row.name
    if not name:
        raise FieldError(
            f"prescriptions.{i}.drug_name", "Cần ghi tên thuốc.", "Drug name is required."
        )
    dose = (p.get("dose") or "").strip()
    if not dose:
        raise FieldError(
            f"prescriptions.{i}.dose",
            f"Thuốc “{name}”: cần ghi liều dùng (ví dụ: 1 viên × 2 lần/ngày).",
            f"Drug {name!r}: dose is required.",
        )
    line = {
        "drug_code": code[:255],
        "drug_name": name[:1024],
        "strength": (p.get("strength") or "").strip()[:1024],
        "route": (p.get("route") or "").strip()[:4],
        "dose": dose[:1024],
        "duration_days": _int(
            p.get("duration_days"), f"prescriptions.{i}.duration_days", "Số ngày dùng", 1, 365
        ),
        "quantity": _decimal(p.get("quantity"), f"prescriptions.{i}.quantity", "Số lượng")
        or Decimal(0),
        "unit": (p.get("unit") or "").strip()[:50],
        "unit_price": _decimal(p.get("unit_price"), f"prescriptions.{i}.unit_price", "Đơn giá")
        or Decimal(0),
        "billable": bool(code),
    }
    if row is not None:
        line.update(
            drug_code=row.code,
            strength=row.strength,
            route=row.route or line["route"],
            unit=row.unit or line["unit"],
            unit_price=row.price,
            registration=row.registration,
            tender=row.tender,
            scope=row.scope,
            group_code=row.group,
            catalogue_item=row,
            billable=True,
        )
    return line


def _service(visit: Visit, i: int, sv: dict) -> dict | None:
    """One service line: from the service catalogue row valid on the visit's date when the
    facility has one (code, name, price and MA_NHOM from the row), else as typed."""
    code = (sv.get("service_code") or "").strip()
    name = (sv.get("service_name") or "").strip()
    item_id = _item_id(sv.get("catalogue_id"), f"services.{i}.service_code")
    if not code and not name and not item_id:
        return None
    on = visit.visit_date
    row = None
    if item_id or code:
        row = catalogue.row_on(visit.facility_id, "services", on, item_id=item_id, code=code)
    if row is None and (item_id or catalogue.has_rows(visit.facility_id, "services")):
        raise _not_in_catalogue(f"services.{i}.service_code", "Dịch vụ", name or code, on)
    line = {
        "service_code": code[:50],
        "service_name": name[:1024],
        "group_code": _int(sv.get("group_code") or 1, f"services.{i}.group_code", "Mã nhóm", 1, 99),
        "quantity": _decimal(sv.get("quantity"), f"services.{i}.quantity", "Số lượng")
        or Decimal(1),
        "unit_price": _decimal(sv.get("unit_price"), f"services.{i}.unit_price", "Đơn giá")
        or Decimal(0),
    }
    if row is not None:
        line.update(
            service_code=row.code,
            service_name=row.name,
            group_code=row.group,
            unit_price=row.price,
            catalogue_item=row,
        )
    elif not code or not name:
        raise FieldError(
            f"services.{i}.service_code",
            "Dịch vụ cần cả mã (MA_DICH_VU) và tên.",
            "A service needs both a code and a name.",
        )
    return line


def clean_closure(visit: Visit, data: dict) -> CleanClosure:
    """Validate a closure form/API body; raises FieldError naming the first bad field."""
    _check_row_counts(data)
    main = icd10.validate(data.get("main_icd10") or "", "main_icd10")
    secondary_raw = data.get("secondary_icd10") or []
    if isinstance(secondary_raw, str):
        secondary_raw = [c for c in secondary_raw.replace(",", ";").split(";")]
    secondary = []
    for i, code in enumerate(c for c in secondary_raw if c and c.strip()):
        norm = icd10.validate(code, f"secondary_icd10.{i}")
        if norm != main and norm not in secondary:
            secondary.append(norm)
    if len(secondary) > 12:
        raise FieldError(
            "secondary_icd10", "Tối đa 12 mã bệnh kèm theo.", "At most 12 secondary codes."
        )
    vi = icd10.vietnamese_names([main, *secondary])
    diagnoses = [(c, icd10.display_name(c, vi)) for c in [main, *secondary]]

    outcome = str(data.get("outcome") or "").strip()
    if outcome not in Outcome.values:
        raise FieldError("outcome", "Cần chọn kết quả điều trị.", "Treatment outcome is required.")
    discharge = str(data.get("discharge_type") or "").strip()
    if discharge not in DischargeType.values:
        raise FieldError("discharge_type", "Cần chọn loại ra viện.", "Discharge type is required.")
    today = timezone.localdate()
    follow_up = _parse_date(data.get("follow_up_date"), "follow_up_date", label="Ngày tái khám")
    if follow_up and follow_up <= today:
        raise FieldError(
            "follow_up_date",
            "Ngày tái khám phải sau hôm nay.",
            "The follow-up date must be after today.",
        )
    leave_days = _int(data.get("sick_leave_days"), "sick_leave_days", "Số ngày nghỉ", 1, 180)
    leave_from = _parse_date(data.get("sick_leave_from"), "sick_leave_from", label="Ngày nghỉ")
    leave_to = None
    if leave_days:
        leave_from = leave_from or today
        leave_to = leave_from + timedelta(days=leave_days - 1)
    final_text = (data.get("final_diagnosis_text") or "").strip() or "; ".join(
        f"{c} {n}".strip() for c, n in diagnoses
    )
    fields = {
        "admission_diagnosis": (data.get("admission_diagnosis") or visit.reason or "").strip(),
        "final_diagnosis_text": final_text,
        "main_icd10": main,
        "treatment_summary": (data.get("treatment_summary") or "").strip(),
        "outcome": outcome,
        "discharge_type": discharge,
        "follow_up_date": follow_up,
        "sick_leave_days": leave_days,
        "sick_leave_from": leave_from if leave_days else None,
        "sick_leave_to": leave_to,
        "note": (data.get("note") or "").strip(),
        "weight_kg": _decimal(data.get("weight_kg"), "weight_kg", "Cân nặng"),
    }
    if fields["weight_kg"] is not None and not Decimal("0.3") <= fields["weight_kg"] <= 400:
        raise FieldError("weight_kg", "Cân nặng phải từ 0,3 đến 400 kg.", "Weight out of range.")

    prescriptions = [
        _prescription(visit, i, p) for i, p in enumerate(data.get("prescriptions") or [])
    ]
    prescriptions = [p for p in prescriptions if p is not None]
    results = []
    for i, r in enumerate(data.get("results") or []):
        name = (r.get("indicator_name") or "").strip()
        if not name and not (r.get("value") or r.get("conclusion")):
            continue
        if not name:
            raise FieldError(
                f"results.{i}.indicator_name", "Cần ghi tên chỉ số.", "Indicator name is required."
            )
        results.append(
            {
                "service_code": (r.get("service_code") or "").strip()[:50],
                "indicator_code": (r.get("indicator_code") or "").strip()[:50],
                "indicator_name": name[:255],
                "value": (r.get("value") or "").strip()[:50],
                "unit": (r.get("unit") or "").strip()[:50],
                "description": (r.get("description") or "").strip(),
                "conclusion": (r.get("conclusion") or "").strip(),
            }
        )
    services = [_service(visit, i, sv) for i, sv in enumerate(data.get("services") or [])]
    services = [sv for sv in services if sv is not None]
    notes = [str(n).strip() for n in (data.get("progress_notes") or []) if str(n or "").strip()]
    return CleanClosure(fields, diagnoses, prescriptions, results, services, notes)


def _snapshot(closure: VisitClosure) -> dict:
    visit = closure.visit
    return {
        "version": closure.version,
        "closed_at": closure.closed_at.isoformat(),
        "closed_by": closure.closed_by_id,
        **{
            k: (str(getattr(closure, k)) if getattr(closure, k) is not None else None)
            for k in (
                "main_icd10",
                "final_diagnosis_text",
                "treatment_summary",
                "outcome",
                "discharge_type",
                "follow_up_date",
                "sick_leave_days",
                "note",
                "weight_kg",
            )
        },
        "diagnoses": [d.icd10 for d in visit.diagnoses.order_by("position")],
        "prescriptions": [
            {"drug_name": p.drug_name, "dose": p.dose, "duration_days": p.duration_days}
            for p in visit.prescriptions.all()
        ],
    }


def close_visit(principal, visit, data: dict) -> VisitClosure:
    """Close (or, with `version` of the existing closure, correct) a visit in ONE transaction.

    Sends signals.visit_closed (first closure) or visit_corrected (later) inside the
    transaction, so the interchange outbox row commits or rolls back with the closure."""
    visit_id = visit.pk if isinstance(visit, Visit) else int(visit)
    with transaction.atomic():
        visit = require_visit_access(principal, visit_id, for_update=True)
        if visit.status == VisitStatus.CANCELLED:
            raise DomainError(
                "visit_cancelled", "Đợt khám đã bị hủy.", "The visit was cancelled.", status=409
            )
        clean = clean_closure(visit, data)
        now = timezone.now()
        existing = VisitClosure.objects.filter(visit=visit).first()
        if existing is not None:
            expected = _version(data.get("version"))
            if expected is None or expected != existing.version:
                raise DomainError(
                    "closure_conflict",
                    f"Đợt khám đã được kết thúc (phiên bản {existing.version}) lúc "
                    f"{timezone.localtime(existing.closed_at):%H:%M %d/%m/%Y} với chẩn đoán "
                    f"{existing.main_icd10}. Hãy tải lại trang để xem trước khi sửa.",
                    f"The visit was already closed (version {existing.version}); reload first.",
                    status=409,
                )
            history = [*existing.history, _snapshot(existing)]
            for k, v in clean.fields.items():
                setattr(existing, k, v)
            existing.history = history
            existing.version += 1
            existing.closed_by = principal.user
            existing.closed_at = now
            existing.save()
            closure = existing
            visit.diagnoses.all().delete()
            visit.prescriptions.all().delete()
            visit.results.all().delete()
            visit.services.all().delete()
            visit.progress_notes.all().delete()
        else:
            closure = VisitClosure.objects.create(
                visit=visit, closed_by=principal.user, closed_at=now, **clean.fields
            )
        Diagnosis.objects.bulk_create(
            [
                Diagnosis(visit=visit, icd10=c, name=n[:512], is_main=(i == 0), position=i)
                for i, (c, n) in enumerate(clean.diagnoses)
            ]
        )
        Prescription.objects.bulk_create(
            [
                Prescription(visit=visit, ordered_at=now, prescriber=principal.user, **p)
                for p in clean.prescriptions
            ]
        )
        Result.objects.bulk_create([Result(visit=visit, result_at=now, **r) for r in clean.results])
        ServiceOrder.objects.bulk_create(
            [
                ServiceOrder(
                    visit=visit,
                    ordered_at=visit.arrived_at,
                    performed_at=visit.arrived_at,
                    performer=principal.user,
                    **sv,
                )
                for sv in clean.services
            ]
        )
        ProgressNote.objects.bulk_create(
            [
                ProgressNote(visit=visit, text=t, at=now, author=principal.user)
                for t in clean.progress_notes
            ]
        )
        claimcheck.check(visit, principal, data)  # raises: the whole closing rolls back
        first = existing is None
        if first or visit.status != VisitStatus.CLOSED:
            visit.status = VisitStatus.CLOSED
            visit.closed_at = now
            visit.save(update_fields=["status", "closed_at", "updated_at"])
        record(
            principal,
            Action.UPDATE,
            object_type="visit_closure",
            object_id=visit.pk,
            patient_id=visit.patient_id,
            purpose=PURPOSE_CARE,
            detail={"version": closure.version, "main_icd10": closure.main_icd10},
        )
        (signals.visit_closed if first else signals.visit_corrected).send(
            sender=VisitClosure, visit=visit, principal=principal
        )
    return closure
