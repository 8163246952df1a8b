"""Facility-scope cases of eligibility (collected by tests/platform/test_scope.py).

The world's patient is on the reconciliation list of 27903 only: 27901's admin and auditor must
not see her there (page or export); 27903's admin must."""

from tests.platform.scope import Case, Exempt

RANGE = "start=2000-01-01&end=2100-01-01"
PAGE = ("session",)
OK200 = frozenset({200})


def extend_world(w):
    from django.utils import timezone

    from kcb06.eligibility.models import ReconciliationEntry

    ReconciliationEntry.objects.create(
        facility=w.facility("27903"),
        patient_id=w.patient.pk,
        day=timezone.localdate(),
        person_key=w.id_number,
        id_number=w.id_number,
        card_number=w.card_number,
        name_id_card=w.patient.full_name,
        name_insurance="Luu Thi Bi Mat",
        dob_id_card="14/03/1995",
        dob_insurance="14/03/1995",
        kinds="name_diacritics",
        portal_code="000",
    )


def _export(w):
    return {"start": "2000-01-01", "end": "2100-01-01", "fmt": "csv"}


CASES = [
    Case("eligibility:reconciliation", lambda w: f"/eligibility/reconciliation/?{RANGE}",
         role="facility_admin", via=PAGE, expect=OK200),
    Case("eligibility:reconciliation", lambda w: f"/eligibility/reconciliation/?{RANGE}",
         role="auditor", via=PAGE, expect=OK200, control=None,
         note="27903 has no auditor; the admin case above is the owner control"),
    Case("eligibility:reconciliation", lambda w: "/eligibility/reconciliation/", method="POST",
         data=_export, role="facility_admin", via=PAGE, expect=OK200, label="export"),
]  # fmt: skip

EXEMPT = [
    Exempt(
        "facility_setup",
        "facility admin's set-up check: the own facility's staff accounts, lookup officer and "
        "certificate; no patient data",
    ),
    Exempt(
        "POST /api/v1/eligibility/checks",
        "asks the BHXH portal about the card/ID number the caller supplies; reads no record of "
        "any facility (the day cache is per facility) and echoes no stored patient data",
    ),
]
