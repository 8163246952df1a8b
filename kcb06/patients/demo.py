"""Demo patients: the synthetic citizens of portalsim (docs/portalsim.md), one per verdict, so
the desk shows each outcome on the first scan. Every name and number is invented."""

from datetime import date

from django.db import transaction

from kcb06.patients import services as mpi
from kcb06.patients.models import PatientFacility

ADDRESS = "Thôn Demo, phường Tam Sơn, tỉnh Bắc Ninh"
PATIENTS = [
    # id_number, name, dob, sex, what portalsim answers
    ("027085000001", "Nguyễn Văn Hợp Lệ Demo", date(1985, 8, 15), "male", "valid"),
    ("027070000010", "Bùi Văn Hết Hạn Demo", date(1970, 9, 9), "male", "invalid (expired)"),
    ("027200000050", "Ngô Thị Chưa Thẻ Demo", date(2000, 1, 1), "female", "no_card"),
    ("027077000500", "Phan Văn Máy Chủ Demo", date(1977, 1, 3), "male", "unverified (5xx)"),
]


def cccd_qr(id_number: str, name: str, dob: date, sex: str) -> str:
    """The text a scanner types for this person's chip-card QR (for the README and tests)."""
    return f"{id_number}||{name}|{dob:%d%m%Y}|{'Nam' if sex == 'male' else 'Nữ'}|{ADDRESS}|01012022"


@transaction.atomic
def seed(context: dict) -> dict:
    facility = context["facilities"]["27901"]
    patients = {}
    for id_number, name, dob, sex, _ in PATIENTS:
        person = mpi.PersonData(name, dob, sex, id_number=id_number, address=ADDRESS)
        patient = mpi.find_known(person) or mpi.safe_create(person)
        PatientFacility.objects.get_or_create(patient=patient, facility=facility)
        patients[id_number] = patient
    return {"demo_patients": patients}
