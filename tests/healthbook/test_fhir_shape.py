"""The FHIR export resource by resource: every field the mapping writes, in bundle order.

The export is built from plain rows (not model instances) for speed; this test pins its exact
content for a book that takes every branch of the mapping, so a change in how the rows are
fetched cannot change what an HIS receives."""

import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kcb06.facilities.services import create_api_key
from kcb06.healthbook import icd10, services
from kcb06.healthbook import rows as book_rows
from kcb06.healthbook.models import BookEntry, Diagnosis
from kcb06.visits.models import Visit
from tests.healthbook import factories as f

ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
ICD10 = "http://hl7.org/fhir/sid/icd-10"


def local(value) -> str:
    return timezone.localtime(value).isoformat()


def clinical(code: str) -> dict:
    return {"coding": [{"system": CONDITION_CLINICAL, "code": code}]}


@pytest.fixture
def export(org):
    bacsi = f.principal(org)
    p = f.patient()
    icd10.import_rows([("E11.9", "Đái tháo đường typ 2")])
    # An older closed visit at the same facility, with two diagnoses (one without a stored
    # name: the Vietnamese catalogue name is shown), two drugs and two results.
    old = f.visit(p, days_ago=30, reason="")
    services.close_visit(
        bacsi,
        old,
        {
            **f.CLOSE,
            "main_icd10": "I10",
            "secondary_icd10": ["E11.9"],
            "treatment_summary": "",
            "follow_up_date": "",
            "prescriptions": [
                {
                    "drug_name": "Amlodipin",
                    "drug_code": "40.1",
                    "strength": "5mg",
                    "dose": "1 viên sáng",
                    "duration_days": "30",
                    "quantity": "30",
                    "unit_price": "700",
                },
                {"drug_name": "Vitamin C", "dose": "1 viên", "quantity": "10", "unit_price": "300"},
            ],
            "results": [
                {
                    "indicator_name": "Glucose",
                    "indicator_code": "GLU",
                    "value": "7.1",
                    "unit": "mmol/L",
                    "conclusion": "Cao",
                },
                {"indicator_name": "Điện tim"},
            ],
        },
    )
    Diagnosis.objects.filter(visit=old, icd10="E11.9").update(name="")
    cancelled = f.visit(p, days_ago=10, status="cancelled", reason="Đăng ký nhầm")
    Visit.objects.filter(pk=cancelled.pk).update(visit_type="03")
    today = f.visit(p)
    entries = {}
    for key, data in (
        (
            "allergy",
            {
                "kind": "allergy",
                "title": "Penicillin",
                "severity": "severe",
                "reaction": "Sốc phản vệ",
                "event_date": "2019-03-04",
                "detail": "Tại trạm y tế",
            },
        ),
        ("allergy_mild", {"kind": "allergy", "title": "Phấn hoa", "severity": "mild"}),
        ("vaccine", {"kind": "vaccination", "title": "Viêm gan B", "event_date": "2020-01-05"}),
        ("vaccine_error", {"kind": "vaccination", "title": "Sởi", "status": "entered_in_error"}),
        ("drug", {"kind": "medication", "title": "Aspirin 81mg", "status": "resolved"}),
        ("surgery", {"kind": "surgery", "title": "Mổ ruột thừa", "event_date": "2015-06-01"}),
        ("surgery_undated", {"kind": "surgery", "title": "Nội soi"}),
        ("blood", {"kind": "blood_group", "title": "O+", "detail": "xét nghiệm 2010"}),
        (
            "chronic",
            {"kind": "chronic", "title": "Tăng huyết áp", "code": "I10", "detail": "từ 2018"},
        ),
        ("risk", {"kind": "risk", "title": "Hút thuốc lá", "status": "resolved"}),
        ("family", {"kind": "family", "title": "Bố đái tháo đường", "event_date": "2001-02-03"}),
    ):
        entries[key] = services.add_entry(bacsi, p.pk, data)
    # A corrected entry: only the current version is exported.
    services.correct_entry(bacsi, entries["risk"].pk, 1, {"status": "entered_in_error"})
    entries["risk"] = BookEntry.objects.get(lineage=entries["risk"].lineage, is_current=True)
    follow = timezone.localdate() + timedelta(days=14)
    services.close_visit(
        bacsi,
        today,
        {
            **f.CLOSE,
            "main_icd10": "J06.9",
            "secondary_icd10": [],
            "follow_up_date": follow.isoformat(),
            "results": [],
        },
    )
    key = create_api_key(org["facilities"]["27901"], "HIS", org["users"]["bacsi"])
    resp = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(f"/api/v1/patients/{p.pk}/healthbook")
    assert resp.status_code == 200, resp.content
    for v in (old, cancelled, today):
        v.refresh_from_db()
    for e in entries.values():
        e.refresh_from_db()
    return json.loads(resp.content), p, entries, (old, cancelled, today), follow


def test_fhir_export_resource_by_resource(export):
    data, p, e, (old, cancelled, today), follow = export
    subject = {"reference": f"Patient/p{p.pk}"}
    assert data["resourceType"] == "Bundle" and data["type"] == "collection"
    assert data["id"] == f"healthbook-p{p.pk}" and data["timestamp"]
    resources = [entry["resource"] for entry in data["entry"]]
    for entry in data["entry"]:
        res = entry["resource"]
        assert entry["fullUrl"] == f"urn:kcb06:{res['resourceType']}/{res['id']}"

    book = {
        "allergy": {
            "resourceType": "AllergyIntolerance",
            "id": f"e{e['allergy'].pk}",
            "patient": subject,
            "code": {"text": "Penicillin"},
            "recordedDate": local(e["allergy"].recorded_at),
            "clinicalStatus": {"coding": [{"system": ALLERGY_CLINICAL, "code": "active"}]},
            "reaction": [{"manifestation": [{"text": "Sốc phản vệ"}], "severity": "severe"}],
            "criticality": "high",
            "onsetDateTime": "2019-03-04",
            "note": [{"text": "Tại trạm y tế"}],
        },
        "allergy_mild": {
            "resourceType": "AllergyIntolerance",
            "id": f"e{e['allergy_mild'].pk}",
            "patient": subject,
            "code": {"text": "Phấn hoa"},
            "recordedDate": local(e["allergy_mild"].recorded_at),
            "clinicalStatus": {"coding": [{"system": ALLERGY_CLINICAL, "code": "active"}]},
            "reaction": [{"manifestation": [{"text": "Phấn hoa"}], "severity": "mild"}],
        },
        "blood": {
            "resourceType": "Observation",
            "id": f"e{e['blood'].pk}",
            "status": "final",
            "code": {
                "coding": [
                    {"system": "http://loinc.org", "code": "882-1", "display": "ABO and Rh group"}
                ],
                "text": "Nhóm máu",
            },
            "subject": subject,
            "valueString": "O+",
            "issued": local(e["blood"].recorded_at),
        },
        "chronic": {
            "resourceType": "Condition",
            "id": f"e{e['chronic'].pk}",
            "clinicalStatus": clinical("active"),
            "category": [
                {
                    "coding": [{"system": "urn:kcb06:book-section", "code": "chronic"}],
                    "text": "Bệnh mạn tính",
                }
            ],
            "code": {"text": "Tăng huyết áp", "coding": [{"system": ICD10, "code": "I10"}]},
            "subject": subject,
            "recordedDate": local(e["chronic"].recorded_at),
            "note": [{"text": "từ 2018"}],
        },
        "family": {
            "resourceType": "Condition",
            "id": f"e{e['family'].pk}",
            "clinicalStatus": clinical("active"),
            "category": [
                {
                    "coding": [{"system": "urn:kcb06:book-section", "code": "family"}],
                    "text": "Tiền sử gia đình",
                }
            ],
            "code": {"text": "Bố đái tháo đường"},
            "subject": subject,
            "recordedDate": local(e["family"].recorded_at),
            "onsetDateTime": "2001-02-03",
        },
        "drug": {
            "resourceType": "MedicationStatement",
            "id": f"e{e['drug'].pk}",
            "status": "stopped",
            "medicationCodeableConcept": {"text": "Aspirin 81mg"},
            "subject": subject,
            "dateAsserted": local(e["drug"].recorded_at),
        },
        "risk": {
            "resourceType": "Condition",
            "id": f"e{e['risk'].pk}",
            "clinicalStatus": clinical("inactive"),
            "category": [
                {
                    "coding": [{"system": "urn:kcb06:book-section", "code": "risk"}],
                    "text": "Yếu tố nguy cơ",
                }
            ],
            "code": {"text": "Hút thuốc lá"},
            "subject": subject,
            "recordedDate": local(e["risk"].recorded_at),
        },
        "surgery": {
            "resourceType": "Procedure",
            "id": f"e{e['surgery'].pk}",
            "status": "completed",
            "code": {"text": "Mổ ruột thừa"},
            "subject": subject,
            "performedDateTime": "2015-06-01",
        },
        "surgery_undated": {
            "resourceType": "Procedure",
            "id": f"e{e['surgery_undated'].pk}",
            "status": "completed",
            "code": {"text": "Nội soi"},
            "subject": subject,
        },
        "vaccine": {
            "resourceType": "Immunization",
            "id": f"e{e['vaccine'].pk}",
            "status": "completed",
            "vaccineCode": {"text": "Viêm gan B"},
            "patient": subject,
            "occurrenceDateTime": "2020-01-05",
            "recorded": local(e["vaccine"].recorded_at),
        },
        "vaccine_error": {
            "resourceType": "Immunization",
            "id": f"e{e['vaccine_error'].pk}",
            "status": "entered-in-error",
            "vaccineCode": {"text": "Sởi"},
            "patient": subject,
            # No date of its own: the day it was recorded (UTC date of recorded_at).
            "occurrenceDateTime": e["vaccine_error"].recorded_at.date().isoformat(),
            "recorded": local(e["vaccine_error"].recorded_at),
        },
    }
    # Sections in kind order; within one: severe allergies first, then newest first.
    order = [
        "allergy",
        "allergy_mild",
        "blood",
        "chronic",
        "family",
        "drug",
        "risk",
        "surgery_undated",
        "surgery",
        "vaccine",
        "vaccine_error",
    ]
    assert resources[0] == {
        "resourceType": "Patient",
        "id": f"p{p.pk}",
        "identifier": [{"system": "urn:kcb06:patient-id", "value": str(p.pk)}],
        "name": [{"text": p.full_name}],
        "gender": "female",
        "address": [{"text": p.address}],
        "birthDate": date(1980, 5, 2).isoformat(),
    }
    assert resources[1 : 1 + len(order)] == [book[k] for k in order]

    visits = resources[1 + len(order) :]

    def diagnosis(visit, d, display, text):
        return {
            "resourceType": "Condition",
            "id": f"d{d.pk}",
            "clinicalStatus": clinical("active"),
            "verificationStatus": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                        "code": "confirmed",
                    }
                ]
            },
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                            "code": "encounter-diagnosis",
                        }
                    ]
                }
            ],
            "code": {
                "coding": [{"system": ICD10, "code": d.icd10, "display": display}],
                "text": text,
            },
            "subject": subject,
            "encounter": {"reference": f"Encounter/v{visit.pk}"},
            "recordedDate": local(visit.closed_at or visit.arrived_at),
        }

    def encounter(v, **extra):
        res = {
            "resourceType": "Encounter",
            "id": f"v{v.pk}",
            "status": {"closed": "finished", "cancelled": "cancelled"}.get(v.status, "in-progress"),
            "class": {
                "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                "code": "AMB" if v.visit_type == "01" else "IMP",
            },
            "subject": subject,
            "period": {"start": local(v.arrived_at)},
            "serviceProvider": {"display": f"{v.facility.name} ({v.facility.code})"},
            "identifier": [{"system": "urn:kcb06:ma-lk", "value": v.ma_lk}],
        }
        if v.reason:
            res["reasonCode"] = [{"text": v.reason}]
        if v.closed_at:
            res["period"]["end"] = local(v.closed_at)
        res["serviceType"] = {"text": v.department.name}
        res.update(extra)
        return res

    def drug(v, rx, text, dosage, coding=None):
        res = {
            "resourceType": "MedicationStatement",
            "id": f"rx{rx.pk}",
            "status": "completed",
            "medicationCodeableConcept": {"text": text},
            "subject": subject,
            "context": {"reference": f"Encounter/v{v.pk}"},
            "dateAsserted": local(rx.ordered_at),
            "dosage": [{"text": dosage}],
        }
        if coding:
            res["medicationCodeableConcept"]["coding"] = [
                {"system": "urn:kcb06:ma-thuoc", "code": coding}
            ]
        return res

    # Today's visit: one diagnosis, follow-up extension and treatment summary, one drug.
    (d_today,) = today.diagnoses.all()
    (rx_today,) = today.prescriptions.all()
    expected = [
        diagnosis(today, d_today, d_today.name, d_today.name),
        encounter(
            today,
            diagnosis=[{"condition": {"reference": f"Condition/d{d_today.pk}"}, "rank": 1}],
            extension=[
                {"url": "urn:kcb06:follow-up-date", "valueDate": follow.isoformat()},
                {
                    "url": "urn:kcb06:treatment-summary",
                    "valueString": f.CLOSE["treatment_summary"],
                },
            ],
        ),
        drug(today, rx_today, "Paracetamol 500mg", "1 viên × 3 lần/ngày, 5 ngày", "40.9101"),
        # The cancelled visit: no closure, no diagnoses.
        encounter(cancelled),
    ]
    d_main, d_second = old.diagnoses.order_by("position")
    rx1, rx2 = old.prescriptions.order_by("pk")
    r1, r2 = old.results.order_by("pk")
    expected += [
        diagnosis(old, d_main, d_main.name, d_main.name),
        diagnosis(old, d_second, "Đái tháo đường typ 2", "E11.9"),
        encounter(
            old,
            diagnosis=[
                {"condition": {"reference": f"Condition/d{d_main.pk}"}, "rank": 1},
                {"condition": {"reference": f"Condition/d{d_second.pk}"}, "rank": 2},
            ],
        ),
        drug(old, rx1, "Amlodipin 5mg", "1 viên sáng, 30 ngày", coding="40.1"),
        drug(old, rx2, "Vitamin C", "1 viên"),
        {
            "resourceType": "Observation",
            "id": f"r{r1.pk}",
            "status": "final",
            "code": {
                "text": "Glucose",
                "coding": [{"system": "urn:kcb06:ma-chi-so", "code": "GLU"}],
            },
            "subject": subject,
            "encounter": {"reference": f"Encounter/v{old.pk}"},
            "effectiveDateTime": local(r1.result_at),
            "valueString": "7.1 mmol/L",
            "interpretation": [{"text": "Cao"}],
        },
        {
            "resourceType": "Observation",
            "id": f"r{r2.pk}",
            "status": "final",
            "code": {"text": "Điện tim"},
            "subject": subject,
            "encounter": {"reference": f"Encounter/v{old.pk}"},
            "effectiveDateTime": local(r2.result_at),
        },
    ]
    assert visits == expected


def test_export_rows_are_read_as_the_orm_reads_them(export):
    """On PostgreSQL the export reads its rows on a cursor of its own (psycopg's timestamp
    loader instead of Django's): the same values, time zones included, as values_list."""
    from kcb06.healthbook.models import Prescription, Result

    _, p, _, visits, _ = export
    ids = [v.pk for v in visits]
    for qs in (
        services._entries_qs(p.pk, None, reader=None, with_facility=False).values_list(
            *book_rows.ENTRY_COLUMNS
        ),
        Visit.objects.filter(patient=p)
        .order_by("-arrived_at")
        .values_list(*book_rows.VISIT_COLUMNS),
        Diagnosis.objects.filter(visit_id__in=ids).values_list(*book_rows.DIAGNOSIS_COLUMNS),
        Prescription.objects.filter(visit_id__in=ids).values_list(*book_rows.PRESCRIPTION_COLUMNS),
        Result.objects.filter(visit_id__in=ids).values_list(*book_rows.RESULT_COLUMNS),
        Result.objects.filter(visit_id__in=[]).values_list("pk"),
    ):
        assert repr(book_rows._fetch(qs)) == repr(list(qs))


def test_export_query_count_does_not_grow_with_history(org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bacsi = f.principal(org)
    key = create_api_key(org["facilities"]["27901"], "HIS", org["users"]["bacsi"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    def book_with(n):
        p = f.patient(f"Người Bệnh {n}")
        for i in range(n):
            old = f.visit(p, days_ago=i + 1)
            services.close_visit(bacsi, old, {**f.CLOSE, "secondary_icd10": ["I10", "E11.9"]})
        f.visit(p)
        for i in range(n):
            services.add_entry(bacsi, p.pk, {"kind": "chronic", "title": f"Bệnh {i}"})
        return f"/api/v1/patients/{p.pk}/healthbook"

    small, large = book_with(1), book_with(12)
    for url in (small, large):  # warm up: ICD-10 catalogue, each patient's HealthBook row
        client.get(url)
    counts = []
    for url in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
