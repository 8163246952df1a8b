"""Demo health-book data: a few entries and closed visits of the last 7 days, so the clinician's
page has history and `kcb06 xml export` has claims to show.

One non-BHYT visit today (patients of the reception demo when they exist, else three synthetic
ones) and the BHYT visits of BHYT_CASES, one per benefit case the engine decides (card levels
1–5 above 15 % of the base salary, a small visit below it, the commune station 27903, and a
patient exempt from co-payment after an earlier large co-payment this year), each with its own
synthetic patient and card, drugs and services from the demo catalogue (the row valid on the
visit's day). The interchange seed rebuilds their claims once the visits are dated
(context "redate"). Idempotent: a visit whose MA_LK exists closed is left alone."""

from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from kcb06.catalogue import services as catalogue
from kcb06.facilities.models import Facility
from kcb06.facilities.services import principal_for_user
from kcb06.healthbook import services
from kcb06.healthbook.models import BookEntry, Prescription, VisitClosure
from kcb06.healthbook.text import fold
from kcb06.patients.models import Patient, PatientFacility
from kcb06.visits.models import Visit, VisitStatus

DEMO_PATIENTS = [
    ("Nguyễn Thị Mẫu Sổ", "1968-04-12", "female"),
    ("Trần Văn Thử Nghiệm", "1955-09-30", "male"),
    ("Lê Hoàng Minh Họa", "1990-01-15", "male"),
]
CLOSINGS = [
    (
        "J06.9",
        ["R50.9"],
        "Viêm họng cấp, hạ sốt, súc họng nước muối.",
        "Paracetamol",
        "500mg",
        "1 viên × 3 lần/ngày khi sốt",
    ),
    (
        "I10",
        ["E78.5"],
        "Tăng huyết áp, điều chỉnh thuốc, ăn nhạt.",
        "Amlodipin",
        "5mg",
        "1 viên buổi sáng",
    ),
    (
        "E11.9",
        ["I10"],
        "Đái tháo đường típ 2, theo dõi đường huyết.",
        "Metformin",
        "500mg",
        "1 viên × 2 lần/ngày sau ăn",
    ),
    (
        "K29.7",
        [],
        "Viêm dạ dày, dùng thuốc ức chế bơm proton.",
        "Omeprazol",
        "20mg",
        "1 viên trước ăn sáng",
    ),
    (
        "M54.5",
        [],
        "Đau thắt lưng, giảm đau, vật lý trị liệu.",
        "Meloxicam",
        "7,5mg",
        "1 viên/ngày sau ăn",
    ),
    (
        "J20.9",
        ["J06.9"],
        "Viêm phế quản cấp, long đờm.",
        "Acetylcystein",
        "200mg",
        "1 gói × 3 lần/ngày",
    ),
    ("H10.9", [], "Viêm kết mạc, nhỏ mắt.", "Natri clorid 0,9%", "10ml", "Nhỏ mắt 4 lần/ngày"),
]


def _patients(ttyt) -> list[Patient]:
    found = list(
        Patient.objects.filter(merged_into__isnull=True, facility_links__facility=ttyt).order_by(
            "pk"
        )[:5]
    )
    if found:
        return found
    return [_patient(ttyt, name, dob, sex) for name, dob, sex in DEMO_PATIENTS]


def _entries(patient, ttyt, user) -> int:
    if BookEntry.objects.filter(patient=patient).exists():
        return 0
    rows = [
        ("allergy", "Penicillin", "severe", "Sốc phản vệ năm 2015"),
        ("chronic", "Tăng huyết áp", "", ""),
        ("risk", "Hút thuốc lá", "", "10 điếu/ngày, 20 năm"),
        ("vaccination", "Viêm gan B (3 mũi)", "", ""),
        ("blood_group", "O Rh+", "", ""),
        ("family", "Bố: đái tháo đường típ 2", "", ""),
    ]
    for kind, title, severity, reaction in rows:
        BookEntry.objects.create(
            patient=patient,
            kind=kind,
            title=title,
            code="I10" if title == "Tăng huyết áp" else "",
            severity=severity,
            reaction=reaction,
            facility=ttyt,
            recorded_by=user,
            recorded_by_name=user.staff.full_name,
        )
    return len(rows)


def _drug_id(facility, name: str, day) -> str:
    row = catalogue.valid_on(facility.pk, "drugs", day).filter(name=name).first()
    return str(row.pk) if row else ""


def _service_id(facility, code: str, day) -> str:
    row = catalogue.valid_on(facility.pk, "services", day).filter(code=code).first()
    return str(row.pk) if row else ""


# The exempt patient's earlier, costly visit (its drug is not among CLOSINGS).
ALBUMIN_CLOSING = (
    "E88.0",
    [],
    "Giảm albumin máu, truyền albumin.",
    "Albumin người 20%",
    "20%",
    "1 lọ/ngày",
)


class Case(NamedTuple):
    key: str
    facility: str
    days_ago: int
    at: time
    patient: tuple[str, str, str]  # full name, date of birth, sex (synthetic)
    card: str  # 15 characters; the 3rd is the benefit level
    drug: str  # a demo catalogue drug
    quantity: int
    five_year_date: str = ""  # the card check's 5-consecutive-years date


# Totals (drug + the Khám Nội line, 38,700 VND) against 15 % of the base salary, 379,500 VND
# from 01/07/2026: every case but "low_cost" is above it.
BHYT_CASES = [
    Case(
        "level1",
        "27901",
        6,
        time(8, 5),
        ("Phạm Văn Mức Một", "1950-03-02", "male"),
        "CC1270000090001",
        "Natri clorid 0,9%",
        120,
    ),
    Case(
        "level2",
        "27901",
        5,
        time(8, 5),
        ("Đặng Thị Mức Hai", "1962-07-19", "female"),
        "HN2270000090002",
        "Amlodipin",
        900,
    ),
    Case(
        "level3",
        "27901",
        4,
        time(8, 5),
        ("Bùi Văn Mức Ba", "1958-11-23", "male"),
        "HT3270000090003",
        "Metformin",
        1000,
    ),
    Case(
        "level4",
        "27901",
        3,
        time(8, 5),
        ("Võ Thị Mức Bốn", "1985-05-14", "female"),
        "DN4270000090004",
        "Omeprazol",
        600,
    ),
    Case(
        "level5",
        "27901",
        2,
        time(8, 5),
        ("Hồ Văn Mức Năm", "1979-08-08", "male"),
        "QN5270000090005",
        "Meloxicam",
        800,
    ),
    Case(
        "low_cost",
        "27901",
        2,
        time(9, 15),
        ("Dương Thị Chi Phí Thấp", "1992-12-01", "female"),
        "DN4270000090006",
        "Amoxicilin",
        20,
    ),
    Case(
        "commune_station",
        "27903",
        3,
        time(9, 0),
        ("Lý Văn Trạm Xã", "1970-02-27", "male"),
        "DN4270000090007",
        "Acetylcystein",
        300,
    ),
    # The exempt patient: 5 consecutive years since 2019, and an earlier visit the same day whose
    # co-payment (20 % of 78,838,700 = 15,767,740 VND) is above 6 months of base salary
    # (15,180,000 VND); the next visit is exempt from its end (NGAY_MIEN_CCT).
    Case(
        "exempt_before",
        "27901",
        1,
        time(7, 0),
        ("Mai Thị Miễn Cùng Chi", "1960-06-06", "female"),
        "DN4270000090008",
        "Albumin người 20%",
        80,
        "2019-05-01",
    ),
    Case(
        "exempt",
        "27901",
        1,
        time(9, 30),
        ("Mai Thị Miễn Cùng Chi", "1960-06-06", "female"),
        "DN4270000090008",
        "Acetylcystein",
        300,
        "2019-05-01",
    ),
]


def _patient(facility, name: str, dob: str, sex: str) -> Patient:
    p = Patient.objects.filter(full_name=name, merged_into__isnull=True).first()
    if p is None:
        day = datetime.fromisoformat(dob).date()
        p = Patient.objects.create(
            full_name=name,
            name_key=" ".join(sorted(fold(name).split())),
            date_of_birth=day,
            birth_year=day.year,
            sex=sex,
            address="Phường Từ Sơn, tỉnh Bắc Ninh (demo)",
            province_code="24",
        )
    PatientFacility.objects.get_or_create(patient=p, facility=facility)
    return p


def _close(principal, visit, arrived, today, closing, drug_id, quantity, service_id) -> None:
    """Close `visit` with one catalogue drug line and the examination, then date everything on
    the visit's own day (the service stamps "now")."""
    main, secondary, summary, drug, strength, dose = closing
    services.close_visit(
        principal,
        visit,
        {
            "main_icd10": main,
            "secondary_icd10": secondary,
            "treatment_summary": summary,
            "outcome": "2",
            "discharge_type": "1",
            "weight_kg": "58.5",
            "follow_up_date": (today + timedelta(days=7)).isoformat(),
            "prescriptions": [
                {
                    # The demo catalogue's row (kcb06.catalogue.demo): codes, tender data and
                    # price come from it; without it, a note line.
                    "catalogue_id": drug_id,
                    "drug_name": drug,
                    "strength": strength,
                    "route": "2.10",
                    "dose": dose,
                    "duration_days": "5",
                    "quantity": str(quantity),
                    "unit": "viên",
                    "unit_price": "1200",
                }
            ],
            "results": [
                {"indicator_name": "Huyết áp", "value": "130/85", "unit": "mmHg"},
            ],
            "services": [
                {
                    "catalogue_id": service_id,
                    "service_code": "02.1896",
                    "service_name": "Khám Nội",
                    "group_code": 13,
                    "quantity": "1",
                    "unit_price": "38700",
                }
            ],
            "progress_notes": [f"Mạch 80 l/p, HA 130/85 mmHg. {summary}"],
        },
    )
    ended = min(arrived + timedelta(minutes=35), timezone.now())
    Visit.objects.filter(pk=visit.pk).update(closed_at=ended)
    VisitClosure.objects.filter(visit=visit).update(closed_at=ended)
    Prescription.objects.filter(visit=visit).update(ordered_at=arrived + timedelta(minutes=25))
    visit.services.update(ordered_at=arrived + timedelta(minutes=5))
    visit.services.filter(performed_at__isnull=False).update(
        performed_at=arrived + timedelta(minutes=10)
    )
    visit.services.filter(result_at__isnull=False).update(result_at=arrived + timedelta(minutes=15))
    visit.results.update(result_at=arrived)
    visit.progress_notes.update(at=arrived)


def _arrival(day: date, at: time) -> datetime:
    arrived = timezone.make_aware(datetime.combine(day, at))
    midnight = timezone.make_aware(datetime.combine(day, time(0, 0)))
    return max(midnight, min(arrived, timezone.now() - timedelta(hours=1)))


def seed(context: dict | None = None) -> dict:
    context = context or {}
    ttyt = Facility.objects.filter(code="27901").first()
    if ttyt is None:
        return {}
    from django.contrib.auth import get_user_model

    bacsi = get_user_model().objects.filter(username="bacsi").first()
    if bacsi is None:
        return {}
    principal = principal_for_user(bacsi)
    station_doctor = get_user_model().objects.filter(username="bacsi2").first()
    closers = {"27901": principal}
    if station_doctor is not None:
        closers["27903"] = principal_for_user(station_doctor)
    today = timezone.localdate()
    closed_ids, redate, cases = [], [], {}
    entries = 0
    with transaction.atomic():
        patients = _patients(ttyt)
        entries += _entries(patients[0], ttyt, bacsi)
        # The non-BHYT visit of today.
        day = today
        arrived = _arrival(day, time(8, 10))
        visit, _ = Visit.objects.get_or_create(
            ma_lk=f"{ttyt.code}{day:%Y%m%d}{900001:06d}",
            defaults={
                "facility": ttyt,
                "patient": patients[0],
                "department": ttyt.departments.order_by("sort_order").first(),
                "arrived_at": arrived,
                "visit_date": day,
                "reason": "Khám bệnh (dữ liệu demo)",
            },
        )
        if visit.status != VisitStatus.CLOSED:
            closing = CLOSINGS[0]
            _close(
                principal,
                visit,
                arrived,
                today,
                closing,
                _drug_id(ttyt, closing[3], day),
                10,
                _service_id(ttyt, "02.1896", day),
            )
            redate.append(visit.pk)
        closed_ids.append(visit.pk)
        # The BHYT visits, in arrival order (the exempt patient's earlier visit first).
        by_code = {f.code: f for f in Facility.objects.filter(code__in={"27901", "27903"})}
        ordered = sorted(enumerate(BHYT_CASES), key=lambda ic: (-ic[1].days_ago, ic[1].at))
        for i, case in ordered:
            facility = by_code.get(case.facility)
            if facility is None or case.facility not in closers:
                continue
            day = today - timedelta(days=case.days_ago)
            arrived = _arrival(day, case.at)
            patient = _patient(facility, *case.patient)
            visit, _ = Visit.objects.get_or_create(
                ma_lk=f"{facility.code}{day:%Y%m%d}{900002 + i:06d}",
                defaults={
                    "facility": facility,
                    "patient": patient,
                    "department": facility.departments.order_by("sort_order").first(),
                    "arrived_at": arrived,
                    "visit_date": day,
                    "reason": "Khám bệnh BHYT (dữ liệu demo)",
                    "uses_bhyt": True,
                    "card_number": case.card,
                    "card_valid_from": date(day.year, 1, 1),
                    "card_valid_to": date(day.year, 12, 31),
                    "ma_dkbd": facility.code,
                    "benefit_level": case.card[2],
                    "eligibility_outcome": "valid",
                    "eligibility_detail": {
                        "card": {"five_year_date": case.five_year_date}
                        if case.five_year_date
                        else {}
                    },
                },
            )
            cases[case.key] = visit.ma_lk
            closed_ids.append(visit.pk)
            if visit.status == VisitStatus.CLOSED:
                continue
            closing = next((c for c in CLOSINGS if c[3] == case.drug), ALBUMIN_CLOSING)
            _close(
                closers[case.facility],
                visit,
                arrived,
                today,
                closing,
                _drug_id(facility, case.drug, day),
                case.quantity,
                _service_id(facility, "02.1896", day),
            )
            redate.append(visit.pk)
    return {
        "healthbook": {
            "closed_visit_ids": closed_ids,
            "entries": entries,
            "bhyt_cases": cases,
            # Visits closed now and dated back afterwards: their claims are rebuilt
            # (kcb06.interchange.demo) so NGAY_YL/NGAY_RA are on the visit's day.
            "redate": redate,
        }
    }
