from django import template

from kcb06.facilities.models import Role

register = template.Library()


@register.filter
def role_label(value: str) -> str:
    return dict(Role.choices).get(value, value or "—")


@register.filter
def action_label(value: str) -> str:
    from kcb06.audit.views import _ACTION_LABELS

    return _ACTION_LABELS.get(value, value)


OBJECT_LABELS = {
    "patient": "Người bệnh",
    "visit": "Đợt khám",
    "session": "Phiên đăng nhập",
    "audit_log": "Nhật ký truy cập",
    "healthbook": "Sổ sức khỏe",
    "eligibility": "Kiểm tra thẻ BHYT",
    "xml": "Hồ sơ XML",
    "bill": "Hóa đơn",
}
VIA_LABELS = {
    "session": "trình duyệt",
    "api_key": "khóa API",
    "cli": "dòng lệnh",
    "system": "hệ thống",
}


@register.filter
def object_label(value: str) -> str:
    """Vietnamese name of a known object type; unknown types are shown as recorded."""
    return OBJECT_LABELS.get(value, value)


@register.filter
def via_label(value: str) -> str:
    return VIA_LABELS.get(value, value)
