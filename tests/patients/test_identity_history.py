"""Identity history: every change of name, date of birth, sex or address keeps old and new
values, who, where, when, why and the evidence; a clerk corrects with a reason; the facility
admin reverts; the admin and the auditor see it (issue #15, "Trust")."""

from datetime import date

import pytest
from django.test import Client

from kcb06.audit.models import AuditEntry
from kcb06.errors import DomainError, Forbidden, NotFound
from kcb06.patients import identity
from kcb06.patients import services as mpi
from kcb06.patients.models import IdentityChange, PatientFacility
from tests.visits.helpers import principal

pytestmark = pytest.mark.django_db


def make(org, facility="27901"):
    p = mpi.safe_create(
        mpi.PersonData(
            full_name="Trần Thị Định Danh Demo",
            date_of_birth=date(1990, 3, 4),
            sex="female",
            address="Thôn 1, phường Tam Sơn",
            id_number="027190000301",
        )
    )
    PatientFacility.objects.create(patient=p, facility=org["facilities"][facility])
    return p


def _admin_at(org, code: str):
    from django.contrib.auth import get_user_model

    from kcb06.facilities.models import StaffProfile
    from kcb06.facilities.services import principal_for_user

    user = get_user_model().objects.create_user(f"qt_{code}")
    StaffProfile.objects.create(
        user=user, facility=org["facilities"][code], role="facility_admin", full_name="QT"
    )
    return principal_for_user(user)


def test_clerk_correction_keeps_old_and_new_values_and_is_audited(org):
    p = make(org)
    change = identity.correct(
        principal(org),
        p.pk,
        {"date_of_birth": "1990-04-03", "address": "Số 2 đường Mới"},
        "Theo CCCD bản gốc: nhập nhầm ngày và tháng",
    )
    p.refresh_from_db()
    assert p.date_of_birth == date(1990, 4, 3) and p.address == "Số 2 đường Mới"
    assert change.evidence == "clerk_correction"
    assert change.changes == {
        "date_of_birth": {"old": "1990-03-04", "new": "1990-04-03"},
        "address": {"old": "Thôn 1, phường Tam Sơn", "new": "Số 2 đường Mới"},
    }
    assert change.changed_by == org["users"]["tiepdon"] and change.facility.code == "27901"
    entry = AuditEntry.objects.get(object_type="patient_identity")
    assert entry.detail["reason"].startswith("Theo CCCD") and entry.patient_id == p.pk


def test_correction_needs_a_reason_a_valid_value_and_the_patient_at_the_facility(org):
    p = make(org)
    clerk = principal(org)
    with pytest.raises(DomainError) as exc:
        identity.correct(clerk, p.pk, {"full_name": "Trần Thị Khác"}, "")
    assert exc.value.code == "reason_required"
    with pytest.raises(DomainError) as exc:
        identity.correct(clerk, p.pk, {"date_of_birth": "2999-01-01"}, "theo giấy khai sinh")
    assert exc.value.code == "invalid_date_of_birth"
    with pytest.raises(NotFound):  # 27903's clerk has never seen this patient
        identity.correct(principal(org, "tiepdon2"), p.pk, {"sex": "male"}, "theo CCCD gốc")
    with pytest.raises(Forbidden):
        identity.correct(principal(org, "bacsi"), p.pk, {"sex": "male"}, "theo CCCD gốc")
    assert not IdentityChange.objects.exists()


def test_admin_reverts_a_change_with_a_reason_and_the_revert_is_history_too(org):
    p = make(org)
    wrong = identity.correct(
        principal(org), p.pk, {"full_name": "Ten Bia Dat"}, "khách nói sai tên"
    )
    admin = principal(org, "quantri")
    with pytest.raises(DomainError) as exc:
        identity.revert(admin, wrong.pk, "")
    assert exc.value.code == "reason_required"
    with pytest.raises(Forbidden):
        identity.revert(principal(org, "kiemtra"), wrong.pk, "sai, hoàn tác")
    back = identity.revert(admin, wrong.pk, "Sửa sai không có giấy tờ")
    p.refresh_from_db()
    assert p.full_name == "Trần Thị Định Danh Demo"
    assert p.name_key == mpi.name_key("Trần Thị Định Danh Demo")
    assert back.evidence == "revert" and back.reverts == wrong
    assert back.changes == {"full_name": {"old": "Ten Bia Dat", "new": "Trần Thị Định Danh Demo"}}
    with pytest.raises(DomainError) as exc:
        identity.revert(admin, wrong.pk, "lần nữa")
    assert exc.value.code == "change_already_reverted"
    _, rows = identity.history(principal(org, "kiemtra"), p.pk)
    assert [(r.change.evidence, r.reverted) for r in rows] == [
        ("revert", False),
        ("clerk_correction", True),
    ]


def test_revert_is_refused_when_a_later_change_touched_the_field(org):
    p = make(org)
    first = identity.correct(principal(org), p.pk, {"address": "Địa chỉ A"}, "theo giấy tờ")
    identity.correct(principal(org), p.pk, {"address": "Địa chỉ B"}, "theo giấy tờ mới")
    with pytest.raises(DomainError) as exc:
        identity.revert(principal(org, "quantri"), first.pk, "nhầm địa chỉ")
    assert exc.value.code == "change_superseded"
    p.refresh_from_db()
    assert p.address == "Địa chỉ B"


def test_history_is_for_the_admin_and_auditor_of_a_facility_that_knows_the_patient(org):
    p = make(org)
    identity.correct(principal(org), p.pk, {"sex": "male"}, "theo CCCD gốc")
    with pytest.raises(Forbidden):
        identity.history(principal(org), p.pk)
    with pytest.raises(NotFound):
        identity.history(_admin_at(org, "27903"), p.pk)
    patient, rows = identity.history(principal(org, "quantri"), p.pk)
    assert rows[0].fields == [("Giới tính", "Nữ", "Nam")]
    assert AuditEntry.objects.filter(
        object_type="patient_identity_history", patient_id=p.pk
    ).exists()


def test_pages_admin_sees_history_and_reverts_clerk_corrects(org):
    p = make(org)
    clerk, admin, auditor = Client(), Client(), Client()
    clerk.force_login(org["users"]["tiepdon"])
    admin.force_login(org["users"]["quantri"])
    auditor.force_login(org["users"]["kiemtra"])
    r = clerk.post(
        f"/patients/{p.pk}/identity/correct/",
        {"full_name": "Trần Thị Định Danh Mới", "reason": "theo CCCD gốc"},
        follow=True,
    )
    assert "Đã sửa thông tin định danh" in r.content.decode()
    page = clerk.get(f"/patients/{p.pk}/identity/").content.decode()
    assert "Lịch sử thay đổi" not in page  # the clerk corrects; history is the admin's
    listing = auditor.get("/patients/identity/").content.decode()
    assert "Trần Thị Định Danh Mới" in listing and "theo CCCD gốc" in listing
    assert "revert-form" not in auditor.get(f"/patients/{p.pk}/identity/").content.decode()
    change = IdentityChange.objects.get()
    r = admin.post(f"/patients/identity/{change.pk}/revert/", {"reason": "x"}, follow=True)
    assert "ít nhất 5 ký tự" in r.content.decode()
    r = admin.post(
        f"/patients/identity/{change.pk}/revert/",
        {"reason": "Không có giấy tờ chứng minh"},
        follow=True,
    )
    body = r.content.decode()
    assert "Đã hoàn tác" in body and "Không có giấy tờ chứng minh" in body
    p.refresh_from_db()
    assert p.full_name == "Trần Thị Định Danh Demo"
    assert clerk.post(f"/patients/identity/{change.pk}/revert/", {}).status_code == 403
