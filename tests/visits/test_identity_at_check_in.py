"""The master patient record changes only on evidence (issue #15, "Trust"): what a typed number,
a clerk's typing or a forged chip-card QR may and may not do to it, at the desk and the kiosk,
and what a facility that has never seen a person learns about them."""

from datetime import date

import pytest

from kcb06.audit.models import AuditEntry
from kcb06.patients.models import IdentityChange, Patient, PatientFacility
from kcb06.visits import services
from tests.visits.helpers import ADDR, VALID, cccd, principal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("checkin_writer")]

ID = "027085000001"  # VALID's ID number (portalsim: valid card)
FORGED = cccd(ID, "Ten Bia Dat", "01011999", "Nữ", addr="Số 9 ngõ Giả, phường Giả Mạo")
NEW_ADDRESS = cccd(
    ID, "Nguyễn Văn Hợp Lệ Demo", "15081985", addr="Số 5 đường Mới, phường Đình Bảng"
)
TYPED_OTHER = {"full_name": "Ten Bia Dat", "date_of_birth": "1999-01-01", "sex": "female"}


def _at_a(org):
    """The patient as facility 27901 (A) knows them, from a real chip-card scan."""
    return services.check_in(VALID, "K01", principal(org)).patient


def _as_stored(patient) -> tuple:
    patient.refresh_from_db()
    return (patient.full_name, patient.date_of_birth, patient.sex, patient.address)


ORIGINAL = ("Nguyễn Văn Hợp Lệ Demo", date(1985, 8, 15), "male", ADDR)


def test_typed_number_at_another_facility_does_not_overwrite_reveal_or_link_the_record(org, portal):
    """Finding 1: B's clerk knows only the ID number and types a name, DOB and sex."""
    x = _at_a(org)
    b = principal(org, "tiepdon2")  # reception at 27903, which has never seen x
    r = services.check_in(ID, "K01", b, confirm=TYPED_OTHER)
    assert _as_stored(x) == ORIGINAL  # the master record is as A knows it
    assert not IdentityChange.objects.filter(patient=x).exists()
    # B is not linked to x, and what B is shown is what B typed, nothing of x
    assert not PatientFacility.objects.filter(patient=x, facility__code="27903").exists()
    assert r.patient.pk != x.pk and r.visit.patient_id != x.pk
    shown = str(r.as_dict())
    assert "Ten Bia Dat" in shown and "Hợp Lệ" not in shown and ADDR not in shown
    assert "male" not in shown.replace("female", "")
    # B's record still declares the ID number to the portal (XML), beside what B typed
    from kcb06.interchange.mapper import visit_data

    assert visit_data(r.visit).id_number == ID
    # B checks the same person in again: B's own record, not a second one
    again = services.check_in(ID, "K01", b, confirm=TYPED_OTHER)
    assert again.patient.pk == r.patient.pk and not again.created
    assert Patient.objects.count() == 2


def test_typed_number_with_the_right_details_links_the_record_unchanged(org, portal):
    x = _at_a(org)
    b = principal(org, "tiepdon2")
    r = services.check_in(
        ID,
        "K01",
        b,
        confirm={
            "full_name": "Nguyen Van Hop Le Demo",
            "date_of_birth": "1985-08-15",
            "sex": "male",
        },
    )
    assert r.patient.pk == x.pk
    assert PatientFacility.objects.filter(patient=x, facility__code="27903").exists()
    assert _as_stored(x) == ORIGINAL  # the clerk's spelling is not evidence
    assert not IdentityChange.objects.exists()


def test_forged_qr_at_the_desk_is_shown_as_a_difference_not_written(org, portal):
    """Finding 2 at the desk: a QR naming another person with a known ID number."""
    x = _at_a(org)
    a = principal(org)
    pv = services.preview(FORGED, a)
    assert pv.patient.pk == x.pk
    assert {d.field for d in pv.differences} == {"full_name", "date_of_birth", "sex", "address"}
    assert pv.updates == {}
    dob = next(d for d in pv.differences if d.field == "date_of_birth")
    assert (dob.stored, dob.presented) == ("15/08/1985", "01/01/1999")
    r = services.check_in(FORGED, "K19", a)
    assert r.patient.pk == x.pk
    assert _as_stored(x) == ORIGINAL
    assert not IdentityChange.objects.exists()
    assert {d["field"] for d in r.as_dict()["identity_differences"]} >= {"full_name"}


def test_forged_qr_at_the_kiosk_sends_the_person_to_the_desk(org, portal):
    """Finding 2 at the kiosk: any difference, even the address alone, means the desk."""
    x = _at_a(org)
    kiosk = principal(org)
    for scan in (FORGED, NEW_ADDRESS):
        with pytest.raises(services.NeedsDesk) as exc:
            services.preview(scan, kiosk, unattended=True)
        assert exc.value.code == "kiosk_needs_desk"
        with pytest.raises(services.NeedsDesk):
            services.check_in(scan, "K19", kiosk, unattended=True)
    assert _as_stored(x) == ORIGINAL
    assert not IdentityChange.objects.exists()


def test_kiosk_page_sends_a_forged_qr_to_the_desk(org, portal, login):
    x = _at_a(org)
    client = login("tiepdon")
    page = client.post("/kiosk/step/", {"step": "scan", "scan": FORGED}).content.decode()
    assert "quầy tiếp đón" in page and "Ten Bia Dat" not in page
    page = client.post(
        "/kiosk/step/", {"step": "ticket", "scan": FORGED, "department": "K19"}
    ).content.decode()
    assert "quầy tiếp đón" in page
    assert _as_stored(x) == ORIGINAL


def test_matching_qr_updates_the_address_with_history_and_audit(org, portal):
    x = _at_a(org)
    a = principal(org)
    pv = services.preview(NEW_ADDRESS, a)
    assert [d.field for d in pv.differences] == ["address"]
    assert pv.updates == {"address": "Số 5 đường Mới, phường Đình Bảng"}
    services.check_in(NEW_ADDRESS, "K19", a)
    assert _as_stored(x)[3] == "Số 5 đường Mới, phường Đình Bảng"
    change = IdentityChange.objects.get(patient=x)
    assert change.evidence == "chip_scan"
    assert change.changes == {"address": {"old": ADDR, "new": "Số 5 đường Mới, phường Đình Bảng"}}
    assert change.changed_by == org["users"]["tiepdon"]
    audit = AuditEntry.objects.get(object_type="patient_identity")
    assert audit.patient_id == x.pk and audit.detail["changes"] == change.changes


def test_matching_qr_at_a_facility_that_never_saw_the_patient_changes_nothing(org, portal):
    """Its desk could not show the stored address beside the scan: linking only."""
    x = _at_a(org)
    r = services.check_in(NEW_ADDRESS, "K01", principal(org, "tiepdon2"))
    assert r.patient.pk == x.pk
    assert _as_stored(x) == ORIGINAL


def _desk_panel(client, scan: str) -> str:
    return client.post(
        "/reception/scan/", {"scan": scan, **TYPED_OTHER, "date_of_birth": "01/01/1999"}
    ).content.decode()


@pytest.mark.parametrize("scan", [FORGED, ID, VALID])
def test_desk_of_a_facility_that_never_saw_the_person_shows_the_same_either_way(
    org, portal, login, scan
):
    """No existence oracle: B's panel for a scan is the same before and after A has a record
    of that ID number (no "đã có hồ sơ #N", no stored data)."""
    from django.test import Client

    client = Client()
    client.force_login(org["users"]["tiepdon2"])
    before = services.preview(scan, principal(org, "tiepdon2"), confirm=TYPED_OTHER)
    panel_before = _desk_panel(client, scan)
    x = _at_a(org)
    after = services.preview(scan, principal(org, "tiepdon2"), confirm=TYPED_OTHER)
    panel_after = _desk_panel(client, scan)
    assert after.patient is None and before.patient is None
    assert after.person == before.person and after.differences == before.differences == []
    assert [c.patient.pk for c in after.candidates] == [c.patient.pk for c in before.candidates]
    assert "đã có hồ sơ" not in panel_after and f"#{x.pk}" not in panel_after
    assert ADDR not in panel_after.replace(ADDR, "", panel_before.count(ADDR))
    assert panel_before.count("Người bệnh mới") == panel_after.count("Người bệnh mới") == 1
