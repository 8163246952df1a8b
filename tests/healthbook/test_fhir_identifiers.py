"""The FHIR export tells other systems whose book it is (issue #16, point 9): Patient carries
the personal ID number, the BHYT card number and the BHXH number, each under the system URI
written in docs/healthbook.md; inactive numbers stay out; the export stays audited."""

import json
from pathlib import Path

from kcb06.audit.models import AuditEntry
from kcb06.healthbook import fhir
from kcb06.patients.models import PatientIdentifier
from tests.healthbook import factories as f
from tests.healthbook.test_fhir_api import validate_bundle

DOCS = Path(__file__).resolve().parents[2] / "docs" / "healthbook.md"


def test_patient_identifiers_carry_id_card_and_bhxh_numbers(org, login):
    p = f.patient("Quách Thị Định Danh")
    f.visit(p)
    for kind, value, active in (
        ("id_number", "001180012345", True),
        ("bhyt_card", "GD4797932241231", True),
        ("bhxh_number", "7932241231", True),
        ("bhyt_card", "GD4790000000001", False),  # an old card: history, not exported
    ):
        PatientIdentifier.objects.create(patient=p, kind=kind, value=value, is_active=active)
    resp = login("bacsi").get(f"/api/v1/patients/{p.pk}/healthbook")
    assert resp.status_code == 200
    patient = validate_bundle(json.loads(resp.content))["Patient"][0]
    by_system = {i["system"]: i["value"] for i in patient["identifier"]}
    assert by_system == {
        "urn:kcb06:patient-id": str(p.pk),
        "urn:kcb06:vn:personal-id": "001180012345",
        "urn:kcb06:vn:bhyt-card": "GD4797932241231",
        "urn:kcb06:vn:bhxh-number": "7932241231",
    }
    assert AuditEntry.objects.filter(
        patient_id=p.pk, purpose__startswith="xuất sổ sức khỏe (FHIR)"
    ).exists()


def test_identifier_systems_are_written_in_the_docs():
    text = DOCS.read_text(encoding="utf-8")
    for system, _ in fhir.IDENTIFIER_SYSTEMS.values():
        assert f"`{system}`" in text
