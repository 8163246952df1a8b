"""What the self-service kiosk decides on top of check-in: who may go on alone, and where to.

- The chip-card QR (or the VNeID QR) is the card in hand: it goes straight to the confirm step.
- A typed number (ID, BHYT or BHXH number) proves nothing about who is standing there: the
  kiosk shows no name and takes no ticket until the person types their own date of birth and
  it matches the record known at this facility. Unknown number, year-only birth date or a wrong
  date: one and the same "please go to the desk", so the screen reveals nothing.
- A card the portal says cannot be used (expired, revoked...) is told as it is, and the patient
  is sent to the desk, where staff decide how to register them.
- Only departments flagged `self_service` (never the emergency department) are offered, and a
  ticket for any other is refused.
"""

from __future__ import annotations

from datetime import date, datetime

from kcb06.errors import DomainError
from kcb06.facilities.models import Department, Role
from kcb06.patients import services as mpi
from kcb06.visits import departments

# Accounts that may open the kiosk pages: the kiosk's own account, and staff (to try it out).
KIOSK_ROLES = (Role.KIOSK, Role.RECEPTION, Role.FACILITY_ADMIN)
CARD_IN_HAND = ("cccd_qr", "vneid_qr")


def go_to_desk(message_vi: str, message_en: str, code: str = "kiosk_needs_desk") -> DomainError:
    return DomainError(code, message_vi + " Mời bạn đến quầy tiếp đón.", message_en)


def scan_kind(scan_text: str) -> str:
    """The kind of what was scanned or typed (parse errors surface as they are)."""
    from kcb06.identity import parse_scan

    return parse_scan(scan_text).kind


def needs_date_of_birth(scan_text: str) -> bool:
    return scan_kind(scan_text) not in CARD_IN_HAND


def parse_typed_dob(text: str) -> date | None:
    digits = "".join(ch for ch in (text or "") if ch.isdigit())
    if len(digits) != 8:
        return None
    try:
        return datetime.strptime(digits, "%d%m%Y").date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        return None


def confirm_typed_number(principal, scan_text: str, dob_text: str) -> None:
    """Raise "please go to the desk" unless the typed number belongs to a patient known at this
    facility whose date of birth is the one the person typed."""
    from kcb06.visits.scan import parse, visible

    _, person, _ = parse(scan_text)
    typed = parse_typed_dob(dob_text)
    patient = visible(principal, mpi.find_known(person)) if typed else None
    if patient is None or patient.date_of_birth is None or patient.date_of_birth != typed:
        raise go_to_desk(
            "Ki-ốt chưa xác nhận được thông tin của bạn.",
            "The kiosk could not confirm who you are: please go to the reception desk.",
        )


def verdict_needs_desk(verdict: dict) -> DomainError | None:
    """An unusable card is told as it is; staff decide at the desk (self-pay, new card...)."""
    if verdict.get("outcome") != "invalid":
        return None
    reason = verdict.get("reason_vi") or "Thẻ BHYT không sử dụng được."
    card = verdict.get("card") or {}
    valid_to = card.get("valid_to")
    if verdict.get("portal_code") in ("003", "010") and valid_to:
        day = date.fromisoformat(valid_to) if isinstance(valid_to, str) else valid_to
        reason = f"Thẻ BHYT của bạn đã hết hạn sử dụng từ ngày {day:%d/%m/%Y}."
    return go_to_desk(
        reason,
        "Your BHYT card cannot be used: please go to the reception desk.",
        code="kiosk_card_invalid",
    )


def self_service_departments(principal) -> list[dict]:
    """Departments a patient may choose alone today (open and flagged self-service)."""
    flagged = set(
        Department.objects.filter(facility_id=principal.facility_id, self_service=True).values_list(
            "pk", flat=True
        )
    )
    return [
        d
        for d in departments.departments_today(principal)
        if d["open_today"] and d["id"] in flagged
    ]


def ensure_self_service(principal, code: str) -> None:
    if not any(d["code"] == code for d in self_service_departments(principal)):
        raise go_to_desk(
            "Khoa/phòng này không nhận đăng ký tại ki-ốt.",
            "This department does not take kiosk check-ins: please go to the reception desk.",
            code="department_not_self_service",
        )
