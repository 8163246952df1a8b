"""Who a check-in is for, read before the portal is asked and before anything is written.

The holder of the scanned numbers and their standing at the department today (one statement
for a chip-card scan), what the record shows this facility (kcb06.visits.scan.resolve), the
differences between scan and record, and the clerk's decision about likely duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from kcb06.errors import DomainError
from kcb06.patients import identity
from kcb06.patients import services as mpi
from kcb06.patients.models import Patient
from kcb06.visits import scan
from kcb06.visits.scan import needs_desk
from kcb06.visits.standing import Standing, by_id_number_with_standing, standing


@dataclass
class Who:
    """Who a check-in is for, as read before the portal is asked."""

    patient: Patient | None
    person: mpi.PersonData  # as the record will take it
    presented: mpi.PersonData  # as presented (asked of the portal)
    today: Standing | None  # the patient's standing as read
    scope: list  # the facilities whose patient data the operator sees
    evidence: str  # what the scan may bring into the record ("" for nothing)
    known_card: str | None = None
    differences: list = field(default_factory=list)
    visit_id: int | None = None  # today's visit here already

    def seen_at(self, dep) -> Standing | None:
        """The standing read, when it can stand in for a read under the row lock: only when
        it asked about this facility alone (whether the patient is known here decides the
        facility link)."""
        if self.patient is None or set(self.scope) != {dep.facility_id}:
            return None
        return self.today


def who_for(operator, dep, day, kind, person, confirm, unattended) -> Who:
    scope = operator.patient_data_facility_ids()
    found = (
        by_id_number_with_standing(person.id_number, scope, dep.pk, day)
        if person.id_number
        else True
    )
    if isinstance(found, tuple):  # a chip-card scan: the holder and its standing at once
        patient, today = found
    else:
        patient = mpi.find_known(person, id_number_unheld=found is False)
        today = standing(patient.pk, scope, dep.pk, day) if patient is not None else None
    # What the scan may bring into the record: only at a staffed desk, and only into a record
    # this facility knew before (whose values its desk could show beside the scan).
    who = Who(patient, person, person, today, scope, "" if unattended else kind)
    if patient is None:
        who.person = who.presented = scan.with_details(person, None, confirm)
    elif today.visit_id is not None:
        who.visit_id = today.visit_id
    else:
        _returning(operator, dep, day, who, confirm)
        if unattended and who.differences:
            raise needs_desk()
    return who


def _returning(operator, dep, day, who: Who, confirm) -> None:
    holder, today, person = who.patient, who.today, who.person
    who.presented = scan.with_details(person, holder if today.known else None, confirm)
    who.patient, who.person = scan.resolve(operator, person, holder, today.known, confirm)
    if who.patient is holder:
        if today.known:
            who.known_card = today.card_number
            who.differences = identity.differences(holder, who.person)
        else:
            who.evidence = ""
    elif who.patient is not None:  # this facility's own record of the claimed number
        who.today = standing(who.patient.pk, who.scope, dep.pk, day)
        if who.today.visit_id is not None:
            who.visit_id = who.today.visit_id
            return
        who.differences = identity.differences(who.patient, who.person)


def duplicates_decided(operator, who: Who, confirm) -> int | None:
    """A new person's likely duplicates at this facility: the record the clerk chose to link
    to, or None (create new); raises possible_duplicates while the clerk has not chosen."""
    if who.patient is not None:
        return None
    if confirm.get("link_patient_id"):
        link_id = int(confirm["link_patient_id"])
        if link_id not in {c.patient.pk for c in scan.scoped_candidates(operator, who.person)}:
            raise DomainError(
                "link_not_candidate",
                "Hồ sơ được chọn để nối không còn nằm trong danh sách nghi trùng.",
                "The record chosen to link is not a likely duplicate of this person.",
            )
        return link_id
    if confirm.get("create_new"):
        return None
    candidates = scan.scoped_candidates(operator, who.person)
    if candidates and who.person.id_number:
        # The hard key decides, not the clerk: a scan racing this one (a scanner that fires
        # twice) may have just created this very person.
        who.patient, who.today = mpi.find_known(who.person), None
    if candidates and who.patient is None:
        err = DomainError(
            "possible_duplicates",
            "Có hồ sơ có thể là cùng người này. Hãy chọn nối vào hồ sơ cũ hoặc tạo mới.",
            "Likely duplicate records exist: confirm with link_patient_id or create_new=true.",
            status=409,
        )
        err.candidates = [c.as_dict() for c in candidates]
        raise err
    return None


def with_verdict_card(person: mpi.PersonData, verdict) -> mpi.PersonData:
    """A valid verdict's card and BHXH number join the record's identifiers (not on a record
    that keeps an ID number as claimed only)."""
    if verdict.outcome != "valid" or verdict.card is None or person.claimed_id_number:
        return person
    return replace(
        person,
        card_number=person.card_number or (verdict.card.card_number or ""),
        bhxh_number=person.bhxh_number or (verdict.card.bhxh_number or ""),
    )
