"""The lookup officer behind a card check (CV 1923): a kiosk checks under the facility's
designated officer; an account that cannot make a lookup gets a configuration verdict (never a
card problem), re-checked once the set-up is fixed; 205 is such a configuration answer."""

import pytest
from django.utils import timezone

from kcb06.eligibility.connection import check_portal_connection
from kcb06.eligibility.jobs import recheck_pending
from kcb06.eligibility.models import CheckStatus, EligibilityCheck
from kcb06.eligibility.services import check_eligibility
from kcb06.facilities.models import Facility, StaffProfile

pytestmark = pytest.mark.django_db

HOLDER = {"card_number": "HC4272700000000", "full_name": "Nguyễn Văn Hợp Lệ Demo",
          "date_of_birth": "1985-08-15"}  # fmt: skip
NOT_A_CARD_PROBLEM = "không phải lỗi thẻ"


def _due_now(verdict):
    EligibilityCheck.objects.filter(pk=verdict.check_id).update(next_attempt_at=timezone.now())


def test_kiosk_checks_under_the_facility_lookup_officer(sim, staff):
    kiosk = staff("kiosk1", "Ki-ốt 1", "", role="kiosk")
    verdict = check_eligibility(kiosk, **HOLDER)
    assert verdict.outcome == "valid" and verdict.portal_code == "000"


def test_kiosk_without_officer_is_unverified_for_staff_and_resolves_once_fixed(sim, staff, org):
    ttyt = org["facilities"]["27901"]
    Facility.objects.filter(pk=ttyt.pk).update(lookup_officer=None)
    kiosk = staff("kiosk1", "Ki-ốt 1", "", role="kiosk")
    before = sim.calls("card_check")
    verdict = check_eligibility(kiosk, **HOLDER)
    assert sim.calls("card_check") == before  # not asked: the portal would answer 205
    assert verdict.outcome == "unverified" and verdict.pending
    assert NOT_A_CARD_PROBLEM in verdict.reason_vi
    assert "chưa chỉ định cán bộ" in verdict.next_step_vi
    officer = StaffProfile.objects.get(user__username="tiepdon")
    Facility.objects.filter(pk=ttyt.pk).update(lookup_officer=officer)
    _due_now(verdict)
    assert recheck_pending() == 1
    check = EligibilityCheck.objects.get(pk=verdict.check_id)
    assert check.status == CheckStatus.FINAL and check.outcome == "valid"


def test_staff_without_cccd_is_told_why_and_the_portal_is_not_asked(sim, staff):
    clerk = staff("tiepdon9", "Mai Thị Chưa Có Số", "")
    before = sim.calls("card_check")
    verdict = check_eligibility(clerk, **HOLDER)
    assert sim.calls("card_check") == before
    assert verdict.outcome == "unverified" and verdict.pending
    assert NOT_A_CARD_PROBLEM in verdict.reason_vi and "số CCCD 12 số" in verdict.next_step_vi


def test_205_is_a_configuration_answer_rechecked_not_a_card_problem(sim, principal):
    sim.fault(scope="HC4272700000000", mode="code:205")
    verdict = check_eligibility(principal(), **HOLDER)
    assert verdict.portal_code == "205" and verdict.outcome == "unverified"
    assert verdict.pending  # re-checked by the worker
    assert NOT_A_CARD_PROBLEM in verdict.reason_vi
    assert "cán bộ tra cứu" in verdict.next_step_vi
    sim.reset()
    _due_now(verdict)
    recheck_pending()
    assert EligibilityCheck.objects.get(pk=verdict.check_id).outcome == "valid"


def test_connection_test_names_each_step(sim, principal, staff, org):
    report = check_portal_connection(principal("quantri"))
    assert report.ok, report.steps
    assert [s.name for s in report.steps] == ["officer", "token", "lookup"]
    assert sim.calls("card_check") >= 1
    unknown = staff("moi", "Người Chưa Đăng Ký", "027190009999")
    Facility.objects.filter(pk=org["facilities"]["27901"].pk).update(lookup_officer=unknown.profile)
    report = check_portal_connection(principal("quantri"))
    assert not report.ok and "(mã 054)" in report.steps[-1].message_vi


def test_only_the_facility_admin_tests_the_connection(sim, principal):
    from kcb06.errors import Forbidden

    with pytest.raises(Forbidden):
        check_portal_connection(principal("tiepdon"))


def test_the_eligibility_api_stays_closed_to_the_kiosk_account(sim, staff, client):
    client.force_login(staff("kiosk1", "Ki-ốt 1", "", role="kiosk").user)
    r = client.post("/api/v1/eligibility/checks", HOLDER, content_type="application/json")
    assert r.status_code == 403
    r = client.post(
        "/api/v1/check-ins", {"scan": "027085000001", "department": "K01"},
        content_type="application/json",
    )  # fmt: skip
    assert r.status_code == 403
