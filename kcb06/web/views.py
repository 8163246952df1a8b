"""Home page and the Vietnamese error pages (no stack trace ever reaches a user)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from kcb06.web.context import navigation


@login_required
def home(request):
    principal = request.principal
    if principal is None or principal.profile is None:
        if request.user.is_superuser:
            return redirect("admin:index")
        return error_page(
            request,
            403,
            "Tài khoản chưa được gán cơ sở",
            "Tài khoản của bạn chưa được gán vào cơ sở y tế nào. Hãy liên hệ quản trị.",
            "no_facility",
        )
    if principal.role == "kiosk":
        # A kiosk's login opens the kiosk screen and nothing else.
        return redirect("visits:kiosk")
    items = navigation(request)["nav_items"]
    if (
        len(items) >= 1
        and request.GET.get("stay") is None
        and principal.role
        in {
            "reception",
            "clinician",
            "cashier",
        }
    ):
        return redirect(items[0]["url"])
    for item in items:
        item["help"] = TILE_HELP.get(item["name"], "")
    return render(
        request,
        "web/home.html",
        {"items": items, "today": timezone.localdate(), "facility": principal.facility},
    )


# One line under each tile of the home page: what the page is for.
TILE_HELP = {
    "visits:reception": "Quét CCCD/VNeID, kiểm tra thẻ BHYT, cấp số thứ tự.",
    "patients:search": "Tìm người bệnh theo tên, năm sinh, số định danh.",
    "visits:clinic": "Danh sách chờ khám và khám bệnh.",
    "healthbook:worklist": "Ghi sổ sức khỏe điện tử, kết thúc đợt khám.",
    "visits:kiosk": "Mở màn hình ki-ốt tự phục vụ.",
    "visits:board": "Màn hình gọi số tại phòng chờ.",
    "payments:bills": "Thu tiền, VietQR, đối soát.",
    "eligibility:reconciliation": "Danh sách sai lệch giữa CSDL dân cư và BHXH.",
    "interchange:status": "Trạng thái gửi hồ sơ XML 4750 lên cổng BHXH.",
    "interchange:rules": "Bật, tắt, hạ thành cảnh báo các quy tắc kiểm tra hồ sơ XML.",
    "interchange:queue": "Hồ sơ chưa được cổng tiếp nhận: lỗi gì, khoa nào, sửa thế nào.",
    "reports:dashboard": "Chỉ tiêu Đề án 06, báo cáo tuần/tháng.",
    "audit:log": "Ai đã xem, sửa dữ liệu người bệnh, khi nào, vì sao.",
    "admin:index": "Cơ sở, khoa/phòng, thiết bị, nhân viên, khóa API.",
    "facility_setup": "Kết nối Cổng BHXH, cán bộ tra cứu, chứng thư số, nhân viên thiếu CCCD.",
}


def error_page(request, status, title, message, code):
    return render(
        request,
        "web/error.html",
        {"title": title, "message": message, "code": code},
        status=status,
    )


def bad_request(request, exception=None):
    return error_page(
        request, 400, "Yêu cầu không hợp lệ", "Yêu cầu gửi lên không hợp lệ.", "bad_request"
    )


def permission_denied(request, exception=None):
    return error_page(
        request,
        403,
        "Không có quyền truy cập",
        "Bạn không được phép xem trang này. Hãy liên hệ quản trị cơ sở nếu cần quyền.",
        "forbidden",
    )


def page_not_found(request, exception=None):
    return error_page(
        request,
        404,
        "Không tìm thấy trang",
        "Trang hoặc dữ liệu bạn tìm không tồn tại, hoặc không thuộc cơ sở của bạn.",
        "not_found",
    )


def server_error(request):
    return render(
        request,
        "web/error.html",
        {
            "title": "Lỗi hệ thống",
            "message": "Đã xảy ra lỗi. Dữ liệu đã lưu không bị mất. Hãy thử lại hoặc báo quản trị.",
            "code": "internal_error",
        },
        status=500,
    )


def csrf_failure(request, reason=""):
    return error_page(
        request,
        403,
        "Phiên làm việc đã hết hạn",
        "Trang đã mở quá lâu hoặc phiên đăng nhập đã hết hạn. Hãy tải lại trang và thử lại.",
        "csrf_failed",
    )
