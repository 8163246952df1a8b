"""Facility administration in the (Vietnamese) Django admin, scoped to the admin's facility."""

import pytest
from django.contrib import admin as django_admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from kcb06.facilities.models import ApiKey, Department, Device, Facility, StaffProfile
from tests.platform.scope import build_world


@pytest.fixture
def quantri(login):
    return login("quantri")


def _other_rows(org):
    other = org["facilities"]["27903"]
    device = Device.objects.create(
        facility=other, kind="kiosk", name="Ki-ốt trạm Tam Sơn", location="Sảnh trạm Tam Sơn"
    )
    return {
        "department": Department.objects.filter(facility=other).first(),
        "device": device,
        "staffprofile": StaffProfile.objects.get(user__username="tiepdon2"),
    }


def test_admin_is_in_vietnamese(quantri):
    body = quantri.get("/admin/").content.decode()
    assert "kcb06 — quản trị cơ sở" in body
    assert "Khoa/phòng" in body or "khoa/phòng" in body


@pytest.mark.parametrize("model", ["department", "device", "staffprofile"])
def test_facility_admin_cannot_see_or_edit_another_facilitys_rows(quantri, org, model):
    row = _other_rows(org)[model]
    changelist = quantri.get(reverse(f"admin:facilities_{model}_changelist"))
    assert changelist.status_code == 200
    body = changelist.content.decode()
    marker = {
        "department": "Phòng khám",  # 27903's only department name; 27901 has longer names
        "device": "Ki-ốt trạm Tam Sơn",
        "staffprofile": "Đỗ Thị Trạm Xá",
    }[model]
    if model == "department":
        assert f">{row.code} — {row.name}<" not in body
    else:
        assert marker not in body
    change_url = reverse(f"admin:facilities_{model}_change", args=[row.pk])
    response = quantri.get(change_url)
    assert response.status_code in (302, 404)
    if model != "department":
        assert marker not in quantri.get(change_url, follow=True).content.decode()
    # A forged POST changes nothing.
    quantri.post(change_url, {"name": "Bị sửa", "full_name": "Bị sửa", "code": "K99"})
    row.refresh_from_db()
    assert "Bị sửa" not in str(getattr(row, "name", "")) + str(getattr(row, "full_name", ""))


def test_facility_admin_sees_only_own_facility(quantri, org):
    body = quantri.get(reverse("admin:facilities_facility_changelist")).content.decode()
    assert "Trung tâm Y tế khu vực Từ Sơn" in body
    assert "Trạm y tế phường Tam Sơn" not in body
    other = org["facilities"]["27903"]
    response = quantri.get(reverse("admin:facilities_facility_change", args=[other.pk]))
    assert response.status_code in (302, 404)
    assert quantri.get(reverse("admin:facilities_facility_add")).status_code == 403


def test_facility_admin_creates_staff_of_own_facility(quantri, org):
    own = org["facilities"]["27901"]
    response = quantri.post(
        reverse("admin:facilities_staffprofile_add"),
        {
            "username": "dieuduong1",
            "password": "Mat-khau-an-toan-2025",
            "facility": own.pk,
            "role": "clinician",
            "full_name": "Ngô Thị Điều Dưỡng",
            "id_number": "",
            "practitioner_code": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = get_user_model().objects.get(username="dieuduong1")
    assert user.staff.facility == own and user.staff.role == "clinician"
    assert not user.is_superuser and not user.is_staff
    assert user.check_password("Mat-khau-an-toan-2025")


@pytest.mark.parametrize(
    ("facility_code", "role"),
    [("27903", "reception"), ("27901", "health_dept"), (None, "health_dept")],
)
def test_facility_admin_cannot_create_staff_elsewhere_or_grant_health_dept(
    quantri, org, facility_code, role
):
    facility = org["facilities"][facility_code or "SYT"]
    response = quantri.post(
        reverse("admin:facilities_staffprofile_add"),
        {
            "username": "xamnhap",
            "password": "Mat-khau-an-toan-2025",
            "facility": facility.pk,
            "role": role,
            "full_name": "Người Xâm Nhập",
        },
    )
    assert response.status_code == 200  # the form again, with an error
    assert "errorlist" in response.content.decode()
    assert not get_user_model().objects.filter(username="xamnhap").exists()


def test_facility_admin_cannot_promote_existing_staff_to_health_dept(quantri, org):
    profile = StaffProfile.objects.get(user__username="bacsi")
    url = reverse("admin:facilities_staffprofile_change", args=[profile.pk])
    response = quantri.post(url, {"role": "health_dept", "full_name": profile.full_name})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    profile.refresh_from_db()
    assert profile.role == "clinician"
    # The same form with an allowed role goes through: only the role was refused.
    response = quantri.post(url, {"role": "cashier", "full_name": profile.full_name})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.role == "cashier"


def test_facility_code_must_have_five_characters(login, org):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", password="x")
    client = login("quantri")
    client.force_login(root)
    data = {
        "code": "2790",
        "name": "Phòng khám thử",
        "kind": "pkdk",
        "province_code": "24",
        "ward_code": "",
        "ward_name": "",
        "old_province_code": "27",
        "street": "",
        "portal_username": "",
        "is_active": "on",
    }
    response = client.post(reverse("admin:facilities_facility_add"), data)
    assert "Mã cơ sở KCB phải có đúng 5 ký tự" in response.content.decode()
    data.update(code="27905", ward_code="99999")
    response = client.post(reverse("admin:facilities_facility_add"), data)
    assert "không thuộc tỉnh/thành đã chọn" in response.content.decode()
    data.update(ward_code="09370")
    response = client.post(reverse("admin:facilities_facility_add"), data)
    assert response.status_code == 302
    created = Facility.objects.get(code="27905")
    assert created.ward_name and created.old_province_code == "27"
    assert "Bắc Ninh" in created.address


def test_api_key_is_shown_once_and_can_be_revoked(quantri, org):
    from django.test import Client

    tiepdon = org["users"]["tiepdon"]
    response = quantri.post(
        reverse("admin:facilities_apikey_add"),
        {
            "facility": org["facilities"]["27901"].pk,
            "name": "HIS khoa Dược",
            "acting_user": tiepdon.pk,
        },
        follow=True,
    )
    body = response.content.decode()
    assert "chỉ hiển thị một lần" in body
    key_text = body.split("hãy sao chép ngay: ", 1)[1].split("<", 1)[0].strip()
    assert key_text.startswith("kcb06_")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key_text}").get("/api/v1/me").status_code == 200
    key = ApiKey.objects.get(name="HIS khoa Dược")
    assert key_text.split("_", 2)[2] not in str(ApiKey.objects.filter(pk=key.pk).values().get())
    # Listing the keys again never shows the secret.
    assert (
        key_text not in quantri.get(reverse("admin:facilities_apikey_changelist")).content.decode()
    )
    quantri.post(
        reverse("admin:facilities_apikey_changelist"),
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key_text}").get("/api/v1/me")
    assert response.status_code == 401 and response.json()["error"]["code"] == "api_key_revoked"


def test_facility_admin_cannot_issue_a_key_for_another_facility(quantri, org):
    response = quantri.post(
        reverse("admin:facilities_apikey_add"),
        {
            "facility": org["facilities"]["27903"].pk,
            "name": "Khóa lậu",
            "acting_user": org["users"]["tiepdon2"].pk,
        },
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not ApiKey.objects.filter(name="Khóa lậu").exists()


def test_every_admin_page_hides_the_other_facilitys_patient(org, login):
    """Whatever models other areas register in the admin, a facility admin of 27901 never sees
    the patient who exists only at 27903 (and no admin list crashes)."""
    world = build_world(org)
    client = login("quantri")
    for model in django_admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code in (200, 302, 403), (url, response.status_code)
        body = response.content.decode()
        assert not world.leaked(body), f"{url} shows {world.leaked(body)}"
