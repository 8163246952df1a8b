"""Synthetic demo organisation: a province health department, a district health centre with a
polyclinic and two commune stations, departments, devices, one user of each role.

Every name and number here is invented. Idempotent: running it twice changes nothing.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from kcb06.demo import DEMO_API_KEY, DEMO_PASSWORD
from kcb06.facilities.adminunits import ward_name
from kcb06.facilities.models import Department, Device, Facility, Role, StaffProfile
from kcb06.facilities.services import ensure_api_key

FACILITIES = [
    # code, name, kind, parent code ("" = root), ward code
    (None, "Sở Y tế tỉnh Bắc Ninh (demo)", "so_yte", None, "09187"),
    ("27901", "Trung tâm Y tế khu vực Từ Sơn (demo)", "ttyt", "SYT", "09367"),
    ("27902", "Phòng khám đa khoa khu vực Đồng Nguyên (demo)", "pkdk", "27901", "09385"),
    ("27903", "Trạm y tế phường Tam Sơn (demo)", "tram_y_te", "27901", "09370"),
    ("27904", "Trạm y tế phường Phù Khê (demo)", "tram_y_te", "27901", "09379"),
]

DEPARTMENTS = {
    "27901": [
        ("K01", "Khoa Khám bệnh — Phòng khám Nội", "1"),
        ("K02", "Khoa Hồi sức cấp cứu", "2"),  # not offered at the kiosk (self_service off)
        ("K19", "Khoa Nhi — Phòng khám Nhi", "3"),
        ("K28", "Khoa Tai Mũi Họng", "4"),
        ("K33", "Khoa Y học cổ truyền", "5"),
    ],
    "27902": [("K01", "Phòng khám Đa khoa", "1"), ("K19", "Phòng khám Nhi", "2")],
    "27903": [("K01", "Phòng khám", "1")],
    "27904": [("K01", "Phòng khám", "1")],
}

# Emergency: patients go to the desk (or straight in), never choose it at a kiosk.
NOT_SELF_SERVICE = {"K02"}

# The lookup officer each facility's kiosks check cards under (registered in portalsim).
LOOKUP_OFFICERS = {"27901": "tiepdon", "27903": "tiepdon2"}

USERS = [
    # username, full name, role, facility code (None = health department), staff ID number
    ("tiepdon", "Nguyễn Thị Tiếp Đón", Role.RECEPTION, "27901", "027190000101"),
    ("bacsi", "Trần Văn Bác Sĩ", Role.CLINICIAN, "27901", "027180000102"),
    ("thungan", "Lê Thị Thu Ngân", Role.CASHIER, "27901", "027190000103"),
    ("quantri", "Phạm Văn Quản Trị", Role.FACILITY_ADMIN, "27901", "027180000104"),
    ("soyte", "Hoàng Thị Sở Y Tế", Role.HEALTH_DEPT, None, "027190000105"),
    ("kiemtra", "Vũ Văn Kiểm Tra", Role.AUDITOR, "27901", "027180000106"),
    ("tiepdon2", "Đỗ Thị Trạm Xá", Role.RECEPTION, "27903", "027190000107"),
    # The commune station's clinician: closes its demo BHYT visit (kcb06.healthbook.demo).
    ("bacsi2", "Ngô Văn Trạm Y", Role.CLINICIAN, "27903", "027180000108"),
]

PROVINCE = "24"  # Bắc Ninh since 01/07/2025 (QĐ 19/2025/QĐ-TTg)
OLD_PROVINCE = "27"  # Bắc Ninh before the merger: still on cards and ID numbers


@transaction.atomic
def seed() -> dict:
    facilities: dict[str, Facility] = {}
    for code, name, kind, parent, ward in FACILITIES:
        key = code or "SYT"
        lookup = {"code": code} if code else {"code": None, "kind": kind, "name": name}
        defaults = {
            "name": name,
            "kind": kind,
            "parent": facilities.get(parent) if parent else None,
            "province_code": PROVINCE,
            "old_province_code": OLD_PROVINCE,
            "ward_code": ward,
            "ward_name": ward_name(PROVINCE, ward) or "",
            "portal_username": f"{code}_BV" if code else "",
        }
        facility, _ = Facility.objects.update_or_create(**lookup, defaults=defaults)
        facilities[key] = facility

    for code, rows in DEPARTMENTS.items():
        for order, (dep_code, name, room) in enumerate(rows):
            Department.objects.update_or_create(
                facility=facilities[code],
                code=dep_code,
                defaults={
                    "name": name,
                    "room": room,
                    "sort_order": order,
                    "self_service": dep_code not in NOT_SELF_SERVICE,
                },
            )

    ttyt = facilities["27901"]
    for kind, name, location in [
        ("scanner", "Máy quét quầy 1", "Quầy tiếp đón số 1, sảnh tầng 1"),
        ("kiosk", "Ki-ốt sảnh chính", "Sảnh chính, cạnh cửa vào"),
        ("queue_screen", "Màn hình phòng chờ", "Phòng chờ khu khám bệnh tầng 1"),
    ]:
        Device.objects.update_or_create(
            facility=ttyt, name=name, defaults={"kind": kind, "location": location}
        )

    User = get_user_model()
    users = {}
    for username, full_name, role, fcode, id_number in USERS:
        user, created = User.objects.get_or_create(username=username)
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        user.first_name = full_name
        user.is_staff = role == Role.FACILITY_ADMIN
        user.save()
        StaffProfile.objects.update_or_create(
            user=user,
            defaults={
                "facility": facilities[fcode] if fcode else facilities["SYT"],
                "role": role,
                "full_name": full_name,
                "id_number": id_number,
            },
        )
        users[username] = user
    for code, username in LOOKUP_OFFICERS.items():
        Facility.objects.filter(pk=facilities[code].pk).update(
            lookup_officer=StaffProfile.objects.get(user=users[username])
        )
        facilities[code].refresh_from_db()
    _grant_admin_permissions(users["quantri"])
    ensure_api_key(ttyt, "HIS demo", users["tiepdon"], DEMO_API_KEY)
    return {"facilities": facilities, "users": users, "api_key": DEMO_API_KEY}


def _grant_admin_permissions(user) -> None:
    from django.contrib.auth.models import Permission

    perms = Permission.objects.filter(
        content_type__app_label="facilities",
        content_type__model__in=["facility", "department", "device", "staffprofile", "apikey"],
    )
    user.user_permissions.add(*perms)
