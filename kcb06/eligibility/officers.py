"""Who the BHXH portal sees behind a card check: the lookup officer.

The portal answers a card check only with the name and 12-digit CCCD of an officer the facility
registered with BHXH (CV 1923/BHXH-CNTT, form 01/dk-ctn): a missing CCCD is answered 205, an
unregistered one 054, a name that does not match 055. A staff member checks under their own
name and CCCD. A kiosk is a device with no CCCD, so its checks run under the facility's
designated lookup officer (`Facility.lookup_officer`, set by the facility admin).

An unusable officer is found here, before the portal is asked, and named precisely
(`codes.OFFICER_PROBLEMS`), so that the patient is never told it is a card problem and the
admin page can list every account that cannot make a lookup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kcb06.facilities.models import Facility, Role, StaffProfile

ID_NUMBER_RE = re.compile(r"\d{12}")
# Roles whose accounts exist to check cards at reception (the admin page warns about them).
LOOKUP_ROLES = (Role.RECEPTION, Role.KIOSK)


@dataclass(frozen=True)
class Officer:
    full_name: str
    id_number: str


@dataclass(frozen=True)
class OfficerProblem:
    """Why an account cannot make a lookup: `code` is a key of codes.OFFICER_PROBLEMS."""

    code: str
    message_vi: str


def _has_id_number(profile: StaffProfile) -> bool:
    return bool(ID_NUMBER_RE.fullmatch(profile.id_number or ""))


def officer_for_profile(profile: StaffProfile) -> Officer | OfficerProblem:
    """The officer a check by this account runs under, or why there is none."""
    if profile.role == Role.KIOSK:
        return designated_officer(profile.facility)
    if not _has_id_number(profile):
        return OfficerProblem(
            "officer_no_id_number",
            "Tài khoản chưa có số CCCD 12 số của nhân viên: Cổng BHXH sẽ từ chối tra cứu.",
        )
    return Officer(profile.full_name, profile.id_number)


def designated_officer(facility: Facility) -> Officer | OfficerProblem:
    """The facility's lookup officer, for its kiosks (one query: profile and user)."""
    officer = None
    if facility.lookup_officer_id:
        officer = (
            StaffProfile.objects.select_related("user")
            .filter(pk=facility.lookup_officer_id, facility_id=facility.pk)
            .first()
        )
    if officer is None or officer.role == Role.KIOSK:
        return OfficerProblem(
            "no_lookup_officer",
            "Cơ sở chưa chỉ định cán bộ tra cứu thẻ BHYT cho ki-ốt.",
        )
    if not officer.user.is_active:
        return OfficerProblem(
            "officer_inactive",
            f"Cán bộ tra cứu của ki-ốt ({officer.full_name}) đã bị khóa tài khoản.",
        )
    if not _has_id_number(officer):
        return OfficerProblem(
            "officer_no_id_number",
            f"Cán bộ tra cứu của ki-ốt ({officer.full_name}) chưa có số CCCD 12 số.",
        )
    return Officer(officer.full_name, officer.id_number)


@dataclass(frozen=True)
class AccountWarning:
    username: str
    full_name: str
    role: str
    message_vi: str


def accounts_that_cannot_look_up(facility: Facility) -> list[AccountWarning]:
    """Every active reception or kiosk account of the facility whose card checks would fail
    for a reason of set-up (no CCCD, no designated officer for the kiosks)."""
    kiosk_problem = None
    warnings = []
    profiles = (
        StaffProfile.objects.select_related("user", "facility")
        .filter(facility=facility, role__in=LOOKUP_ROLES, user__is_active=True)
        .order_by("role", "full_name")
    )
    for profile in profiles:
        if profile.role == Role.KIOSK:
            if kiosk_problem is None:
                kiosk_problem = designated_officer(facility)
            found = kiosk_problem
        else:
            found = officer_for_profile(profile)
        if isinstance(found, OfficerProblem):
            warnings.append(
                AccountWarning(
                    profile.user.get_username(),
                    profile.full_name,
                    profile.get_role_display(),
                    found.message_vi,
                )
            )
    return warnings


def staff_without_id_number(facility: Facility) -> list[StaffProfile]:
    """Active people of the facility (kiosk devices aside) with no valid 12-digit CCCD."""
    profiles = (
        StaffProfile.objects.select_related("user")
        .filter(facility=facility, user__is_active=True)
        .exclude(role=Role.KIOSK)
        .order_by("full_name")
    )
    return [p for p in profiles if not _has_id_number(p)]
