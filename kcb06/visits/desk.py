"""Small pieces of the reception desk's pages that are not check-in itself: the clerk's one
choice among likely duplicates, and the panel as it stands right after a ticket."""

from __future__ import annotations

import re
from datetime import date

from kcb06.patients import services as mpi
from kcb06.visits import departments
from kcb06.visits.departments import local_day
from kcb06.visits.models import Priority
from kcb06.visits.today import todays_tickets

NEW_RECORD = "new"


def sex_code_from_number(scan: str) -> str:
    """A typed 12-digit ID number says the holder's sex (its 4th digit): the details form starts
    with it ("1" Nam, "2" Nữ), and the clerk types over it when the papers say otherwise."""
    from kcb06.identity import IdentityError, parse_scan

    try:
        parsed = parse_scan(scan)
    except IdentityError:
        return ""
    if parsed.kind != "id_number":
        return ""
    return {"male": "1", "female": "2"}.get(parsed.sex or "", "")


def record_choice(post) -> dict:
    """The clerk's answer to "likely duplicate": one radio group named `record` whose value is
    a record's id (link this visit to it) or "new" (create a record anyway). One group, so a
    choice is required once and either answer submits."""
    choice = (post.get("record") or "").strip()
    if choice == NEW_RECORD:
        return {"create_new": True}
    if choice.isdigit():
        return {"link_patient_id": int(choice)}
    return {}


def panel_after_ticket(principal, result) -> dict:
    """The panel redrawn after a ticket, without asking the portal again: the record as it now
    is (a linked or new record is known here), the verdict the visit was issued with, and
    today's tickets of this person, the new one included."""
    from kcb06.visits.services import Preview

    patient = result.patient
    person = mpi.PersonData(
        full_name=patient.full_name,
        date_of_birth=patient.date_of_birth,
        sex=patient.sex,
        address=patient.address,
        birth_year=patient.birth_year,
    )
    existing = list(todays_tickets(local_day(), patient=patient, facility_id=principal.facility_id))
    pv = Preview("", person, patient, [], result.verdict, [], existing)
    return {
        "pv": pv,
        "verdict": result.verdict,
        "departments": departments.departments_today(principal),
        "selected": result.ticket.department.code,
        "priorities": Priority.choices,
        "priority": result.ticket.priority,
    }


# A date or year at the end of the text, after a space (or alone): never the tail of a number.
_TRAILING_DATE = re.compile(r"^(?:(.*)\s)?(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}|\d{8})$")
_TRAILING_YEAR = re.compile(r"^(?:(.*)\s)?((?:18|19|20)\d{2})$")


def split_query(text: str) -> tuple[str, date | None, int | None, str]:
    """The desk's one search field: a name with a date or year of birth at its end (either
    may be alone), or an ID / card number. Returns (name or number, date, year, error in
    Vietnamese). Eight digits are a date (ddmmyyyy): no identifier has eight digits."""
    from kcb06.visits.details import read_birth_date

    text = " ".join((text or "").split())
    match = _TRAILING_DATE.match(text)
    if match:
        born, why = read_birth_date(match.group(2))
        if why:
            return match.group(1) or "", None, None, why
        return match.group(1) or "", born, born.year, ""
    match = _TRAILING_YEAR.match(text)
    if match:
        return match.group(1) or "", None, int(match.group(2)), ""
    return text, None, None, ""
