"""Fixtures of the receiving tests: a facility's signer, and portalsim with its certificate
registered and nothing received yet."""

import pytest

from tests.interchange import hostile as h
from tests.portalsim.sending import register


@pytest.fixture(scope="module")
def own():
    return h.signer("27901")


@pytest.fixture
def ps(portalsim, own):
    portalsim.post("/_control/reset")
    portalsim.post("/_control/receiving/reset")
    portalsim.post("/_control/receiving/certificates/clear", json={})
    register(portalsim, "27901", own.cert)
    yield portalsim
    portalsim.post("/_control/receiving/certificates/clear", json={})
