"""Eligibility fixtures: a clean portalsim scenario per test and principals of demo staff."""

import pytest


class Sim:
    """Control handle on the session's portalsim (faults, counters) — tests and demos only."""

    def __init__(self, portalsim):
        self.ps = portalsim
        self.url = portalsim.url

    def reset(self):
        assert self.ps.post("/_control/reset").status_code == 200

    def fault(self, **fault):
        response = self.ps.post("/_control/faults", json=fault)
        assert response.status_code == 200, response.text

    def calls(self, endpoint: str) -> int:
        return self.ps.get("/_control/stats").json()["calls"].get(endpoint, 0)

    def expire_tokens(self):
        assert self.ps.post("/_control/expire-tokens").status_code == 200


@pytest.fixture
def sim(portal):
    from kcb06.bhxh import client

    handle = Sim(portal)
    handle.reset()
    client.reset_breakers()
    client.forget_tokens()
    yield handle
    handle.reset()
    client.reset_breakers()
    client.forget_tokens()


@pytest.fixture
def principal(org):
    from kcb06.facilities.services import principal_for_user

    def _principal(username: str = "tiepdon"):
        return principal_for_user(org["users"][username], via="session")

    return _principal


@pytest.fixture
def staff(org):
    """staff(username, full_name, id_number, role="reception", facility="27901") -> principal
    of a new staff member (e.g. an officer the portal does not know)."""
    from django.contrib.auth import get_user_model

    from kcb06.facilities.models import Facility, StaffProfile
    from kcb06.facilities.services import principal_for_user

    def _staff(username, full_name, id_number, role="reception", facility="27901"):
        user = get_user_model().objects.create_user(username=username, password="x")
        StaffProfile.objects.create(
            user=user,
            facility=Facility.objects.get(code=facility),
            role=role,
            full_name=full_name,
            id_number=id_number,
        )
        return principal_for_user(user, via="session")

    return _staff
