"""Health-book rules: who may read a book, closing a visit, versioned entries, consent.

Views and the API are thin over these functions; every function that returns health data
audits the read (kcb06.audit.services) in the same transaction.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from kcb06.audit.services import Action, read_personal, record
from kcb06.errors import DomainError, Forbidden, NotFound
from kcb06.facilities.models import Role
from kcb06.healthbook import icd10
from kcb06.healthbook.icd10 import FieldError
from kcb06.healthbook.models import (
    BookEntry,
    Consent,
    Diagnosis,
    EntryKind,
    HealthBook,
    Prescription,
    Result,
    Severity,
    VisitClosure,
)
from kcb06.healthbook.text import fold as fold_name
from kcb06.patients.models import Patient
from kcb06.visits.models import Visit, VisitStatus

# After a visit closes, its clinicians keep access this long (to print the book, correct
# the closure). The brief says "open visit"; see docs/healthbook.md.
GRACE_AFTER_CLOSE = timedelta(hours=24)
PURPOSE_CARE = "khám chữa bệnh"


# --- access ------------------------------------------------------------------------------


def book_for_token(token: str) -> HealthBook:
    book = HealthBook.objects.select_related("patient").filter(token=token or "").first()
    if book is None:
        raise NotFound("book_not_found", "Không tìm thấy sổ sức khỏe.", "Health book not found.")
    return book


def book_of(patient: Patient) -> HealthBook:
    book, _ = HealthBook.objects.get_or_create(patient=patient)
    return book


def access_basis(principal, patient_id: int) -> str | None:
    """Why this principal may read the patient's book ("visit" / "consent"), or None.

    Only clinicians (and the facility admin, for printing on the patient's request) of a
    facility with an open (or just-closed) visit or an unexpired, unrevoked consent. A health
    department never reads a book."""
    if principal is None or principal.profile is None:
        return None
    if principal.role not in (Role.CLINICIAN, Role.FACILITY_ADMIN):
        return None
    if principal.facility_id not in principal.patient_data_facility_ids():
        return None
    now = timezone.now()
    if Visit.objects.filter(
        Q(status=VisitStatus.OPEN) | Q(closed_at__gte=now - GRACE_AFTER_CLOSE),
        patient_id=patient_id,
        facility_id=principal.facility_id,
    ).exists():
        return "visit"
    if Consent.objects.filter(
        patient_id=patient_id,
        facility_id=principal.facility_id,
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).exists():
        return "consent"
    return None


def require_access(principal, patient_id: int) -> str:
    basis = access_basis(principal, patient_id)
    if (
        basis is None
        and principal is not None
        and principal.role
        in (
            Role.CLINICIAN,
            Role.FACILITY_ADMIN,
        )
    ):
        last = (
            Consent.objects.filter(patient_id=patient_id, facility_id=principal.facility_id)
            .order_by("-granted_at")
            .first()
        )
        if last is not None and last.revoked_at is not None:
            raise Forbidden(
                "healthbook_consent_revoked",
                f"Người bệnh đã rút lại đồng ý chia sẻ sổ với cơ sở của bạn lúc "
                f"{timezone.localtime(last.revoked_at):%H:%M %d/%m/%Y}.",
                "The patient revoked the consent for your facility.",
            )
        if last is not None and last.expires_at <= timezone.now():
            raise Forbidden(
                "healthbook_consent_expired",
                f"Đồng ý chia sẻ sổ của người bệnh với cơ sở của bạn đã hết hạn ngày "
                f"{timezone.localtime(last.expires_at):%d/%m/%Y}. Cần người bệnh đồng ý lại.",
                "The patient's consent for your facility has expired.",
            )
    if basis is None:
        raise Forbidden(
            "healthbook_no_access",
            "Bạn chỉ xem được sổ sức khỏe của người bệnh đang khám tại cơ sở mình hoặc đã đồng ý "
            "chia sẻ với cơ sở mình (còn hạn).",
            "You may read a health book only during a visit at your facility or with the "
            "patient's unexpired consent for your facility.",
        )
    return basis


def confidential_visible(reader_facility_id: int | None) -> Q:
    """Which entries a reader of facility `reader_facility_id` sees: every entry not marked
    confidential, the confidential ones its own facility recorded, and those of other
    facilities only while the patient's consent for the reader's facility covers confidential
    entries (docs/healthbook.md, "Confidential entries"). A condition of the entries' own query
    (an EXISTS on the consent), so reading costs no extra statement."""
    covering = Consent.objects.filter(
        patient_id=OuterRef("patient_id"),
        facility_id=reader_facility_id,
        covers_confidential=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    return Q(confidential=False) | Q(facility_id=reader_facility_id) | Q(Exists(covering))


def require_visit_access(principal, visit_id: int, *, for_update: bool = False) -> Visit:
    """A visit of the principal's facility that a clinician may close or correct."""
    principal.require_role(Role.CLINICIAN)
    qs = Visit.objects.select_related("patient", "facility", "department")
    if for_update:
        qs = qs.select_for_update()
    visit = qs.filter(pk=visit_id, facility_id=principal.facility_id).first()
    if visit is None or principal.facility_id not in principal.patient_data_facility_ids():
        raise NotFound("visit_not_found", "Không tìm thấy đợt khám.", "Visit not found.")
    return visit


# --- reading the book ----------------------------------------------------------------------


@dataclass
class BookView:
    """What a reader sees. `full` = every entry and visit (print); otherwise the first
    screen: at most PAGE_ENTRIES entries per section and the PAGE_VISITS latest visits, so
    the clinician's page costs the same whatever the length of the history."""

    patient: Patient
    book: HealthBook
    basis: str
    entries: dict[str, list[BookEntry]] = field(default_factory=dict)
    visits: list[Visit] = field(default_factory=list)
    consents: list = field(default_factory=list)
    full: bool = True
    entry_counts: dict[str, int] = field(default_factory=dict)
    visit_total: int = 0
    running: list = field(default_factory=list)
    follow_up: date | None = None
    _vi_names: dict[str, str] | None = field(default=None, repr=False)

    @property
    def vi_names(self) -> dict[str, str]:
        """Vietnamese names of the ICD-10 codes of the shown diagnoses and entries: catalogue
        data, read on first use (the pages do not show them, so they do not pay for them)."""
        if self._vi_names is None:
            codes = {d.icd10 for v in self.visits for d in v.diagnoses.all()}
            codes |= {e.code for rows in self.entries.values() for e in rows if e.code}
            self._vi_names = icd10.vietnamese_names(codes)
        return self._vi_names

    @property
    def allergies(self):
        rows = [e for e in self.entries.get(EntryKind.ALLERGY, []) if e.status == "active"]
        return sorted(rows, key=lambda e: SEVERITY_RANK.get(e.severity, 3))

    def active(self, kind: str):
        return [e for e in self.entries.get(kind, []) if e.status == "active"]

    @property
    def blood_group(self) -> str:
        rows = self.entries.get(EntryKind.BLOOD_GROUP, [])
        return rows[0].title if rows else ""

    @property
    def last_visit(self):
        closed = [v for v in self.visits if v.status == VisitStatus.CLOSED]
        return closed[0] if closed else None

    @property
    def open_visits(self):
        return [v for v in self.visits if v.status == VisitStatus.OPEN]

    @property
    def more_visits(self) -> int:
        return max(0, self.visit_total - len(self.visits))

    @property
    def next_follow_up(self):
        return self.follow_up

    @property
    def current_medications(self):
        """Book entries of kind medication plus drugs whose course is still running."""
        return self.active(EntryKind.MEDICATION), self.running


SEVERITY_RANK = {Severity.SEVERE: 0, Severity.MODERATE: 1, Severity.MILD: 2, "": 3}
PAGE_ENTRIES = 10
PAGE_VISITS = 10
RUNNING_WINDOW = timedelta(days=400)
# What the first screen shows of a running drug (the rest of the row is never read).
RUNNING_FIELDS = ("visit_id", "drug_name", "strength", "dose", "duration_days", "ordered_at")


def _visits_qs(patient_id: int):
    return (
        Visit.objects.filter(patient_id=patient_id)
        .select_related("facility", "department", "closure")
        .prefetch_related(
            Prefetch("diagnoses", queryset=Diagnosis.objects.order_by("position")),
            "prescriptions",
            Prefetch("results", queryset=Result.objects.order_by("pk")),
        )
        .order_by("-arrived_at", "-pk")
    )


def _entries_qs(
    patient_id: int, per_kind: int | None, *, reader: int | None, with_facility: bool = True
):
    """`reader`: the reading principal's facility (which confidential entries it sees)."""
    from django.db.models import Case, Count, F, IntegerField, Value, When, Window
    from django.db.models.functions import RowNumber

    qs = BookEntry.objects.filter(
        confidential_visible(reader), patient_id=patient_id, is_current=True
    )
    if with_facility:  # its name is shown on the page; print and FHIR do not show it
        qs = qs.annotate(facility_name=F("facility__name"))
    rank = Case(
        When(status="active", severity=Severity.SEVERE, then=Value(0)),
        When(status="active", severity=Severity.MODERATE, then=Value(1)),
        When(status="active", then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    if per_kind:
        # kind_total: the section's size, counted in the same pass (for "Xem tất cả n mục").
        qs = qs.annotate(
            rn=Window(
                RowNumber(),
                partition_by=[F("kind")],
                order_by=[rank.asc(), F("recorded_at").desc(), F("pk").desc()],
            ),
            kind_total=Window(Count("pk"), partition_by=[F("kind")]),
        ).filter(rn__lte=per_kind)
    return qs.annotate(rank=rank).order_by("kind", "rank", "-recorded_at", "-pk")


def _load(patient_id: int, *, full: bool, reader: int | None) -> dict:
    """Entries, visits and first-screen facts in a fixed number of queries."""
    from django.db.models import Count, Min

    entries: dict[str, list[BookEntry]] = {}
    for e in _entries_qs(
        patient_id, None if full else PAGE_ENTRIES, reader=reader, with_facility=not full
    ):
        entries.setdefault(e.kind, []).append(e)
    visits_qs = _visits_qs(patient_id)
    visits = list(visits_qs if full else visits_qs[:PAGE_VISITS])
    today = timezone.localdate()
    out = {"entries": entries, "visits": visits}
    # The number of visits and the next follow-up date in one pass over the patient's visits.
    facts = Visit.objects.filter(patient_id=patient_id).aggregate(
        total=Count("pk"),
        follow_up=Min("closure__follow_up_date", filter=Q(closure__follow_up_date__gte=today)),
    )
    if full:
        out["entry_counts"] = {k: len(v) for k, v in entries.items()}
        out["visit_total"] = len(visits)
    else:
        out["entry_counts"] = {k: rows[0].kind_total for k, rows in entries.items()}
        out["visit_total"] = facts["total"]
    # Drugs whose course may still run: recent prescriptions only (bounded by the window).
    running = []
    for p in (
        Prescription.objects.filter(
            visit__patient_id=patient_id, ordered_at__gte=timezone.now() - RUNNING_WINDOW
        )
        .only(*RUNNING_FIELDS)
        .order_by("-ordered_at")[:50]
    ):
        if timezone.localdate(p.ordered_at) + timedelta(days=p.duration_days or 0) >= today:
            running.append(p)
    out["running"] = running
    out["follow_up"] = facts["follow_up"]
    out["consents"] = list(
        Consent.objects.filter(patient_id=patient_id)
        .select_related("facility")
        .order_by("-granted_at")[:50]
    )
    return out


def _read_audited(principal, patient_id: int, purpose: str, fetch, patient=None):
    """Check access, find the patient (unless the caller has it), fetch the book's data and
    audit the read (one transaction): (patient, basis, data)."""
    basis = require_access(principal, patient_id)
    if patient is None or patient.pk != patient_id:
        patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        raise NotFound("patient_not_found", "Không tìm thấy người bệnh.", "Patient not found.")
    data = read_personal(
        principal,
        fetch,
        what="healthbook",
        patient_id=patient_id,
        purpose=f"{purpose} ({'đang khám' if basis == 'visit' else 'có đồng ý'})",
        object_id=patient_id,
    )
    return patient, basis, data


def read_book(
    principal,
    patient_id: int,
    *,
    purpose: str = PURPOSE_CARE,
    full: bool = False,
    book: HealthBook | None = None,
) -> BookView:
    """The book, audited as a read: the first screen (bounded) or `full` (print).

    `book`: the patient's HealthBook with its patient, when the caller has already read it
    (the pages find the book by its token), so neither is read twice."""
    if book is not None and book.patient_id != patient_id:
        book = None
    patient, basis, data = _read_audited(
        principal,
        patient_id,
        purpose,
        lambda: _load(patient_id, full=full, reader=principal.facility_id),
        patient=book.patient if book is not None else None,
    )
    return BookView(
        patient=patient,
        book=book if book is not None else book_of(patient),
        basis=basis,
        full=full,
        **data,
    )


def more_visits(principal, patient_id: int, offset: int, limit: int = 20) -> list[Visit]:
    """Older visits for the timeline ("Xem thêm"), audited."""
    require_access(principal, patient_id)
    offset = max(0, int(offset))
    return read_personal(
        principal,
        lambda: list(_visits_qs(patient_id)[offset : offset + limit]),
        what="healthbook_visits",
        patient_id=patient_id,
        purpose=PURPOSE_CARE,
    )


def section(principal, patient_id: int, kind: str) -> list[BookEntry]:
    """Every current entry of one section ("Xem tất cả"), audited."""
    require_access(principal, patient_id)
    if kind not in EntryKind.values:
        raise NotFound("section_not_found", "Không có mục này.", "Unknown section.")
    return read_personal(
        principal,
        lambda: [
            e for e in _entries_qs(patient_id, None, reader=principal.facility_id) if e.kind == kind
        ],
        what="healthbook_section",
        patient_id=patient_id,
        purpose=PURPOSE_CARE,
    )


def entry_history(principal, patient_id: int, lineage) -> list[BookEntry]:
    require_access(principal, patient_id)
    return read_personal(
        principal,
        lambda: list(
            BookEntry.objects.filter(
                confidential_visible(principal.facility_id),
                patient_id=patient_id,
                lineage=lineage,
            ).order_by("-version")
        ),
        what="healthbook_entry_history",
        patient_id=patient_id,
        purpose=PURPOSE_CARE,
    )


def access_list(patient_id: int, limit: int = 200) -> list:
    """Who read this patient's data, when and why (the Personal Data Protection Law 91/2025/QH15), newest first."""
    from kcb06.audit.models import AuditEntry

    return list(
        AuditEntry.objects.filter(patient_id=patient_id, action=Action.READ).order_by("-at")[:limit]
    )


# --- entries ---------------------------------------------------------------------------------


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
        record(
            principal,
            Action.CREATE,
            object_type="healthbook_entry",
            object_id=entry.pk,
            patient_id=patient_id,
            purpose=PURPOSE_CARE,
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
        record(
            principal,
            Action.UPDATE,
            object_type="healthbook_entry",
            object_id=entry.pk,
            patient_id=old.patient_id,
            purpose=PURPOSE_CARE,
            detail={"kind": entry.kind, "supersedes": old.pk},
        )
    return entry


# --- closing a visit ---------------------------------------------------------------------------


def close_visit(principal, visit, data: dict) -> VisitClosure:
    """Close (or correct) a visit; the rules live in kcb06.healthbook.closing."""
    from kcb06.healthbook.closing import close_visit as close

    return close(principal, visit, data)


# --- worklist ----------------------------------------------------------------------------


# Where a patient of today's worklist stands, from the visit and its queue ticket.
WORK_STATES = {
    "waiting": "Đang chờ",
    "called": "Đang gọi",
    "examining": "Đang khám",
    "absent": "Vắng mặt khi gọi",
    "closed": "Đã khám xong",
}


def work_state(visit: Visit) -> str:
    """closed: the visit is closed; called: its number is on the board now; examining: it was
    called and the queue moved on, the visit not yet closed; absent: marked absent; waiting:
    the rest (number not yet called, or no ticket)."""
    if visit.status == VisitStatus.CLOSED:
        return "closed"
    ticket = getattr(visit, "ticket", None)
    status = ticket.status if ticket is not None else "waiting"
    return {"called": "called", "done": "examining", "absent": "absent"}.get(status, "waiting")


def worklist(
    principal, *, department_id: int | None = None, q: str = "", state: str = ""
) -> list[Visit]:
    """Today's checked-in visits at the clinician's facility, each with `.work_state`; by
    department, by state, and by name (with or without diacritics) or ticket number."""
    principal.require_role(Role.CLINICIAN)
    today = timezone.localdate()
    qs = Visit.objects.filter(
        facility_id=principal.facility_id,
        visit_date=today,
        status__in=[VisitStatus.OPEN, VisitStatus.CLOSED],
    )
    if department_id:
        qs = qs.filter(department_id=department_id)
    query = (q or "").strip()
    if query.isdigit() and len(query) <= 6:
        qs = qs.filter(ticket__number=int(query))
    elif query:
        for word in fold_name(query).split():
            qs = qs.filter(patient__name_key__contains=word)
    visits = list(
        qs.select_related("patient", "department", "patient__healthbook", "ticket").order_by(
            "status", "arrived_at"
        )[:500]
    )
    for v in visits:
        if not hasattr(v.patient, "healthbook"):
            v.patient.healthbook = book_of(v.patient)
        v.work_state = work_state(v)
        v.work_state_vi = WORK_STATES[v.work_state]
    if state in WORK_STATES:
        visits = [v for v in visits if v.work_state == state]
    record(
        principal,
        Action.READ,
        object_type="healthbook_worklist",
        purpose="danh sách người bệnh chờ khám",
        detail={"count": len(visits)},
    )
    return visits
