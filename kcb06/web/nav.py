"""Navigation by role. Entries whose page does not exist yet are skipped, so each app can be
listed here before it ships its pages."""

from kcb06.facilities.models import Role

R = Role
NAV_ITEMS: list[tuple[str, str, tuple[str, ...]]] = [
    ("visits:reception", "Tiếp đón", (R.RECEPTION,)),
    ("visits:today", "Lượt hôm nay", (R.RECEPTION, R.FACILITY_ADMIN)),
    ("visits:patient_search", "Tìm người bệnh", (R.RECEPTION, R.FACILITY_ADMIN)),
    ("visits:merge", "Gộp hồ sơ trùng", (R.FACILITY_ADMIN,)),
    ("patients:search", "Người bệnh", (R.RECEPTION, R.CLINICIAN, R.FACILITY_ADMIN)),
    ("visits:clinic", "Phòng khám", (R.CLINICIAN,)),
    ("healthbook:worklist", "Sổ sức khỏe", (R.CLINICIAN,)),
    ("visits:kiosk", "Ki-ốt", (R.FACILITY_ADMIN, R.KIOSK)),
    ("visits:board", "Màn hình gọi số", (R.RECEPTION, R.FACILITY_ADMIN)),
    ("payments:bills", "Thu ngân", (R.CASHIER,)),
    ("eligibility:reconciliation", "Sai lệch dữ liệu", (R.FACILITY_ADMIN, R.AUDITOR)),
    ("interchange:status", "Liên thông XML", (R.FACILITY_ADMIN, R.CASHIER)),
    ("interchange:overdue", "Hồ sơ XML quá hạn", (R.FACILITY_ADMIN, R.CASHIER, R.HEALTH_DEPT)),
    ("interchange:rules", "Quy tắc hồ sơ XML", (R.FACILITY_ADMIN,)),
    (
        "interchange:queue",
        "Hồ sơ BHYT cần sửa",
        (R.CASHIER, R.CLINICIAN, R.FACILITY_ADMIN, R.HEALTH_DEPT),
    ),
    ("reports:dashboard", "Chỉ tiêu Đề án 06", (R.HEALTH_DEPT, R.FACILITY_ADMIN)),
    ("audit:log", "Nhật ký truy cập", (R.AUDITOR, R.FACILITY_ADMIN)),
    ("patients:identity_changes", "Thay đổi định danh", (R.AUDITOR, R.FACILITY_ADMIN)),
    ("catalogue:index", "Danh mục", (R.FACILITY_ADMIN,)),
    ("facility_setup", "Kiểm tra cấu hình", (R.FACILITY_ADMIN,)),
    ("admin:index", "Quản trị", (R.FACILITY_ADMIN,)),
]
