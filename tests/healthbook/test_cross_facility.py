"""Health-book access across facilities (issue #15, "Trust"; docs/healthbook.md): a visit at
facility B gives B's clinician the book without the entries facility A marked confidential;
only the patient's consent that covers them opens those. Consents last at most a year and are
recorded by the roles that read the book, never by reception."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kcb06.errors import DomainError, Forbidden, NotFound
from kcb06.facilities.models import Facility
from kcb06.healthbook import consent, services
from kcb06.healthbook.icd10 import FieldError
from kcb06.healthbook.models import BookEntry
from kcb06.healthbook.rows import read_book_rows
from kcb06.patients.models import PatientFacility
from tests.healthbook import factories
from tests.healthbook.factories import clinician_at, principal

pytestmark = pytest.mark.django_db

SECRET = "Nhiễm HIV, đang điều trị ARV"
OPEN = "Dị ứng Penicillin"


@pytest.fixture
def book(org):
    """A patient of A (27901) with one confidential and one ordinary entry recorded at A, who
    is now checked in (open visit) at B (27903)."""
    p = factories.patient()
    factories.visit(p, "27901", days_ago=30, status="closed")
    a = Facility.objects.get(code="27901")
    secret = BookEntry.objects.create(
        patient=p, kind="chronic", title=SECRET, facility=a, confidential=True
    )
    BookEntry.objects.create(patient=p, kind="allergy", title=OPEN, severity="severe", facility=a)
    PatientFacility.objects.create(patient=p, facility=Facility.objects.get(code="27903"))
    factories.visit(p, "27903")
    b = factories.principal_for_user(clinician_at(org, "27903"))
    return p, secret, b


def _titles(view) -> set[str]:
    return {e.title for rows in view.entries.values() for e in rows}


def _grant(who, p, days=30, covers=True):
    return consent.grant_consent(
        who,
        p.pk,
        {
            "expires_on": (timezone.localdate() + timedelta(days=days)).isoformat(),
            "covers_confidential": covers,
        },
    )


def test_visit_at_b_does_not_show_as_confidential_entry_of_a(org, book):
    p, secret, b = book
    assert services.access_basis(b, p.pk) == "visit"
    assert _titles(services.read_book(b, p.pk)) == {OPEN}
    assert _titles(services.read_book(b, p.pk, full=True)) == {OPEN}
    assert SECRET not in str(read_book_rows(b, p.pk, purpose="xuất").entries)
    assert [e.title for e in services.section(b, p.pk, "chronic")] == []
    assert services.entry_history(b, p.pk, secret.lineage) == []
    with pytest.raises(NotFound):
        services.correct_entry(b, secret.pk, 1, {"title": "Đã sửa"})
    # nor on the page
    client = Client()
    client.force_login(b.user)
    page = client.get(f"/healthbook/b/{services.book_of(p).token}/").content.decode()
    assert OPEN in page and SECRET not in page


def test_a_consent_without_confidential_entries_does_not_open_them(org, book):
    p, _secret, b = book
    _grant(b, p, covers=False)
    assert _titles(services.read_book(b, p.pk)) == {OPEN}


def test_the_patients_consent_covering_confidential_entries_opens_them(org, book):
    p, _secret, b = book
    c = _grant(b, p)
    assert _titles(services.read_book(b, p.pk)) == {OPEN, SECRET}
    consent.revoke_consent(principal(org, "tiepdon2"), c.pk)  # the patient asks at the desk
    assert _titles(services.read_book(b, p.pk)) == {OPEN}


def test_the_recording_facility_keeps_its_confidential_entry(org, book):
    p, _secret, _b = book
    factories.visit(p, "27901")
    assert _titles(services.read_book(principal(org, "bacsi"), p.pk)) == {OPEN, SECRET}
    client = Client()
    client.force_login(org["users"]["bacsi"])
    page = client.get(f"/healthbook/b/{services.book_of(p).token}/").content.decode()
    assert SECRET in page and 'data-testid="entry-confidential"' in page


def test_confidential_flag_is_set_by_the_clinician_and_kept_by_corrections(org, book):
    p, _secret, b = book
    entry = services.add_entry(
        b, p.pk, {"kind": "risk", "title": "Sử dụng ma túy", "confidential": "1"}
    )
    assert entry.confidential and entry.facility_id == b.facility_id
    fixed = services.correct_entry(b, entry.pk, 1, {"title": "Sử dụng ma túy (đã cai)"})
    assert fixed.confidential


@pytest.mark.parametrize("days", [366, 365 * 6000])
def test_consent_has_a_maximum_duration(org, book, days):
    p, _secret, b = book
    with pytest.raises(FieldError) as exc:
        _grant(b, p, days=days)
    assert exc.value.field == "expires_on" and "365" in exc.value.message_vi


def test_consent_of_a_year_is_accepted(org, book):
    p, _secret, b = book
    assert _grant(b, p, days=365).covers_confidential


def test_reception_cannot_record_a_consent(org, book):
    p, _secret, _b = book
    with pytest.raises(Forbidden):
        _grant(principal(org, "tiepdon2"), p)
    with pytest.raises(DomainError):
        _grant(principal(org, "thungan"), p)


def test_consent_api_refuses_a_far_expiry(org, book):
    p, _secret, b = book
    client = Client()
    client.force_login(b.user)
    r = client.post(
        f"/api/v1/patients/{p.pk}/healthbook/consents",
        {"expires_on": "8162-01-01", "covers_confidential": True},
        content_type="application/json",
    )
    assert r.status_code == 400, r.content
