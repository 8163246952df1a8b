"""From a scan to the person checked in: what was presented, and the record it is for.

Read-only. A scan (chip-card QR, VNeID QR, typed ID/BHYT/BHXH number) becomes a PersonData;
the record found by its numbers is shown to a facility only when known there, otherwise the
clerk types the details as for a stranger (docs/reception.md, "Identity").
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from kcb06.errors import DomainError
from kcb06.identity.names import check_name, clean_name
from kcb06.patients import identity
from kcb06.patients import services as mpi
from kcb06.patients.duplicates import Candidate, likely_duplicates
from kcb06.patients.models import IdentifierKind, Patient, PatientFacility, PatientIdentifier


class NeedsDetails(DomainError):
    """A typed ID/BHYT/BHXH number of someone unknown: the clerk must type name, DOB, sex."""

    status = 409


class NeedsDesk(DomainError):
    """At an unattended kiosk, what the card says differs from the record: staff must look."""

    status = 409


def needs_desk() -> NeedsDesk:
    return NeedsDesk(
        "kiosk_needs_desk",
        "Thông tin trên thẻ khác với hồ sơ của bạn tại cơ sở. Mời bạn đến quầy tiếp đón để "
        "nhân viên đối chiếu.",
        "The card differs from your record here: please go to the reception desk.",
    )


def parse(scan_text: str) -> tuple[str, mpi.PersonData, list[dict]]:
    """(what was scanned, the person as presented, the scan's warnings for the clerk)."""
    from kcb06.identity import parse_scan

    parsed = parse_scan(scan_text)
    if parsed.kind == "vneid_qr":
        from kcb06.eligibility.eid import authenticate

        eid = authenticate(parsed)  # the e-ID provider's answer for this QR
        person = mpi.PersonData(
            full_name=check_name(eid.full_name),
            date_of_birth=eid.date_of_birth,
            sex=eid.sex,
            id_number=eid.id_number,
        )
        return "vneid_qr", person, []
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


def with_details(person: mpi.PersonData, patient: Patient | None, confirm: dict) -> mpi.PersonData:
    """Fill name/DOB/sex for a typed number: from the known patient, else from the clerk."""
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


def with_newer_card(person: mpi.PersonData, confirm: dict) -> mpi.PersonData:
    """The clerk re-checks with the newer card the portal named (answers 003 and 004,
    `maTheMoi`): that card is asked instead of the one scanned or held."""
    card = (confirm.get("card_number") or "").strip()
    if not card:
        return person
    from kcb06.identity import parse_bhyt_card

    return replace(person, card_number=parse_bhyt_card(card).card_number)


def visible(principal, patient: Patient | None, known: bool | None = None) -> Patient | None:
    """A record found by a typed number lends its name/DOB only if known at this facility;
    otherwise the clerk types them (a number alone must not reveal another facility's data).
    `known`: the answer when the caller has already read it."""
    if patient is None:
        return None
    if known is None:
        known = mpi.known_at(patient.pk, principal.patient_data_facility_ids())
    return patient if known else None


def claimed_here(principal, id_number: str) -> Patient | None:
    """This facility's own record of a person whose ID number it took while the number's
    holder elsewhere had another name, date of birth or sex (see `resolve`)."""
    if not id_number:
        return None
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


def claimed(person: mpi.PersonData) -> mpi.PersonData:
    """The person as this facility's own record keeps them: the ID number as claimed only,
    no card numbers (they would make the other record ambiguous)."""
    return replace(
        person,
        id_number="",
        old_id_number="",
        card_number="",
        bhxh_number="",
        claimed_id_number=person.id_number,
    )


def resolve(principal, person: mpi.PersonData, patient: Patient | None, known: bool, confirm):
    """Who this check-in is for, as the facility may see it: (patient or None, person).

    A facility that has never seen the record of a number's holder is shown and told nothing
    of it: the clerk types the details as for a stranger (NeedsDetails), and the record is
    used only when what was presented agrees with it on name, date of birth and sex.
    Otherwise the facility gets a record of its own (the ID number kept as "claimed"), exactly
    as if nobody held the number: the holder's record is neither changed nor linked, and its
    past stays with the facilities that know it (docs/reception.md, "Identity")."""
    if patient is None or known:
        return patient, with_details(person, patient, confirm)
    person = with_details(person, None, confirm)
    if identity.same_person(patient, person):
        return patient, person
    return claimed_here(principal, person.id_number), claimed(person)


def scoped_candidates(principal, person: mpi.PersonData) -> list[Candidate]:
    """Likely duplicates, restricted to records known at the clerk's facility."""
    return likely_duplicates(person, facility_ids=principal.patient_data_facility_ids())
