"""Master patient index: one Patient per person.

The personal ID number (12 digits) is the hard key: at most one active holder (a DB constraint).
The old 9-digit CMND, the BHYT card number and the BHXH number are further identifiers. A
cancelled or replaced number is made inactive, never deleted, so old documents still resolve.
Without a hard key, records that look like the same person are offered to the clerk as likely
duplicates; linking or creating is always the clerk's explicit choice, never silent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from kcb06.audit.services import Action, read_personal, record, record_about
from kcb06.errors import DomainError, Forbidden, NotFound
from kcb06.facilities.models import Role
from kcb06.patients import identity
from kcb06.patients.models import (
    IdentifierKind,
    Patient,
    PatientFacility,
    PatientIdentifier,
    PatientMerge,
)
from kcb06.patients.names import fold_name, name_key
from kcb06.patients.signals import patients_merged, patients_unmerged
from kcb06.plumbing import rawrows
from kcb06.plumbing.pgplans import planned_each_time

MERGE_ROLES = (Role.FACILITY_ADMIN,)
READ_ROLES = (Role.RECEPTION, Role.CLINICIAN, Role.CASHIER, Role.FACILITY_ADMIN, Role.AUDITOR)


@dataclass(frozen=True)
class PersonData:
    """What we know of a person at check-in, whatever was scanned or typed."""

    full_name: str
    date_of_birth: date | None
    sex: str
    id_number: str = ""
    old_id_number: str = ""
    address: str = ""
    card_number: str = ""
    bhxh_number: str = ""
    birth_year: int | None = None
    # An ID number kept on a facility's own record, not as the hard key (see identity.py).
    claimed_id_number: str = ""

    @property
    def year(self) -> int | None:
        return self.date_of_birth.year if self.date_of_birth else self.birth_year


# --- lookups --------------------------------------------------------------------------------


def by_identifier(kind: str, value: str, *, active_only: bool = True) -> Patient | None:
    """The patient holding an identifier (following merges to the surviving record)."""
    if not value:
        return None
    # Hand-written: asked at every scan, and the ORM's query building cost more than the
    # index lookup itself.
    sql = (
        f"SELECT {rawrows.select_list((Patient, 'p'))} "  # noqa: S608 - generated column list
        "FROM patients_patientidentifier i JOIN patients_patient p "
        "ON p.id = i.patient_id WHERE i.kind = %s AND i.value = %s"
    )
    params: list = [kind, value]
    if active_only:
        sql += " AND i.is_active = %s"
        params.append(True)
    sql += " ORDER BY i.is_active DESC, i.added_at DESC LIMIT 1"
    found = rawrows.fetch_one(sql, params, Patient)
    return surviving(found[0]) if found is not None else None


def load(patient_id: int, *, for_update: bool = False) -> Patient | None:
    sql = f"SELECT {rawrows.select_list((Patient, 'p'))} FROM patients_patient p WHERE id = %s"  # noqa: S608
    if for_update and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    found = rawrows.fetch_one(sql, [patient_id], Patient)
    return found[0] if found is not None else None


def known_at(patient_id: int, facility_ids) -> bool:
    """Is the patient linked to any of these facilities (the basis of facility scoping)?"""
    ids = [int(i) for i in facility_ids]
    if not ids:
        return False
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM patients_patientfacility "  # noqa: S608 - placeholders only
            f"WHERE patient_id = %s AND facility_id IN ({marks}) LIMIT 1",
            [patient_id, *ids],
        )
        return cursor.fetchone() is not None


def surviving(patient: Patient) -> Patient:
    seen = set()
    while patient.merged_into_id and patient.pk not in seen:
        seen.add(patient.pk)
        patient = Patient.objects.get(pk=patient.merged_into_id)
    return patient


def find_known(person: PersonData, *, id_number_unheld: bool = False) -> Patient | None:
    """Resolve by identifiers only, strongest first: ID number, old CMND, BHYT card, BHXH.
    `id_number_unheld`: the caller has just found that nobody holds the ID number."""
    for kind, value in (
        (IdentifierKind.ID_NUMBER, "" if id_number_unheld else person.id_number),
        (IdentifierKind.OLD_ID_NUMBER, person.old_id_number),
        (IdentifierKind.BHYT_CARD, person.card_number),
        (IdentifierKind.BHXH_NUMBER, person.bhxh_number),
    ):
        patient = by_identifier(kind, value)
        if patient is not None:
            # A different active ID number is a different person, whatever else matches.
            if person.id_number and kind != IdentifierKind.ID_NUMBER:
                other = active_value(patient, IdentifierKind.ID_NUMBER)
                if other and other != person.id_number:
                    continue
            return patient
    return None


def active_value(patient: Patient, kind: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT value FROM patients_patientidentifier WHERE patient_id = %s AND kind = %s "
            "AND is_active = %s ORDER BY added_at DESC LIMIT 1",
            [patient.pk, kind, True],
        )
        row = cursor.fetchone()
    return row[0] if row else ""


# --- writes (called inside the check-in transaction) ------------------------------------------


def create_patient(person: PersonData, pk: int | None = None) -> Patient:
    year = person.year
    if not person.full_name or not year:
        raise DomainError(
            "patient_details_missing",
            "Cần họ tên và ngày/năm sinh để tạo hồ sơ người bệnh.",
            "Full name and date or year of birth are needed to create a patient.",
        )
    patient = rawrows.new(
        Patient,
        pk=pk,
        full_name=" ".join(person.full_name.split()),
        name_key=name_key(person.full_name),
        date_of_birth=person.date_of_birth,
        birth_year=year,
        dob_precision="day" if person.date_of_birth else "year",
        sex=person.sex or "undetermined",
        address=person.address,
    )
    rawrows.insert(patient)  # every new patient's check-in: no ORM compiler
    return patient


def add_identifier(patient: Patient, kind: str, value: str) -> None:
    """Make `value` the active identifier of this kind; the previous one becomes history.

    A personal ID number held (actively) by another patient is refused: that needs a merge."""
    if not value:
        return
    current = list(PatientIdentifier.objects.filter(patient=patient, kind=kind, is_active=True))
    if any(i.value == value for i in current):
        return
    if kind == IdentifierKind.ID_NUMBER:
        holder = PatientIdentifier.objects.filter(kind=kind, value=value, is_active=True).first()
        if holder is not None and holder.patient_id != patient.pk:
            raise DomainError(
                "id_number_other_patient",
                "Số định danh này đang thuộc hồ sơ người bệnh khác; cần gộp hồ sơ.",
                "This ID number belongs to another patient record; merge the records.",
                status=409,
            )
    if kind in (IdentifierKind.ID_NUMBER, IdentifierKind.BHYT_CARD, IdentifierKind.BHXH_NUMBER):
        # One active value per kind: a re-issued ID number or a new card replaces the old one.
        PatientIdentifier.objects.filter(patient=patient, kind=kind, is_active=True).update(
            is_active=False
        )
    old = PatientIdentifier.objects.filter(patient=patient, kind=kind, value=value).first()
    if old is not None:
        PatientIdentifier.objects.filter(pk=old.pk).update(is_active=True)
    else:
        PatientIdentifier.objects.create(patient=patient, kind=kind, value=value)


def numbers(person: PersonData) -> list[tuple[str, str]]:
    """The person's identifiers as (kind, value), strongest first, only those present."""
    return [
        (kind, value)
        for kind, value in (
            (IdentifierKind.ID_NUMBER, person.id_number),
            (IdentifierKind.OLD_ID_NUMBER, person.old_id_number),
            (IdentifierKind.BHYT_CARD, person.card_number),
            (IdentifierKind.BHXH_NUMBER, person.bhxh_number),
            (IdentifierKind.CLAIMED_ID_NUMBER, person.claimed_id_number),
        )
        if value
    ]


def _create_identifiers(patient: Patient, person: PersonData) -> None:
    """A brand-new record: no history to keep, plain inserts (queued with the check-in's
    write where it queues them, see rawrows.queued_inserts)."""
    for kind, value in numbers(person):
        rawrows.insert(rawrows.new(PatientIdentifier, patient=patient, kind=kind, value=value))


def record_identifiers(patient: Patient, person: PersonData, held=None) -> bool:
    """Make the person's numbers the patient's active identifiers (keeping history). `held`:
    the active (kind, value) pairs when the caller has just read them. Answers whether
    anything changed."""
    wanted = set(numbers(person))
    if not wanted:
        return False
    # The usual case at a returning patient's check-in: every number is already the active
    # one, which one query shows; only a change goes through add_identifier's history keeping.
    if held is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT kind, value FROM patients_patientidentifier "
                "WHERE patient_id = %s AND is_active = %s",
                [patient.pk, True],
            )
            held = set(cursor.fetchall())
    if wanted <= set(held):
        return False
    add_identifier(patient, IdentifierKind.ID_NUMBER, person.id_number)
    if (
        person.old_id_number
        and not PatientIdentifier.objects.filter(
            patient=patient, kind=IdentifierKind.OLD_ID_NUMBER, value=person.old_id_number
        ).exists()
    ):
        PatientIdentifier.objects.create(
            patient=patient, kind=IdentifierKind.OLD_ID_NUMBER, value=person.old_id_number
        )
    add_identifier(patient, IdentifierKind.BHYT_CARD, person.card_number)
    add_identifier(patient, IdentifierKind.BHXH_NUMBER, person.bhxh_number)
    if (
        person.claimed_id_number
        and not PatientIdentifier.objects.filter(
            patient=patient,
            kind=IdentifierKind.CLAIMED_ID_NUMBER,
            value=person.claimed_id_number,
        ).exists()
    ):
        PatientIdentifier.objects.create(
            patient=patient,
            kind=IdentifierKind.CLAIMED_ID_NUMBER,
            value=person.claimed_id_number,
        )
    return True


def refresh_from_scan(patient: Patient, person: PersonData, kind: str, principal) -> None:
    """Take what a scan is evidence for (kcb06.patients.identity.scan_update), with history."""
    changes = identity.scan_update(patient, person, kind)
    if changes:
        identity.apply(
            patient,
            changes,
            evidence=identity.SCAN_EVIDENCE[kind],
            principal=principal,
            reason="Quét mã định danh khớp họ tên, ngày sinh, giới tính của hồ sơ",
        )


def changes_nothing(
    patient: Patient, person: PersonData, held, facility_known: bool, kind: str = ""
) -> bool:
    """Whether a check-in of `person` would leave the record as it is: nothing the scan is
    evidence for, no new number (`held`: the active (kind, value) pairs), already known at the
    facility."""
    return (
        facility_known
        and set(numbers(person)) <= set(held)
        and not identity.scan_update(patient, person, kind)
    )


def link_facility(
    patient: Patient, facility_id: int, *, created: bool = False, known: bool | None = None
) -> None:
    """`known`: whether the link exists, when the caller has just read it."""
    if created:
        rawrows.insert(rawrows.new(PatientFacility, patient=patient, facility_id=facility_id))
        return
    if known is None:
        known = known_at(patient.pk, [facility_id])
    if not known:
        PatientFacility.objects.get_or_create(patient=patient, facility_id=facility_id)


def lock(patient_id: int) -> Patient:
    """Row lock on the patient for the rest of the transaction (PostgreSQL; SQLite serialises)."""
    patient = load(patient_id, for_update=True)
    if patient is None:
        raise Patient.DoesNotExist(patient_id)
    return patient


# --- scoped reads for pages and API ---------------------------------------------------------


def _scope(principal):
    principal.require_role(*READ_ROLES)
    ids = principal.patient_data_facility_ids()
    # A semi-join (IN subquery), not JOIN + DISTINCT: the planner keeps using the
    # (name_key, birth_year) index and never sorts whole rows to deduplicate.
    linked = PatientFacility.objects.filter(facility_id__in=ids).values("patient_id")
    return Patient.objects.filter(pk__in=linked, merged_into__isnull=True)


def patient_for(principal, patient_id: int, *, purpose: str) -> Patient:
    """One patient the principal may see, with the read audited."""

    def fetch():
        patient = _scope(principal).filter(pk=patient_id).first()
        if patient is None:
            raise NotFound(
                "patient_not_found",
                "Không tìm thấy người bệnh (hoặc không thuộc cơ sở của bạn).",
                "Patient not found (or not at your facility).",
            )
        return patient

    return read_personal(
        principal,
        fetch,
        what="patient",
        patient_id=patient_id,
        purpose=purpose,
        object_id=patient_id,
    )


IDENT_PATTERNS = [
    (IdentifierKind.ID_NUMBER, re.compile(r"\d{12}")),
    (IdentifierKind.OLD_ID_NUMBER, re.compile(r"\d{9}")),
    (IdentifierKind.BHXH_NUMBER, re.compile(r"\d{10}")),
    (IdentifierKind.BHYT_CARD, re.compile(r"[A-Z]{2}\d{13}")),
]


@planned_each_time()  # LIKE patterns: see kcb06.plumbing.pgplans
def search(principal, query: str, birth_year: int | None = None, *, limit: int = 20) -> list:
    """Search by any identifier, or by name (+ year of birth), diacritics optional.

    An identifier is matched exactly (history included). A name matches on the folded,
    sorted-words key with the birth year — the (name_key, birth_year) index makes it an index
    lookup even on millions of rows — then on all words contained, as a fallback.

    Each word of the fallback is one LIKE: a text longer than kcb06.limits.SEARCH_MAX_CHARS is
    refused (400) and only its first SEARCH_MAX_WORDS distinct words are matched, so a pasted
    page costs a 400 or a few LIKEs, not minutes of database time."""
    _check_search_size(query or "")
    text = (query or "").strip().upper().replace(" ", "")
    base = _scope(principal)
    for kind, pattern in IDENT_PATTERNS:
        if pattern.fullmatch(text):
            ids = PatientIdentifier.objects.filter(kind=kind, value=text).values("patient_id")
            rows = list(base.filter(pk__in=ids)[:limit])
            _audit_search(principal, rows, "identifier")
            return rows
    key = name_key(query)
    if not key:
        return []
    qs = base.filter(name_key=key)
    if birth_year:
        qs = qs.filter(birth_year=birth_year)
    rows = list(qs.order_by("pk")[:limit])
    if not rows:
        # Words contained (a missing middle name, a partial name). No ORDER BY here: with the
        # year it reads that year's rows by index instead of walking the primary key.
        qs = base
        for word in search_words(query):
            qs = qs.filter(name_key__contains=word)
        if birth_year:
            qs = qs.filter(birth_year=birth_year)
        rows = sorted(qs.order_by()[:limit], key=lambda p: p.pk)
    _audit_search(principal, rows, "name")
    return rows


def _check_search_size(text: str) -> None:
    from kcb06.limits import SEARCH_MAX_CHARS

    if len(text) > SEARCH_MAX_CHARS:
        raise DomainError(
            "search_too_long",
            f"Nội dung tìm kiếm dài quá {SEARCH_MAX_CHARS} ký tự: hãy nhập họ tên hoặc một số "
            "giấy tờ.",
            f"The search text is longer than {SEARCH_MAX_CHARS} characters.",
        )


def search_words(query: str) -> list[str]:
    """The folded words a name search matches one LIKE each: the first SEARCH_MAX_WORDS
    distinct ones, in the order typed (a name has at most 6 or 7)."""
    from kcb06.limits import SEARCH_MAX_WORDS

    return list(dict.fromkeys(fold_name(query).split()))[:SEARCH_MAX_WORDS]


def _audit_search(principal, rows, by: str) -> None:
    record(
        principal,
        Action.READ,
        object_type="patient_search",
        purpose="search",
        detail={"by": by, "patient_ids": [p.pk for p in rows]},
    )


def identifiers_of(patient: Patient) -> list[dict]:
    return [
        {"kind": i.kind, "value": i.value, "is_active": i.is_active}
        for i in patient.identifiers.order_by("kind", "-is_active", "-added_at")
    ]


def patient_dict(patient: Patient, *, with_identifiers: bool = False) -> dict:
    out = {
        "id": patient.pk,
        "full_name": patient.full_name,
        "date_of_birth": patient.date_of_birth.isoformat() if patient.date_of_birth else None,
        "birth_year": patient.birth_year,
        "sex": patient.sex,
        "address": patient.address,
        "initials": patient.initials,
    }
    if with_identifiers:
        out["identifiers"] = identifiers_of(patient)
    return out


# --- merge and undo ---------------------------------------------------------------------------


def merge(principal, source_id: int, target_id: int, *, reason: str = "") -> PatientMerge:
    """Merge the duplicate `source` into `target`: identifiers and facility links move here,
    other apps' rows (visits, health book, ...) through patients_merged, in the same
    transaction (a receiver that fails rolls the merge back); `source` stays for undo."""
    if not principal.has_role(*MERGE_ROLES):
        raise Forbidden(
            "forbidden_role",
            "Chỉ quản trị cơ sở được gộp hồ sơ người bệnh.",
            "Only a facility administrator may merge patient records.",
        )
    if source_id == target_id:
        raise DomainError(
            "merge_same", "Không thể gộp một hồ sơ vào chính nó.", "Cannot merge into itself."
        )
    with transaction.atomic():
        scope = _scope(principal)
        source = scope.select_for_update().filter(pk=source_id).first()
        target = scope.select_for_update().filter(pk=target_id).first()
        if source is None or target is None:
            raise NotFound(
                "patient_not_found",
                "Không tìm thấy một trong hai hồ sơ (hoặc không thuộc cơ sở của bạn).",
                "One of the records was not found (or is not at your facility).",
            )
        src_id = active_value(source, IdentifierKind.ID_NUMBER)
        dst_id = active_value(target, IdentifierKind.ID_NUMBER)
        if src_id and dst_id and src_id != dst_id:
            raise DomainError(
                "merge_two_id_numbers",
                "Hai hồ sơ có hai số định danh khác nhau: đó là hai người, không gộp được.",
                "The records hold two different ID numbers: two people, cannot merge.",
                status=409,
            )
        ident_ids = list(source.identifiers.values_list("pk", flat=True))
        links = list(source.facility_links.values_list("facility_id", flat=True))
        have = set(target.facility_links.values_list("facility_id", flat=True))
        new_links = [f for f in links if f not in have]
        m = PatientMerge.objects.create(
            source=source,
            target=target,
            reason=reason[:512],
            merged_by=principal.user,
            moved={"identifiers": ident_ids, "facility_links": new_links},
        )
        # Move identifiers; an active ID number moves as is (target had none, checked above).
        source.identifiers.update(patient=target)
        for fid in new_links:
            PatientFacility.objects.create(patient=target, facility_id=fid)
        source.merged_into = target
        source.save(update_fields=["merged_into", "updated_at"])
        patients_merged.send(
            sender=PatientMerge, source=source, target=target, merge=m, principal=principal
        )
        m.save(update_fields=["moved"])
        record_about(
            principal,
            Action.MERGE,
            "patient",
            target,
            "merge_duplicates",
            patient_id=target.pk,
            detail={"merge_id": m.pk, "source": source.pk, "target": target.pk, "moved": m.moved},
        )
    return m


def undo_merge(principal, merge_id: int) -> PatientMerge:
    """Move back exactly what the merge moved; the merge row stays (undone_at set) for audit."""
    if not principal.has_role(*MERGE_ROLES):
        raise Forbidden(
            "forbidden_role",
            "Chỉ quản trị cơ sở được hoàn tác gộp hồ sơ.",
            "Only a facility administrator may undo a merge.",
        )
    with transaction.atomic():
        m = PatientMerge.objects.select_for_update().filter(pk=merge_id).first()
        ids = principal.patient_data_facility_ids()
        if m is None or not m.target.facility_links.filter(facility_id__in=ids).exists():
            raise NotFound("merge_not_found", "Không tìm thấy lần gộp này.", "Merge not found.")
        if m.undone_at:
            raise DomainError(
                "merge_already_undone", "Lần gộp này đã được hoàn tác.", "Already undone."
            )
        moved = m.moved or {}
        PatientIdentifier.objects.filter(pk__in=moved.get("identifiers", [])).update(
            patient=m.source
        )
        PatientFacility.objects.filter(
            patient=m.target, facility_id__in=moved.get("facility_links", [])
        ).exclude(facility_id__in=m.source.facility_links.values("facility_id")).delete()
        Patient.objects.filter(pk=m.source_id).update(merged_into=None, updated_at=timezone.now())
        patients_unmerged.send(
            sender=PatientMerge, source=m.source, target=m.target, merge=m, principal=principal
        )
        m.undone_at = timezone.now()
        m.undone_by = principal.user
        m.save(update_fields=["undone_at", "undone_by"])
        record(
            principal,
            Action.UNMERGE,
            object_type="patient",
            object_id=m.source_id,
            patient_id=m.source_id,
            purpose="undo_merge",
            detail={"merge_id": m.pk, "source": m.source_id, "target": m.target_id},
        )
    return m


def safe_create(person: PersonData) -> Patient:
    """Create inside a savepoint so a concurrent creation of the same ID number surfaces as
    IntegrityError to the caller (which retries and then finds the record)."""
    with transaction.atomic():
        return create_with_identifiers(person)


def create_with_identifiers(person: PersonData, pk: int | None = None) -> Patient:
    """A new record and its identifiers, in the caller's transaction. A concurrent creation of
    the same ID number raises IntegrityError and leaves that transaction unusable: for callers
    that roll back and retry whole (the check-in), which saves a savepoint's two statements."""
    patient = create_patient(person, pk)
    _create_identifiers(patient, person)
    return patient


__all__ = [
    "IntegrityError",
    "PersonData",
    "add_identifier",
    "by_identifier",
    "find_known",
    "merge",
    "patient_for",
    "search",
    "undo_merge",
]
