"""The whole health book as plain rows, for the FHIR export.

Thousands of rows (a long history) without a model instance each: `values_list` tuples in a
fixed number of queries, read and audited like `services.read_book`.
"""

from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection

from kcb06.healthbook import icd10
from kcb06.healthbook.models import Diagnosis, Prescription, Result
from kcb06.healthbook.services import _entries_qs, _read_audited, book_of
from kcb06.patients.models import Patient, PatientIdentifier
from kcb06.visits.models import Visit

# Column order of the plain rows of BookRows (kcb06.healthbook.fhir unpacks them in this order).
ENTRY_COLUMNS = (
    "pk",
    "kind",
    "title",
    "code",
    "severity",
    "reaction",
    "detail",
    "event_date",
    "status",
    "recorded_at",
)
VISIT_COLUMNS = (
    "pk",
    "status",
    "visit_type",
    "arrived_at",
    "closed_at",
    "ma_lk",
    "reason",
    "facility__name",
    "facility__code",
    "department__name",
    "closure__pk",
    "closure__follow_up_date",
    "closure__treatment_summary",
)
DIAGNOSIS_COLUMNS = ("visit_id", "pk", "icd10", "name", "position")
PRESCRIPTION_COLUMNS = (
    "visit_id",
    "pk",
    "drug_name",
    "strength",
    "drug_code",
    "dose",
    "duration_days",
    "ordered_at",
)
RESULT_COLUMNS = (
    "visit_id",
    "pk",
    "indicator_name",
    "indicator_code",
    "value",
    "unit",
    "conclusion",
    "result_at",
)


@dataclass
class BookRows:
    """The whole book as plain tuples (columns: the *_COLUMNS above) for the FHIR export:
    thousands of rows without a model instance each. Same content and order as the `full`
    BookView: current entries by section (kind, severity rank, newest first), visits newest
    first, and per visit its diagnoses (by position), drugs and results (by id)."""

    patient: Patient
    basis: str
    entries: list[tuple] = field(default_factory=list)
    visits: list[tuple] = field(default_factory=list)
    diagnoses: dict[int, list[tuple]] = field(default_factory=dict)
    prescriptions: dict[int, list[tuple]] = field(default_factory=dict)
    results: dict[int, list[tuple]] = field(default_factory=dict)
    vi_names: dict[str, str] = field(default_factory=dict)
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # active (kind, value)


def _by_visit(rows) -> dict[int, list[tuple]]:
    """Rows whose first column is the visit id, grouped by it (row order kept), without it."""
    out: dict[int, list[tuple]] = {}
    for row in rows:
        out.setdefault(row[0], []).append(row[1:])
    return out


def _fetch(qs) -> list[tuple]:
    """The rows of a values_list() queryset whose columns are ints, text, dates and
    timestamps (none needs a Django converter).

    On PostgreSQL the query runs on a cursor that reads timestamptz with psycopg's own loader
    (C when psycopg[binary] is installed) instead of Django's pure-Python subclass, which only
    relabels the time zone (the session's, UTC, already): less CPU per timestamp, and an
    export reads thousands of them (docs/measurements.md#timestamp-loader). Same values, same
    instants, same tzinfo."""
    if connection.vendor != "postgresql":
        return list(qs)
    import psycopg

    try:
        sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    except EmptyResultSet:
        return []
    adapters = psycopg.adapters
    loader = adapters.get_loader(adapters.types["timestamptz"].oid, psycopg.pq.Format.TEXT)
    with connection.cursor() as cursor:
        cursor.cursor.adapters.register_loader("timestamptz", loader)
        cursor.execute(sql, params)
        return cursor.fetchall()


def _load_rows(patient_id: int, reader: int | None) -> dict:
    """The patient's active identifiers, every current entry and every visit with its
    diagnoses, drugs and results: 6 queries
    whatever the length of the history (children by `visit_id IN (…)` of the visits read)."""
    entries = _fetch(
        _entries_qs(patient_id, None, reader=reader, with_facility=False).values_list(
            *ENTRY_COLUMNS
        )
    )
    visits = _fetch(
        Visit.objects.filter(patient_id=patient_id)
        .order_by("-arrived_at", "-pk")
        .values_list(*VISIT_COLUMNS)
    )
    identifiers = list(
        PatientIdentifier.objects.filter(patient_id=patient_id, is_active=True)
        .order_by("kind", "pk")
        .values_list("kind", "value")
    )
    ids = [v[0] for v in visits]
    if not ids:
        return {"entries": entries, "visits": visits, "identifiers": identifiers}
    return {
        "entries": entries,
        "visits": visits,
        "identifiers": identifiers,
        "diagnoses": _by_visit(
            _fetch(
                Diagnosis.objects.filter(visit_id__in=ids)
                .order_by("position")
                .values_list(*DIAGNOSIS_COLUMNS)
            )
        ),
        "prescriptions": _by_visit(
            _fetch(
                Prescription.objects.filter(visit_id__in=ids)
                .order_by("visit_id", "pk")
                .values_list(*PRESCRIPTION_COLUMNS)
            )
        ),
        "results": _by_visit(
            _fetch(
                Result.objects.filter(visit_id__in=ids).order_by("pk").values_list(*RESULT_COLUMNS)
            )
        ),
    }


def read_book_rows(principal, patient_id: int, *, purpose: str) -> BookRows:
    """The whole book as plain rows (FHIR export), audited as a read like `read_book`."""
    patient, basis, data = _read_audited(
        principal, patient_id, purpose, lambda: _load_rows(patient_id, principal.facility_id)
    )
    book_of(patient)  # as read_book: a patient read through the API gets a book too
    codes = {d[1] for rows in data.get("diagnoses", {}).values() for d in rows}
    codes |= {e[3] for e in data["entries"] if e[3]}
    return BookRows(patient=patient, basis=basis, vi_names=icd10.vietnamese_names(codes), **data)
