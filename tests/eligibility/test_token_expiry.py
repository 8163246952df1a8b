"""Real token expiry: a portalsim whose tokens live 3 seconds."""

import time

import pytest

from kcb06.bhxh import client
from kcb06.eligibility.services import check_eligibility
from tests.conftest import start_portalsim
from tests.eligibility.conftest import Sim

EXPIRED = {
    "card_number": "GD4272700000010",
    "full_name": "Bùi Văn Hết Hạn Demo",
    "date_of_birth": "1970-09-09",
}


@pytest.fixture(scope="module")
def short_lived(tmp_path_factory):
    ps = start_portalsim(
        tmp_path_factory.mktemp("portalsim-short"), extra_env={"PORTALSIM_TOKEN_SECONDS": "3"}
    )
    yield ps
    ps.proc.terminate()
    ps.proc.wait(10)


@pytest.fixture
def short_sim(short_lived, settings, monkeypatch):
    monkeypatch.setenv("KCB06_PORTAL_PASSWORD", "demo-portal")
    settings.KCB06_PORTAL_URL = short_lived.url
    sim = Sim(short_lived)
    sim.reset()
    client.reset_breakers()
    client.forget_tokens()
    yield sim
    client.forget_tokens()


def test_token_renewed_before_expiry_without_a_401(short_sim, principal, settings):
    settings.KCB06_PORTAL_TOKEN_MARGIN = 2
    p = principal()
    check_eligibility(p, **EXPIRED)
    time.sleep(1.3)  # < 2 s left: renew now rather than risk a 401 mid-check
    assert check_eligibility(p, **EXPIRED).portal_code == "010"
    assert short_sim.calls("token") == 2 and short_sim.calls("card_check") == 2


def test_expired_token_gets_401_then_one_new_login(short_sim, principal, settings):
    settings.KCB06_PORTAL_TOKEN_MARGIN = 0
    p = principal()
    check_eligibility(p, **EXPIRED)
    time.sleep(3.2)
    client.forget_tokens()
    # The shared row still holds the dead token; kcb06 trusts it until the portal says 401.
    from kcb06.bhxh.models import PortalToken

    PortalToken.objects.update(expires_at=PortalToken.objects.get().expires_at.replace(year=2099))
    assert check_eligibility(p, **EXPIRED).portal_code == "010"
    assert short_sim.calls("token") == 2 and short_sim.calls("card_check") == 3
