"""Fixtures of the interchange tests: a facility certificate registered on both sides (kcb06's
FacilityCertificate and portalsim's certificate list), and helpers to queue sample visits."""

import itertools
from datetime import timedelta

import pytest

from kcb06.interchange import certificates
from kcb06.interchange.core import certs, signing
from kcb06.interchange.core.samples import outpatient_visit

_counter = itertools.count(1)


@pytest.fixture(scope="session")
def facility_keys():
    key, cert = certs.make_certificate("27901", "TTYT Thử nghiệm")
    return key, cert


@pytest.fixture
def signer_27901(org, facility_keys):
    """The 27901 certificate installed in this process and registered in kcb06."""
    signing.forget()
    key, cert = facility_keys
    signer = signing.Signer(key, cert)
    certificates.register(org["facilities"]["27901"], signer)
    yield signer
    signing.forget()


@pytest.fixture
def receiving(portal, facility_keys):
    """portalsim with the 27901 certificate registered and no earlier submissions or faults."""
    portal.post("/_control/reset")
    portal.post("/_control/receiving/reset")
    portal.post("/_control/receiving/certificates/clear", json={})
    r = portal.post(
        "/_control/receiving/certificates",
        json={"facility_code": "27901", "pem": certs.cert_pem(facility_keys[1])},
    )
    assert r.status_code == 200
    from kcb06.bhxh import client as eportal

    eportal.forget_tokens()
    eportal.reset_breakers()
    yield portal
    portal.post("/_control/reset")


def new_visit(**changes):
    n = next(_counter)
    v = outpatient_visit(ma_lk=f"27901.T{n:06d}")
    v.arrived_at = v.arrived_at - timedelta(days=1)
    v.closed_at = v.closed_at - timedelta(days=1)
    for line in [*v.services, *v.drugs, *v.results, *v.notes]:
        for attr in ("ordered_at", "performed_at", "result_at", "at"):
            if getattr(line, attr, None) is not None:
                setattr(line, attr, getattr(line, attr) - timedelta(days=1))
    for key, value in changes.items():
        setattr(v, key, value)
    return v


@pytest.fixture
def make_visit():
    return new_visit
