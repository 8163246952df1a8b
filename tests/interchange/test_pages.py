"""Pages and API of interchange: what the billing clerk and the facility admin see."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kcb06.interchange import outbox
from kcb06.interchange.core import certs, signing
from kcb06.interchange.models import OutboxItem, OutboxState

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_keys():
    signing.forget()
    yield
    signing.forget()


def _queue(org, visit):
    return outbox.enqueue_claim_data(org["facilities"]["27901"], None, visit)


def test_status_page_shows_each_field_error_and_portal_rejection_in_vietnamese(
    login, org, make_visit
):
    bad = _queue(org, make_visit(main_icd="VIEM"))
    rejected = _queue(org, make_visit())
    OutboxItem.objects.filter(pk=rejected.pk).update(
        state=OutboxState.REJECTED, result_code="125", result_message=""
    )
    page = login("thungan").get("/interchange/")
    html = page.content.decode()
    assert page.status_code == 200
    assert bad.ma_lk in html and "MA_BENH_CHINH" in html and "ICD-10" in html
    assert "Cổng từ chối (mã 125)" in html and "Chữ ký số không hợp lệ" in html
    detail = login("thungan").get(f"/interchange/files/{bad.pk}/").content.decode()
    assert "MA_BENH_CHINH" in detail and "Gửi lại" in detail


def test_resend_of_still_invalid_data_says_so(login, org, make_visit):
    bad = _queue(org, make_visit(main_icd="VIEM"))
    response = login("thungan").post(f"/interchange/files/{bad.pk}/resend/", follow=True)
    assert "vẫn còn lỗi" in response.content.decode()
    bad.refresh_from_db()
    assert bad.state == OutboxState.INVALID


def test_reception_cannot_open_the_outbox(login):
    assert login("tiepdon").get("/interchange/").status_code == 403


def test_admin_installs_pkcs12_and_sees_expiry_warning(login, org):
    key, cert = certs.make_certificate(
        "27901", "TTYT", days=40, not_before=datetime.now(UTC) - timedelta(days=20)
    )
    data = certs.pkcs12_bytes(key, cert, "mat-khau")
    client = login("quantri")
    wrong = client.post(
        "/interchange/", {"p12": SimpleUploadedFile("c.p12", data), "password": "sai"}
    )
    assert "Mật khẩu tệp chứng thư số (PKCS#12) không đúng" in wrong.content.decode()
    ok = client.post(
        "/interchange/",
        {"p12": SimpleUploadedFile("c.p12", data), "password": "mat-khau"},
        follow=True,
    )
    html = ok.content.decode()
    assert "Đã cài chứng thư số" in html
    assert "Sắp hết hạn" in html


def test_certificate_of_another_facility_is_refused_on_the_form(login):
    key, cert = certs.make_certificate("27902", "PKĐK")
    data = certs.pkcs12_bytes(key, cert, "x")
    page = login("quantri").post(
        "/interchange/", {"p12": SimpleUploadedFile("c.p12", data), "password": "x"}
    )
    assert "không phải của cơ sở 27901" in page.content.decode()


def test_missing_certificate_is_shown_to_the_admin(login):
    html = login("quantri").get("/interchange/").content.decode()
    assert "chưa đăng ký chứng thư số" in html or "Chưa cài chứng thư số" in html


def test_overdue_page_and_api_list_late_visits_by_facility_with_reason(
    login, org, api_client, make_visit
):
    late = _queue(org, make_visit())
    warn = _queue(org, make_visit(main_icd="VIEM"))
    fresh = _queue(org, make_visit())
    now = timezone.now()
    OutboxItem.objects.filter(pk=late.pk).update(
        visit_ended_at=now - timedelta(hours=30), last_error="Chưa cài chứng thư số của cơ sở"
    )
    OutboxItem.objects.filter(pk=warn.pk).update(visit_ended_at=now - timedelta(hours=13))
    OutboxItem.objects.filter(pk=fresh.pk).update(visit_ended_at=now - timedelta(hours=1))
    data = api_client.get("/api/v1/interchange/overdue").json()
    rows = {r["ma_lk"]: r for g in data["facilities"] for r in g["rows"]}
    assert rows[late.ma_lk]["level"] == "overdue" and "chứng thư" in rows[late.ma_lk]["reason_vi"]
    assert rows[warn.ma_lk]["level"] == "warning" and "Lỗi dữ liệu" in rows[warn.ma_lk]["reason_vi"]
    assert fresh.ma_lk not in rows
    assert data["facilities"][0]["facility"] == "27901"
    # The health department sees the same list for the facilities below it.
    html = login("soyte").get("/interchange/overdue/").content.decode()
    assert "27901" in html and "Quá hạn" in html and "chứng thư" in html
    assert late.ma_lk not in html  # counts and reasons, never which visit
    # Accepted -> off the list.
    OutboxItem.objects.filter(pk=late.pk).update(state=OutboxState.ACCEPTED)
    data = api_client.get("/api/v1/interchange/overdue").json()
    assert late.ma_lk not in {r["ma_lk"] for g in data["facilities"] for r in g["rows"]}


def test_visit_files_api_shows_state_and_unknown_visit_is_404(api_client, org):
    assert api_client.get("/api/v1/interchange/visits/999999").status_code == 404


def test_rules_page_refuses_bad_input_in_vietnamese_and_other_roles(login, org, make_visit):
    admin = login("quantri")
    page = admin.get("/interchange/rules/?table=XML999")
    assert page.status_code == 200 and "K1.07" not in page.content.decode()
    for code, mode, expected in (
        ("NOPE", "off", "Không có quy tắc NOPE"),
        ("K1.07", "loud", "Chế độ phải là"),
        ("S13.23", "off", "Không có quy tắc S13.23"),  # a relaxation cannot be switched
    ):
        answer = admin.post("/interchange/rules/", {"code": code, "mode": mode}, follow=True)
        assert answer.status_code == 200 and expected in answer.content.decode()
    from kcb06.interchange.models import RuleSetting

    assert not RuleSetting.objects.exists()
    admin.post("/interchange/rules/", {"code": "K1.07", "mode": "off"})
    admin.post("/interchange/rules/", {"code": "K1.07", "mode": "error"})  # back to default
    assert not RuleSetting.objects.exists()
    for role in ("thungan", "bacsi"):
        assert login(role).get("/interchange/rules/").status_code == 403
