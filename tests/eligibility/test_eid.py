"""The e-ID adapter for VNeID app QR codes, against portalsim's provider simulator."""

from datetime import date

import pytest

from kcb06.eligibility.eid import authenticate
from kcb06.errors import DomainError


@pytest.fixture
def provider(sim, settings):
    settings.KCB06_EID_PROVIDER_URL = sim.url
    return sim


def test_not_configured_tells_the_clerk_what_to_do(settings):
    settings.KCB06_EID_PROVIDER_URL = ""
    with pytest.raises(DomainError) as exc:
        authenticate("VNEID-DEMO-0001-HOPLE")
    assert exc.value.code == "eid_not_configured"
    assert "quét mã QR trên thẻ CCCD" in exc.value.message_vi
    assert "số định danh cá nhân" in exc.value.message_vi


def test_known_qr_gives_the_identity(provider):
    identity = authenticate("VNEID-DEMO-0002-DAU")
    assert identity.id_number == "027190000002"
    assert identity.full_name == "Trần Thị Dấu Demo"
    assert identity.date_of_birth == date(1990, 3, 12) and identity.sex == "female"


def test_accepts_a_parsed_scan_object(provider):
    class Scan:
        payload = "VNEID-DEMO-0001-HOPLE"

    assert authenticate(Scan()).id_number == "027085000001"


@pytest.mark.parametrize(
    ("payload", "code", "words"),
    [
        ("VNEID-DEMO-0099-EXPIRED", "eid_expired", "làm mới mã QR"),
        ("VNEID-NOT-ISSUED", "eid_unknown", "không nhận ra"),
    ],
)
def test_expired_and_unknown(provider, payload, code, words):
    with pytest.raises(DomainError) as exc:
        authenticate(payload)
    assert exc.value.code == code and words in exc.value.message_vi


def test_provider_down(provider):
    provider.fault(scope="global", mode="http500", endpoints=["eid"])
    with pytest.raises(DomainError) as exc:
        authenticate("VNEID-DEMO-0001-HOPLE")
    assert exc.value.code == "eid_unavailable"


def test_scanned_vneid_qr_goes_through_the_adapter(provider):
    from kcb06.identity import parse_scan

    scan = parse_scan("VNEID-DEMO-0002-DAU\r\n")
    assert scan.kind == "vneid_qr"
    assert authenticate(scan).full_name == "Trần Thị Dấu Demo"
    assert provider.calls("eid") == 1
