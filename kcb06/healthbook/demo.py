"""Demo health-book data: a few entries and one closed visit at 27901 for each of the last
7 days, so the clinician's page has history and `kcb06 xml export` has closed visits to show.

Uses the patients of the reception demo when they exist, else creates three synthetic ones.
Idempotent: a day that already has a closed visit at 27901 is left alone."""

from datetime import datetime, time, timedelta

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
    out = []
    for name, dob, sex in DEMO_PATIENTS:
        p = Patient.objects.filter(full_name=name).first()
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
        PatientFacility.objects.get_or_create(patient=p, facility=ttyt)
        out.append(p)
    return out


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
    department = ttyt.departments.order_by("sort_order").first()
    today = timezone.localdate()
    closed_ids = []
    entries = 0
    with transaction.atomic():
        patients = _patients(ttyt)
        entries += _entries(patients[0], ttyt, bacsi)
        for days_ago in range(7):
            day = today - timedelta(days=days_ago)
            done = Visit.objects.filter(
                facility=ttyt, visit_date=day, status=VisitStatus.CLOSED, closure__isnull=False
            ).first()
            if done:
                closed_ids.append(done.pk)
                continue
            patient = patients[days_ago % len(patients)]
            arrived = timezone.make_aware(datetime.combine(day, time(8, 10 + days_ago)))
            if days_ago == 0:
                midnight = timezone.make_aware(datetime.combine(day, time(0, 0)))
                arrived = max(midnight, min(arrived, timezone.now() - timedelta(hours=1)))
            visit, _ = Visit.objects.get_or_create(
                ma_lk=f"{ttyt.code}{day:%Y%m%d}{900001:06d}",
                defaults={
                    "facility": ttyt,
                    "patient": patient,
                    "department": department,
                    "arrived_at": arrived,
                    "visit_date": day,
                    "reason": "Khám bệnh (dữ liệu demo)",
                },
            )
            main, secondary, summary, drug, strength, dose = CLOSINGS[days_ago % len(CLOSINGS)]
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
                            # The demo catalogue's row (kcb06.catalogue.demo): codes, tender
                            # data and price come from it; without it, a note line.
                            "catalogue_id": _drug_id(ttyt, drug, day),
                            "drug_name": drug,
                            "strength": strength,
                            "route": "2.10",
                            "dose": dose,
                            "duration_days": "5",
                            "quantity": "10",
                            "unit": "viên",
                            "unit_price": "1200",
                        }
                    ],
                    "results": [
                        {"indicator_name": "Huyết áp", "value": "130/85", "unit": "mmHg"},
                    ],
                    "services": [
                        {
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
            # Date the closure on the visit's own day (the service stamps "now").
            ended = min(arrived + timedelta(minutes=35), timezone.now())
            Visit.objects.filter(pk=visit.pk).update(closed_at=ended)
            VisitClosure.objects.filter(visit=visit).update(closed_at=ended)
            Prescription.objects.filter(visit=visit).update(
                ordered_at=arrived + timedelta(minutes=25)
            )
            visit.results.update(result_at=arrived)
            visit.progress_notes.update(at=arrived)
            closed_ids.append(visit.pk)
    return {"healthbook": {"closed_visit_ids": closed_ids, "entries": entries}}
