"""maTinh, the province code sent with every file to the BHXH portal: by default the
facility's province since the July 2025 merger (Bắc Ninh 27xxx facilities -> 24), a facility
setting the admin sees on the set-up page and can change; portalsim refuses the wrong one."""

import pytest
from django.core.exceptions import ValidationError

from kcb06.facilities.models import Facility
from kcb06.interchange import jobs, outbox
from kcb06.interchange.models import OutboxState


@pytest.fixture(autouse=True)
def _db(transactional_db):
    """Real commits: the worker's claims and updates are separate transactions."""


def test_default_is_the_province_since_the_merger_not_the_code_prefix(org):
    ttyt = org["facilities"]["27901"]
    assert ttyt.code[:2] == "27"
    assert ttyt.portal_province_code == "24"
    ttyt.portal_ma_tinh = "2A"
    with pytest.raises(ValidationError) as err:
        ttyt.full_clean()
    assert "portal_ma_tinh" in err.value.message_dict


def test_setup_page_shows_the_ma_tinh_sent(org, login):
    page = login("quantri").get("/facility/setup/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="portal-ma-tinh" data-value="24"' in html
    assert "Bắc Ninh" in html


def _deliver(org, make_visit):
    item = outbox.enqueue_claim_data(Facility.objects.get(code="27901"), None, make_visit())
    jobs.deliver_pending()
    item.refresh_from_db()
    return item


def test_the_portal_refuses_the_old_prefix_and_accepts_the_setting(
    org, signer_27901, receiving, make_visit
):
    Facility.objects.filter(code="27901").update(portal_ma_tinh="27")
    item = _deliver(org, make_visit)
    assert item.state == OutboxState.REJECTED
    assert item.result_code == "400" and "maTinh" in item.result_message
    Facility.objects.filter(code="27901").update(portal_ma_tinh="24")
    item = _deliver(org, make_visit)
    assert item.state == OutboxState.ACCEPTED, item.last_error
