"""Check-in: one scan → patient, BHYT verdict, visit (MA_LK) and queue ticket.

`check_in` is the one entry point of the reception page, the kiosk and the API. Order matters:
1. parse the scan and resolve the person (read-only);
2. ask the BHXH portal (kcb06.eligibility) with its own deadline — outside any DB transaction,
   so a slow portal never holds a lock;
3. one short write transaction: patient (find or create), identifiers, facility link, visit,
   ticket number, the visit_checked_in signal (outbox row) and the audit row. Any failure rolls
   all of it back: nothing is half-written.

Same patient + same department + same local day returns the existing visit and ticket.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.utils import timezone

from kcb06.audit.services import Action, entry_for, record
from kcb06.errors import DomainError, Forbidden
from kcb06.facilities.models import Role
from kcb06.identity.names import check_name, clean_name
from kcb06.patients import identity
from kcb06.patients import services as mpi
from kcb06.patients.duplicates import Candidate, likely_duplicates
from kcb06.patients.models import IdentifierKind, Patient
from kcb06.plumbing import rawrows
from kcb06.visits.commit import audit_ticket_and_commit
from kcb06.visits.departments import (
    department_for,
    ensure_open,
    local_day,
)
from kcb06.visits.models import (
    Ticket,
    Visit,
    VisitStatus,
)
from kcb06.visits.numbers import forget_visit_numbers, make_ma_lk, next_visit_number
from kcb06.visits.serialize import ticket_dict, visit_dict
from kcb06.visits.signals import visit_checked_in
from kcb06.visits.standing import by_id_number_with_standing, lock_with_standing, standing

log = logging.getLogger(__name__)

CHECK_IN_ROLES = (Role.RECEPTION, Role.FACILITY_ADMIN)
# The kiosk's own account checks in only through the kiosk pages (kcb06.visits.kiosk adds the
# date-of-birth gate for typed numbers), never through the API: its views pass these roles.
KIOSK_CHECK_IN_ROLES = (*CHECK_IN_ROLES, Role.KIOSK)


class NeedsDetails(DomainError):
    """A typed ID/BHYT/BHXH number of someone unknown: the clerk must type name, DOB, sex."""

    status = 409


class NeedsDesk(DomainError):
    """At an unattended kiosk, what the card says differs from the record: staff must look."""

    status = 409


def _needs_desk() -> NeedsDesk:
    return NeedsDesk(
        "kiosk_needs_desk",
        "Thông tin trên thẻ khác với hồ sơ của bạn tại cơ sở. Mời bạn đến quầy tiếp đón để "
        "nhân viên đối chiếu.",
        "The card differs from your record here: please go to the reception desk.",
    )


@dataclass
class CheckInResult:
    patient: Patient
    visit: Visit
    ticket: Ticket
    verdict: dict
    created: bool
    warnings: list[dict] = field(default_factory=list)
    # Where the scan or the clerk differs from the record (kept as it was): for staff to see.
    differences: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "patient": mpi.patient_dict(self.patient),
            "visit": visit_dict(self.visit),
            "eligibility": self.verdict,
            "ticket": ticket_dict(self.ticket),
            "created": self.created,
            "warnings": self.warnings,
            "identity_differences": [d.as_dict() for d in self.differences],
        }


@dataclass
class Preview:
    """What the clerk sees right after the scan, before the ticket is issued (no writes)."""

    kind: str
    person: mpi.PersonData
    patient: Patient | None
    candidates: list[Candidate]
    verdict: dict
    warnings: list[dict]
    existing: list[Visit]
    # Fields where the scan differs from the record of a patient known here, and what of it
    # the check-in will take into the record (a chip QR that agrees on name, DOB and sex).
    differences: list = field(default_factory=list)
    updates: dict = field(default_factory=dict)


# --- identity → person ------------------------------------------------------------------------


def _parse(principal, scan_text: str):
    from kcb06.identity import parse_scan

    parsed = parse_scan(scan_text)
    if parsed.kind == "vneid_qr":
        import inspect

        from kcb06.eligibility.eid import authenticate

        two = len(inspect.signature(authenticate).parameters) >= 2
        data = authenticate(principal, parsed.payload) if two else authenticate(parsed)
        return "vneid_qr", _person_from_obj(data), []
    if parsed.kind == "cccd_qr":
        warnings = [
            {"code": w.code, "message_vi": w.message_vi, "message_en": w.message_en}
            for w in parsed.warnings
        ]
        return (
            "cccd_qr",
            mpi.PersonData(
                full_name=check_name(parsed.full_name),
                date_of_birth=parsed.date_of_birth,
                sex=parsed.sex,
                id_number=parsed.id_number,
                old_id_number=parsed.old_id_number or "",
                address=parsed.address or "",
            ),
            warnings,
        )
    if parsed.kind == "id_number":
        return (
            "id_number",
            mpi.PersonData("", None, parsed.sex or "", id_number=parsed.id_number),
            [],
        )
    if parsed.kind == "bhyt_card":
        return (
            "bhyt_card",
            mpi.PersonData(
                "", None, "", card_number=parsed.card_number, bhxh_number=parsed.bhxh_number or ""
            ),
            [],
        )
    if parsed.kind == "bhxh_number":
        return "bhxh_number", mpi.PersonData("", None, "", bhxh_number=parsed.bhxh_number), []
    raise DomainError("scan_unsupported", "Loại mã này chưa được hỗ trợ.", "Unsupported code.")


def _person_from_obj(data) -> mpi.PersonData:
    get = data.get if isinstance(data, dict) else lambda k, d=None: getattr(data, k, d)
    dob = get("date_of_birth")
    if isinstance(dob, str):
        dob = date.fromisoformat(dob)
    return mpi.PersonData(
        full_name=check_name(get("full_name", "")) if get("full_name", "") else "",
        date_of_birth=dob,
        sex=get("sex", "") or "",
        id_number=get("id_number", "") or "",
        old_id_number=get("old_id_number", "") or "",
        address=get("address", "") or "",
    )


def _with_details(person: mpi.PersonData, patient: Patient | None, confirm: dict) -> mpi.PersonData:
    """Fill name/DOB/sex for a typed number: from the known patient, else from the clerk."""
    from dataclasses import replace

    if person.full_name:
        return person
    if patient is not None:
        return replace(
            person,
            full_name=patient.full_name,
            date_of_birth=patient.date_of_birth,
            birth_year=patient.birth_year,
            sex=patient.sex,
            address=patient.address,
        )
    typed = str(confirm.get("full_name") or "")
    name = check_name(typed) if clean_name(typed) else ""  # empty: ask for the details below
    dob = confirm.get("date_of_birth")
    sex = confirm.get("sex") or person.sex
    if isinstance(dob, str) and dob:
        try:
            dob = date.fromisoformat(dob)
        except ValueError:
            dob = None
    if not name or not dob or sex not in ("male", "female"):
        raise NeedsDetails(
            "needs_details",
            "Chưa có người bệnh với số này: hãy nhập họ tên, ngày sinh và giới tính "
            "(theo giấy tờ) rồi tiếp tục.",
            "Unknown person for this number: give full_name, date_of_birth (YYYY-MM-DD) and "
            "sex (male/female).",
        )
    return replace(person, full_name=name, date_of_birth=dob, sex=sex)


def _with_newer_card(person: mpi.PersonData, confirm: dict) -> mpi.PersonData:
    """The clerk re-checks with the newer card the portal named (answers 003 and 004,
    `maTheMoi`): that card is asked instead of the one scanned or held."""
    card = (confirm.get("card_number") or "").strip()
    if not card:
        return person
    from dataclasses import replace

    from kcb06.identity import parse_bhyt_card

    return replace(person, card_number=parse_bhyt_card(card).card_number)


def _visible(principal, patient: Patient | None, known: bool | None = None) -> Patient | None:
    """A record found by a typed number lends its name/DOB only if known at this facility;
    otherwise the clerk types them (a number alone must not reveal another facility's data).
    `known`: the answer when the caller has already read it."""
    if patient is None:
        return None
    if known is None:
        known = mpi.known_at(patient.pk, principal.patient_data_facility_ids())
    return patient if known else None


def _claimed_here(principal, id_number: str) -> Patient | None:
    """This facility's own record of a person whose ID number it took while the number's
    holder elsewhere had another name, date of birth or sex (see `_resolve`)."""
    if not id_number:
        return None
    from kcb06.patients.models import PatientFacility, PatientIdentifier

    ids = principal.patient_data_facility_ids()
    return (
        Patient.objects.filter(
            pk__in=PatientIdentifier.objects.filter(
                kind=IdentifierKind.CLAIMED_ID_NUMBER, value=id_number, is_active=True
            ).values("patient_id"),
            merged_into__isnull=True,
        )
        .filter(pk__in=PatientFacility.objects.filter(facility_id__in=ids).values("patient_id"))
        .order_by("-pk")
        .first()
    )


def _claimed(person: mpi.PersonData) -> mpi.PersonData:
    """The person as this facility's own record keeps them: the ID number as claimed only,
    no card numbers (they would make the other record ambiguous)."""
    from dataclasses import replace

    return replace(
        person,
        id_number="",
        old_id_number="",
        card_number="",
        bhxh_number="",
        claimed_id_number=person.id_number,
    )


def _resolve(principal, person: mpi.PersonData, patient: Patient | None, known: bool, confirm):
    """Who this check-in is for, as the facility may see it: (patient or None, person).

    A facility that has never seen the record of a number's holder is shown and told nothing
    of it: the clerk types the details as for a stranger (NeedsDetails), and the record is
    used only when what was presented agrees with it on name, date of birth and sex.
    Otherwise the facility gets a record of its own (the ID number kept as "claimed"), exactly
    as if nobody held the number: the holder's record is neither changed nor linked, and its
    past stays with the facilities that know it (docs/reception.md, "Identity")."""
    if patient is None or known:
        return patient, _with_details(person, patient, confirm)
    person = _with_details(person, None, confirm)
    if identity.same_person(patient, person):
        return patient, person
    return _claimed_here(principal, person.id_number), _claimed(person)


def _scoped_candidates(principal, person: mpi.PersonData) -> list[Candidate]:
    """Likely duplicates, restricted to records known at the clerk's facility."""
    return likely_duplicates(person, facility_ids=principal.patient_data_facility_ids())


# --- eligibility ------------------------------------------------------------------------------


def _verify(
    principal,
    person: mpi.PersonData,
    patient: Patient | None,
    known_card: str | None = None,
    audit_cache_hit: bool = True,
) -> tuple[dict, object]:
    """Ask kcb06.eligibility; returns (verdict dict, verdict object or None). `known_card`: the
    patient's active BHYT card when the caller has already read it."""
    from kcb06.eligibility.services import check_eligibility

    card = person.card_number
    if not card and patient is not None:
        if known_card is None:
            known_card = mpi.active_value(patient, IdentifierKind.BHYT_CARD)
        card = known_card
    verdict = check_eligibility(
        principal,
        card_number=card or None,
        id_number=person.id_number or None,
        full_name=person.full_name,
        date_of_birth=person.date_of_birth,
        sex=person.sex or None,
        patient_id=patient.pk if patient is not None else None,
        audit_cache_hit=audit_cache_hit,
    )
    return _verdict_dict(verdict), verdict


def _verdict_dict(verdict) -> dict:
    data = verdict.as_dict() if hasattr(verdict, "as_dict") else dict(verdict)
    for key, value in list(data.items()):
        if isinstance(value, date):
            data[key] = value.isoformat()
    card = data.get("card")
    if isinstance(card, dict):
        data["card"] = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in card.items()}
    return data


def _apply_verdict(visit: Visit, verdict, detail: dict | None = None) -> None:
    """`detail`: the verdict's dict when the caller has built it already."""
    visit.eligibility_outcome = verdict.outcome
    visit.portal_code = (verdict.portal_code or "")[:8]
    visit.eligibility_check_id = getattr(verdict, "check_id", None)
    visit.eligibility_detail = detail if detail is not None else _verdict_dict(verdict)
    card = verdict.card
    visit.uses_bhyt = verdict.outcome == "valid" and card is not None
    if card is not None:
        visit.card_number = (card.card_number or "")[:15]
        visit.card_valid_from = card.valid_from
        visit.card_valid_to = card.valid_to
        visit.ma_dkbd = (card.ma_dkbd or "")[:5]
        visit.benefit_level = (str(card.benefit_level or ""))[:1]


# --- the two entry points ---------------------------------------------------------------------


def preview(
    scan_text: str,
    operator,
    *,
    confirm: dict | None = None,
    unattended: bool = False,
    roles=CHECK_IN_ROLES,
) -> Preview:
    """Everything the clerk sees after a scan, without writing a visit. A record the facility
    does not know is not shown (see `_resolve`). `unattended`: a kiosk; any difference between
    the scan and the record raises NeedsDesk. `roles`: who may (the kiosk views pass
    KIOSK_CHECK_IN_ROLES)."""
    operator.require_role(*roles)
    confirm = confirm or {}
    kind, person, warnings = _parse(operator, scan_text)
    person = _with_newer_card(person, confirm)
    holder = mpi.find_known(person)
    known = holder is not None and _visible(operator, holder) is not None
    presented = _with_details(person, holder if known else None, confirm)
    patient, person = _resolve(operator, person, holder, known, confirm)
    if patient is not None and patient is holder and not known:
        # It agrees with what was presented, but until the check-in links it here the desk
        # sees what it would see of a stranger.
        patient = None
    differences = identity.differences(patient, person) if patient is not None else []
    if unattended and differences:
        raise _needs_desk()
    candidates = [] if patient is not None else _scoped_candidates(operator, person)
    verdict, _ = _verify(operator, presented, patient)
    existing = []
    if patient is not None:
        existing = list(
            Visit.objects.filter(
                patient=patient, facility_id=operator.facility_id, visit_date=local_day()
            )
            .exclude(status=VisitStatus.CANCELLED)
            .filter(ticket__isnull=False)
            .select_related("department", "ticket")
        )
        record(
            operator,
            Action.READ,
            object_type="patient",
            object_id=patient.pk,
            patient_id=patient.pk,
            purpose="check_in_preview",
        )
    updates = identity.scan_update(patient, person, kind) if patient is not None else {}
    return Preview(
        kind, presented, patient, candidates, verdict, warnings, existing, differences, updates
    )


def check_in(
    scan_text: str,
    department,
    operator,
    *,
    confirm: dict | None = None,
    reason: str = "",
    unattended: bool = False,
    roles=CHECK_IN_ROLES,
) -> CheckInResult:
    """Check a patient in from one scan. `confirm` carries the clerk's decisions:
    {"full_name", "date_of_birth", "sex"} for an unknown typed number, {"link_patient_id": N}
    to link to a likely duplicate, {"create_new": True} to create despite likely duplicates.
    `unattended`: a kiosk; any difference between the scan and the record raises NeedsDesk.
    The record's name, date of birth, sex and address change only on evidence
    (kcb06.patients.identity). `roles`: who may (the kiosk views pass KIOSK_CHECK_IN_ROLES)."""
    operator.require_role(*roles)
    confirm = confirm or {}
    day = local_day()
    dep = department_for(operator, department, day)
    ensure_open(dep, day)
    kind, person, warnings = _parse(operator, scan_text)
    person = _with_newer_card(person, confirm)
    scope = operator.patient_data_facility_ids()
    found = True
    if person.id_number:  # a chip-card scan: the holder and its standing in one statement
        found = by_id_number_with_standing(person.id_number, scope, dep.pk, day)
    if isinstance(found, tuple):
        patient, today = found
    else:
        patient = mpi.find_known(person, id_number_unheld=found is False)
        today = standing(patient.pk, scope, dep.pk, day) if patient is not None else None
    known_card = None
    presented = person
    differences = []
    # What the scan may bring into the record: only at a staffed desk, and only into a record
    # this facility knew before (whose values its desk could show beside the scan).
    evidence = "" if unattended else kind
    if patient is not None:
        if today.visit_id is not None:
            return _result(_load_visit(today.visit_id), created=False, warnings=warnings)
        holder = patient
        presented = _with_details(person, patient if today.known else None, confirm)
        patient, person = _resolve(operator, person, patient, today.known, confirm)
        if patient is holder:
            if today.known:
                known_card = today.card_number
                differences = identity.differences(patient, person)
            else:
                evidence = ""
        elif patient is not None:  # this facility's own record of the claimed number
            today = standing(patient.pk, scope, dep.pk, day)
            if today.visit_id is not None:
                return _result(_load_visit(today.visit_id), created=False, warnings=warnings)
            differences = identity.differences(patient, person)
        if unattended and differences:
            raise _needs_desk()
    else:
        person = presented = _with_details(person, None, confirm)

    link_id = None
    if patient is None:
        if confirm.get("link_patient_id"):
            link_id = int(confirm["link_patient_id"])
            scoped = {c.patient.pk for c in _scoped_candidates(operator, person)}
            if link_id not in scoped:
                raise DomainError(
                    "link_not_candidate",
                    "Hồ sơ được chọn để nối không còn nằm trong danh sách nghi trùng.",
                    "The record chosen to link is not a likely duplicate of this person.",
                )
        elif not confirm.get("create_new"):
            candidates = _scoped_candidates(operator, person)
            if candidates and person.id_number:
                # The hard key decides, not the clerk: a scan racing this one (a scanner that
                # fires twice) may have just created this very person.
                patient = mpi.find_known(person)
            if candidates and patient is None:
                err = DomainError(
                    "possible_duplicates",
                    "Có hồ sơ có thể là cùng người này. Hãy chọn nối vào hồ sơ cũ hoặc tạo mới.",
                    "Likely duplicate records exist: confirm with link_patient_id or "
                    "create_new=true.",
                    status=409,
                )
                err.candidates = [c.as_dict() for c in candidates]
                raise err

    # The clerk's answer to "likely duplicate" (link or create new), audited after the write.
    decided = patient is None and (link_id is not None or bool(confirm.get("create_new")))
    # A cached verdict's read is audited in the visit's own entry (see _write).
    verdict_dict, verdict = _verify(operator, presented, patient, known_card, audit_cache_hit=False)
    if verdict.outcome == "valid" and verdict.card is not None and not person.claimed_id_number:
        from dataclasses import replace

        person = replace(
            person,
            card_number=person.card_number or (verdict.card.card_number or ""),
            bhxh_number=person.bhxh_number or (verdict.card.bhxh_number or ""),
        )

    # The standing read above can stand in for a read under the row lock only when it asked
    # about this facility alone (whether the patient is known here decides the facility link).
    seen = today if patient is not None and set(scope) == {dep.facility_id} else None
    for attempt in range(3):
        try:
            ma_lk = make_ma_lk(dep.facility.code, day, next_visit_number(dep.facility_id, day))
            visit, created = _write(
                operator,
                dep,
                day,
                person,
                patient,
                link_id,
                verdict,
                verdict_dict,
                reason,
                ma_lk,
                seen=seen if attempt == 0 else None,
                kind=evidence,
                method=kind,
            )
            break
        except IntegrityError:
            # A concurrent check-in created this person (ID number constraint) or the same
            # visit (today's DailyCheckIn row), or merged the record away: look again and
            # retry under the row lock; the second pass finds the committed record. (Or the
            # MA_LK or a reserved id was taken: the database was restored under us.)
            forget_visit_numbers()
            rawrows.forget_reserved_pks()
            if not person.claimed_id_number:
                patient = mpi.find_known(person)
            if attempt == 2:
                raise
        except (OperationalError, InterfaceError) as exc:
            raise _database_unavailable(exc) from None
    if created and decided:
        _audit_duplicate_choice(operator, visit, link_id)
    if created:  # a child under 6 or someone 75 or over is called first, from any entry point
        from kcb06.visits.changes import set_priority

        set_priority(operator, visit.ticket, visit.patient)
    result = _result(visit, created=created, warnings=warnings, verdict=verdict_dict)
    if differences:  # what the record still holds otherwise than the scan or the clerk said
        result.differences = identity.differences(visit.patient, person)
    return result


def _audit_duplicate_choice(operator, visit: Visit, link_id: int | None) -> None:
    """Who decided that this person is (or is not) one of the likely duplicates shown. Its own
    entry, written right after the check-in's (which commits with the ticket)."""
    record(
        operator,
        Action.UPDATE if link_id is not None else Action.CREATE,
        object_type="patient",
        object_id=visit.patient_id,
        patient_id=visit.patient_id,
        purpose="duplicate_linked" if link_id is not None else "duplicate_new_record",
        detail={"visit": visit.pk, "ma_lk": visit.ma_lk},
    )


def _database_unavailable(exc) -> DomainError:
    log.warning("check-in write failed: database unavailable (%s)", type(exc).__name__)
    try:
        connection.close()
    except DatabaseError:
        pass
    return DomainError(
        "database_unavailable",
        "Mất kết nối cơ sở dữ liệu: chưa ghi nhận lượt tiếp đón này (không có dữ liệu "
        "nào được lưu dở). Hãy quét lại sau ít giây; nếu vẫn lỗi, báo quản trị.",
        "Database unavailable: this check-in was not saved (nothing half-written). "
        "Scan again in a few seconds.",
        status=503,
    )


def _visit_audit_detail(visit: Visit, dep, verdict) -> dict:
    detail = {"ma_lk": visit.ma_lk, "department": dep.code}
    if getattr(verdict, "from_cache", False):
        # The BHYT verdict read from today's cache for this check-in (not audited apart).
        detail["eligibility_check"] = verdict.check_id
        detail["eligibility"] = {"outcome": verdict.outcome, "portal_code": verdict.portal_code}
    return detail


def _load_visit(visit_id: int) -> Visit:
    return (
        Visit.objects.filter(pk=visit_id)
        .select_related("ticket__department", "department", "facility", "patient")
        .get()
    )


def _write(
    operator,
    dep,
    day,
    person,
    patient,
    link_id,
    verdict,
    detail,
    reason,
    ma_lk,
    seen=None,
    kind="",
    method="",
):
    """`seen`: the patient's standing as read at this check-in's start (first attempt only).
    `kind`: what was scanned (a chip-card QR may be evidence for the record, see
    kcb06.patients.identity)."""
    now = timezone.now()
    locked = patient.pk if patient is not None else link_id
    # On PostgreSQL the ids are taken ahead (from this process's reserve), so that the whole
    # write goes in one statement with its COMMIT (kcb06.visits.commit).
    if locked is None:
        new_ids = rawrows.reserve_pks(Patient, Visit)
    else:
        new_ids = [None, *rawrows.reserve_pks(Visit)]
    # A returning patient whom the scan changes nothing for (the commonest check-in) takes no
    # row lock: today's arbiter row (DailyCheckIn) settles a race with a second scan, and the
    # write itself checks that the record was not merged away meanwhile.
    unlocked = (
        seen is not None
        and patient is not None
        and new_ids[1] is not None
        and mpi.changes_nothing(patient, person, seen.identifiers, seen.known, kind)
    )
    with transaction.atomic(), rawrows.queued_inserts() as queued:
        unlocked = unlocked and queued is not None
        visit_id = new_ids[1]
        if unlocked:
            identifiers = seen.identifiers
        elif locked is not None:
            # Read under the row lock: a check-in racing this one has committed by now.
            patient, held = lock_with_standing(locked, [dep.facility_id], dep.pk, day)
            if patient.merged_into_id is not None:  # merged away since this check-in read it
                raise IntegrityError("patient record merged during check-in")
            mpi.refresh_from_scan(patient, person, kind, operator)
            changed = mpi.record_identifiers(patient, person, held=held.identifiers)
            mpi.link_facility(patient, dep.facility_id, known=held.known)
            if held.visit_id is not None:  # a racing scan's visit: the record still takes the card
                return _load_visit(held.visit_id), False
            identifiers = None if changed else held.identifiers
        else:
            # New record: identifiers written with it; no visit can exist yet.
            patient = mpi.create_with_identifiers(person, new_ids[0])  # IntegrityError: retried
            mpi.link_facility(patient, dep.facility_id, created=True)
            identifiers = mpi.numbers(person)
        visit = rawrows.new(
            Visit,
            pk=visit_id,
            ma_lk=ma_lk,
            facility=dep.facility,
            patient=patient,
            department=dep,
            arrived_at=now,
            visit_date=day,
            visit_type="01",
            check_in_method=method,
            reason=(reason or "")[:1024],
            created_by=operator.user,
        )
        _apply_verdict(visit, verdict, detail)
        rawrows.insert(visit)
        # A visit created this instant has no closure: say so, so building XML0 asks no query.
        Visit.closure.related.set_cached_value(visit, None)
        visit_checked_in.send(
            sender=Visit, visit=visit, principal=operator, fresh=True, identifiers=identifiers
        )
        entry = entry_for(
            operator,
            Action.CREATE,
            object_type="visit",
            object_id=visit.pk,
            patient_id=patient.pk,
            purpose="check_in",
            detail=_visit_audit_detail(visit, dep, verdict),
        )
        ticket = audit_ticket_and_commit(entry, visit, dep, day, queued, unlocked=unlocked)
    visit.ticket = ticket
    return visit, True


def _result(visit: Visit, *, created: bool, warnings: list, verdict: dict | None = None):
    return CheckInResult(
        patient=visit.patient,
        visit=visit,
        ticket=visit.ticket,
        verdict=verdict or visit.eligibility_detail or {"outcome": visit.eligibility_outcome},
        created=created,
        warnings=warnings,
    )


# --- verdict_resolved receiver ----------------------------------------------------------------


def on_verdict_resolved(sender, check=None, verdict=None, **kwargs) -> None:
    """A pending (unverified) check got its answer: update the visits that used it."""
    if check is None or verdict is None:
        return
    for visit in Visit.objects.filter(eligibility_check_id=check.pk).exclude(
        status=VisitStatus.CANCELLED
    ):
        _apply_verdict(visit, verdict)
        visit.eligibility_check_id = check.pk
        visit.save()


def ticket_by_token(principal, token: str) -> Ticket:
    ticket = (
        Ticket.objects.select_related("department", "visit", "visit__patient", "visit__facility")
        .filter(token=token, visit__facility_id=principal.facility_id)
        .first()
    )
    if ticket is None:
        raise DomainError("ticket_not_found", "Không tìm thấy phiếu.", "Ticket not found.", 404)
    return ticket


def visit_for(principal, visit_id: int) -> Visit:
    principal.require_role(*mpi.READ_ROLES)
    visit = (
        Visit.objects.select_related("patient", "department", "facility")
        .filter(pk=visit_id, facility_id__in=principal.patient_data_facility_ids())
        .first()
    )
    if visit is None:
        raise DomainError("visit_not_found", "Không tìm thấy đợt khám.", "Visit not found.", 404)
    record(
        principal,
        Action.READ,
        object_type="visit",
        object_id=visit.pk,
        patient_id=visit.patient_id,
        purpose="visit_lookup",
    )
    return visit


__all__ = ["CheckInResult", "Forbidden", "check_in", "preview"]
