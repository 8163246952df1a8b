"""The closure form (page or API body) validated section by section: diagnoses, the closing
fields (outcome, discharge, follow-up, sick leave, weight), prescriptions, results, services
and progress notes. Each section's cleaner raises FieldError naming the first bad field; the
sections run in the form's order, so the first error is the same as before the split.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from kcb06.catalogue import services as catalogue
from kcb06.errors import DomainError
from kcb06.healthbook import icd10
from kcb06.healthbook.entries import _parse_date
from kcb06.healthbook.icd10 import FieldError
from kcb06.healthbook.models import DischargeType, Outcome
from kcb06.limits import CLOSURE_MAX_ROWS, CLOSURE_MAX_SECONDARY
from kcb06.visits.models import Visit


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


def clean_closure(visit: Visit, data: dict) -> CleanClosure:
    """Validate a closure form/API body; raises FieldError naming the first bad field."""
    _check_row_counts(data)
    diagnoses = clean_diagnoses(data)
    fields = clean_fields(visit, data, diagnoses)
    return CleanClosure(
        fields,
        diagnoses,
        clean_prescriptions(visit, data.get("prescriptions") or []),
        clean_results(data.get("results") or []),
        clean_services(visit, data.get("services") or []),
        clean_progress_notes(data.get("progress_notes") or []),
    )


def clean_diagnoses(data: dict) -> list[tuple[str, str]]:
    """(code, name) of the main diagnosis and the secondary ones, main first, no repeats."""
    main = icd10.validate(data.get("main_icd10") or "", "main_icd10")
    secondary_raw = data.get("secondary_icd10") or []
    if isinstance(secondary_raw, str):
        secondary_raw = [c for c in secondary_raw.replace(",", ";").split(";")]
    secondary = []
    for i, code in enumerate(c for c in secondary_raw if c and c.strip()):
        norm = icd10.validate(code, f"secondary_icd10.{i}")
        if norm != main and norm not in secondary:
            secondary.append(norm)
    if len(secondary) > CLOSURE_MAX_SECONDARY:
        raise FieldError(
            "secondary_icd10", "Tối đa 12 mã bệnh kèm theo.", "At most 12 secondary codes."
        )
    vi = icd10.vietnamese_names([main, *secondary])
    return [(c, icd10.display_name(c, vi)) for c in [main, *secondary]]


TRANSFERS = {DischargeType.TRANSFERRED, DischargeType.TRANSFERRED_REQUEST}


def _referral(discharge: str, data: dict) -> dict:
    """A transfer needs its destination (MA_CSKCB of the receiving facility: 5 characters,
    digits or capital letters), how the patient travels and their condition at transfer."""
    if discharge not in TRANSFERS:
        return {"referral_to": "", "referral_condition": "", "referral_transport": ""}
    to = _required(
        data,
        "referral_to",
        "mã cơ sở khám chữa bệnh nơi chuyển đến (5 ký tự)",
        "the receiving facility's code",
    ).upper()
    if len(to) != 5 or not all(c.isascii() and c.isalnum() for c in to):
        raise FieldError(
            "referral_to",
            "Mã cơ sở nơi chuyển đến phải gồm đúng 5 chữ số hoặc chữ cái in hoa (ví dụ 27001).",
            "The receiving facility's code must be 5 digits or capital letters.",
        )
    transport = _required(
        data,
        "referral_transport",
        "phương tiện vận chuyển (ví dụ: xe cứu thương, tự túc)",
        "the means of transport",
    )
    condition = _required(
        data,
        "referral_condition",
        "tình trạng người bệnh lúc chuyển",
        "the patient's condition at transfer",
    )
    return {
        "referral_to": to,
        "referral_condition": condition,
        "referral_transport": transport[:255],
    }


def _required(data: dict, field: str, what_vi: str, what_en: str) -> str:
    """A transfer's field that must be written (stripped)."""
    value = (data.get(field) or "").strip()
    if not value:
        raise FieldError(
            field, f"Chuyển tuyến: cần ghi {what_vi}.", f"Transfer: {what_en} is required."
        )
    return value


def clean_fields(visit: Visit, data: dict, diagnoses: list[tuple[str, str]]) -> dict:
    """The VisitClosure's own fields."""
    outcome = str(data.get("outcome") or "").strip()
    if outcome not in Outcome.values:
        raise FieldError("outcome", "Cần chọn kết quả điều trị.", "Treatment outcome is required.")
    discharge = str(data.get("discharge_type") or "").strip()
    if discharge not in DischargeType.values:
        raise FieldError("discharge_type", "Cần chọn loại ra viện.", "Discharge type is required.")
    follow_up = _follow_up(data)
    leave_days, leave_from, leave_to = _sick_leave(data)
    referral = _referral(discharge, data)
    employer = (data.get("sick_leave_employer") or "").strip()
    # Without an employer the claim check names this field (XML11 DON_VI is required).
    if len(employer) > 1024:
        raise FieldError(
            "sick_leave_employer",
            "Tên đơn vị làm việc dài quá 1024 ký tự.",
            "Employer name longer than 1024 characters.",
        )
    final_text = (data.get("final_diagnosis_text") or "").strip() or "; ".join(
        f"{c} {n}".strip() for c, n in diagnoses
    )
    fields = {
        "admission_diagnosis": (data.get("admission_diagnosis") or visit.reason or "").strip(),
        "final_diagnosis_text": final_text,
        "main_icd10": diagnoses[0][0],
        "treatment_summary": (data.get("treatment_summary") or "").strip(),
        "outcome": outcome,
        "discharge_type": discharge,
        "follow_up_date": follow_up,
        "sick_leave_days": leave_days,
        "sick_leave_from": leave_from,
        "sick_leave_to": leave_to,
        "note": (data.get("note") or "").strip(),
        "weight_kg": _decimal(data.get("weight_kg"), "weight_kg", "Cân nặng"),
        **referral,
        "sick_leave_employer": employer if leave_days else "",
    }
    if fields["weight_kg"] is not None and not Decimal("0.3") <= fields["weight_kg"] <= 400:
        raise FieldError("weight_kg", "Cân nặng phải từ 0,3 đến 400 kg.", "Weight out of range.")
    return fields


def _follow_up(data: dict):
    follow_up = _parse_date(data.get("follow_up_date"), "follow_up_date", label="Ngày tái khám")
    if follow_up and follow_up <= timezone.localdate():
        raise FieldError(
            "follow_up_date",
            "Ngày tái khám phải sau hôm nay.",
            "The follow-up date must be after today.",
        )
    return follow_up


def _sick_leave(data: dict) -> tuple:
    """(days, first day, last day) of sick leave; a leave without a first day starts today."""
    leave_days = _int(data.get("sick_leave_days"), "sick_leave_days", "Số ngày nghỉ", 1, 180)
    leave_from = _parse_date(data.get("sick_leave_from"), "sick_leave_from", label="Ngày nghỉ")
    if not leave_days:
        return leave_days, None, None
    leave_from = leave_from or timezone.localdate()
    return leave_days, leave_from, leave_from + timedelta(days=leave_days - 1)


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


def _row_on_visit_day(visit: Visit, slug: str, item_id, code: str, where: tuple[str, str, str]):
    """The `slug` catalogue row valid on the visit's date that the line names (by id or by
    code); None only while the facility has no such catalogue (a typed code is kept as typed).
    `where`: the field, what the line is and its label, for the refusal."""
    on = visit.visit_date
    row = None
    if item_id or code:
        row = catalogue.row_on(visit.facility_id, slug, on, item_id=item_id, code=code)
    if row is None and (item_id or catalogue.has_rows(visit.facility_id, slug)):
        raise _not_in_catalogue(*where, on)
    return row


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
    row = None
    if item_id or code:  # else free text, a note
        where = (f"prescriptions.{i}.drug_code", "Thuốc", name or code)
        row = _row_on_visit_day(visit, "drugs", item_id, code, where)
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
    where = (f"services.{i}.service_code", "Dịch vụ", name or code)
    row = _row_on_visit_day(visit, "services", item_id, code, where)
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


def clean_prescriptions(visit: Visit, rows: list) -> list[dict]:
    """The drugs prescribed, each from the catalogue or free text (a note); empty form rows
    are skipped."""
    return [p for p in (_prescription(visit, i, p) for i, p in enumerate(rows)) if p]


def clean_results(rows: list) -> list[dict]:
    """Test results (one indicator each); empty form rows are skipped."""
    results = []
    for i, r in enumerate(rows):
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
    return results


def clean_services(visit: Visit, rows: list) -> list[dict]:
    """Services performed, from the service catalogue when the facility has one; empty form
    rows are skipped."""
    return [sv for sv in (_service(visit, i, sv) for i, sv in enumerate(rows)) if sv]


def clean_progress_notes(rows: list) -> list[str]:
    return [str(n).strip() for n in rows if str(n or "").strip()]
