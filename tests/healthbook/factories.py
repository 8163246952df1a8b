"""Synthetic patients and visits for health-book tests, made directly through the models
(the reception app's check_in needs portalsim; these tests are about the book)."""

import itertools
from datetime import date, timedelta

from django.utils import timezone

from kcb06.catalogue import parsing
from kcb06.catalogue import services as catalogue
from kcb06.catalogue.columns import CATALOGUES
from kcb06.catalogue.models import Drug
from kcb06.facilities.models import Facility
from kcb06.facilities.services import principal_for_user
from kcb06.identity.names import name_key
from kcb06.patients.models import Patient, PatientFacility
from kcb06.visits.models import Visit
from tests.catalogue.files import DRUG_HEADER, csv, drug

_seq = itertools.count(1)


def patient(name="Phạm Thị Sổ Khám", facility_code="27901", dob=date(1980, 5, 2)) -> Patient:
    p = Patient.objects.create(
        full_name=name,
        name_key=name_key(name),
        date_of_birth=dob,
        birth_year=dob.year,
        sex="female",
        address="Số 1 đường Demo, phường Từ Sơn, tỉnh Bắc Ninh",
    )
    PatientFacility.objects.create(patient=p, facility=Facility.objects.get(code=facility_code))
    return p


def visit(
    p: Patient, facility_code="27901", *, days_ago=0, status="open", reason="Ho, sốt"
) -> Visit:
    facility = Facility.objects.get(code=facility_code)
    at = timezone.now() - timedelta(days=days_ago)
    n = next(_seq)
    return Visit.objects.create(
        ma_lk=f"{facility_code}.T{n:06d}.{p.pk}",
        facility=facility,
        patient=p,
        department=facility.departments.order_by("sort_order").first(),
        arrived_at=at,
        visit_date=timezone.localdate(at),
        reason=reason,
        status=status,
        closed_at=at if status == "closed" else None,
        cancelled_at=at if status == "cancelled" else None,
        cancel_reason="Đăng ký nhầm" if status == "cancelled" else "",
    )


def principal(org, username="bacsi"):
    return principal_for_user(org["users"][username])


def clinician_at(org, code: str):
    """A clinician of facility `code` (created if the demo org has none there)."""
    from django.contrib.auth import get_user_model

    from kcb06.facilities.models import StaffProfile

    facility = Facility.objects.get(code=code)
    found = StaffProfile.objects.filter(facility=facility, role="clinician").first()
    if found:
        return found.user
    user = get_user_model().objects.create_user(f"bs_{code}", password="demo")
    StaffProfile.objects.create(
        user=user,
        facility=facility,
        role="clinician",
        full_name=f"Bác sĩ {code}",
        # A clinician who closes visits signs claim lines with a practising-certificate code.
        practitioner_code=f"0{code}0001",
    )
    return user


def catalogue_drug(facility_code="27901", price="500", code="40.9101", name="Paracetamol") -> Drug:
    """A row of the facility's drug catalogue, valid since 2020, with its registration number
    (SO_DANG_KY) and tender data (TT_THAU): a claim's drug line gets them only from the
    catalogue, and the portal refuses a line without them (issue #19). One item per price (its
    registration number names the price), so a test can bill the amounts it needs."""
    facility = Facility.objects.get(code=facility_code)
    reg = f"VD-{code}-{price}".replace(".", "")
    rows = [drug(code, name, price, start="20200101", reg=reg)]
    parsed = parsing.parse_file(CATALOGUES["drugs"], "test.csv", csv(DRUG_HEADER, rows))
    assert not parsed.errors, parsed.errors
    catalogue.seed_rows(facility.pk, "drugs", parsed.rows)
    return Drug.objects.get(facility=facility, code=code, registration=reg)


CLOSE = {
    "weight_kg": "60",
    "main_icd10": "J06.9",
    "secondary_icd10": ["I10"],
    "treatment_summary": "Điều trị ngoại trú, hạ sốt, nghỉ ngơi.",
    "outcome": "2",
    "discharge_type": "1",
    "prescriptions": [
        {
            # A coded line: with catalogue_drug() it takes SO_DANG_KY, TT_THAU and the price
            # from the catalogue; without a drug catalogue the code is taken as typed and the
            # claim lacks them (the closing says so). Free text would be a note (issue #19).
            "drug_code": "40.9101",
            "drug_name": "Paracetamol",
            "strength": "500mg",
            "dose": "1 viên × 3 lần/ngày",
            "duration_days": "5",
            "quantity": "15",
            "unit": "viên",
            "unit_price": "500",
        }
    ],
    "results": [{"indicator_name": "Nhiệt độ", "value": "38.5", "unit": "°C"}],
}
