"""Health-book rules, the front door: reading a book (audited), closing a visit, the worklist;
who may open a book (access.py) and versioned entries (entries.py) are re-exported here.

Views and the API are thin over these functions; every function that returns health data
audits the read (kcb06.audit.services) in the same transaction.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Prefetch, Q
from django.utils import timezone

from kcb06.audit.services import Action, read_personal, record
from kcb06.errors import NotFound
from kcb06.facilities.models import Role
from kcb06.healthbook import icd10
from kcb06.healthbook.access import (
    GRACE_AFTER_CLOSE as GRACE_AFTER_CLOSE,
)
from kcb06.healthbook.access import (
    PURPOSE_CARE as PURPOSE_CARE,
)
from kcb06.healthbook.access import (
    access_basis as access_basis,
)
from kcb06.healthbook.access import (
    book_for_token as book_for_token,
)
from kcb06.healthbook.access import (
    book_of as book_of,
)
from kcb06.healthbook.access import (
    confidential_visible as confidential_visible,
)
from kcb06.healthbook.access import (
    require_access as require_access,
)
from kcb06.healthbook.access import (
    require_visit_access as require_visit_access,
)
from kcb06.healthbook.entries import (
    EditConflict as EditConflict,
)
from kcb06.healthbook.entries import (
    _parse_date as _parse_date,
)
from kcb06.healthbook.entries import (
    add_entry as add_entry,
)
from kcb06.healthbook.entries import (
    clean_entry as clean_entry,
)
from kcb06.healthbook.entries import (
    correct_entry as correct_entry,
)
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
