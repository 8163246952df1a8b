"""The Vietnamese message and the fix to make for a claim-queue error key (docs/claims.md,
"Error keys and the fix to make"): the claim's own words first, then the rule catalogue's, then
a generic text per check kind or portal code."""

from dataclasses import dataclass
from functools import cache, lru_cache

from kcb06.interchange import portal
from kcb06.interchange.core import rules

# What each kind of check means and what to do, by the code validation gives the error. Used
# until (and wherever) the rule catalogue of kcb06.interchange.core.rules has no entry.
_GENERIC = {
    "required": (
        "{field} ({table}) bắt buộc nhưng đang để trống.",
        "Mở đợt khám, nhập {field} rồi kết thúc lại đợt khám và bấm Gửi lại.",
    ),
    "missing": (
        "Thiếu trường bắt buộc {field} ({table}).",
        "Mở đợt khám, nhập {field} rồi kết thúc lại đợt khám và bấm Gửi lại.",
    ),
    "format": (
        "{field} ({table}) sai định dạng.",
        "Sửa {field} trong đợt khám theo đúng định dạng của QĐ 4750 rồi bấm Gửi lại.",
    ),
    "too_long": (
        "{field} ({table}) dài quá mức cho phép.",
        "Rút gọn nội dung {field} trong đợt khám rồi bấm Gửi lại.",
    ),
    "code_list": (
        "{field} ({table}) không có trong danh mục dùng chung.",
        "Chọn lại {field} từ danh mục (không gõ tự do) trong đợt khám rồi bấm Gửi lại.",
    ),
    "date_order": (
        "Ngày giờ {field} ({table}) không đúng thứ tự.",
        "Kiểm tra ngày vào, ngày ra, ngày y lệnh và ngày kết quả của đợt khám rồi bấm Gửi lại.",
    ),
    "quantity": (
        "Số lượng ở {field} ({table}) không hợp lệ.",
        "Sửa số lượng thuốc/dịch vụ trong đợt khám rồi bấm Gửi lại.",
    ),
    "price": (
        "Đơn giá hoặc thành tiền ở {field} ({table}) không khớp.",
        "Kiểm tra đơn giá theo danh mục của cơ sở; sửa dòng chi phí trong đợt khám rồi Gửi lại.",
    ),
    "missing_table": (
        "Hồ sơ thiếu bảng {table}.",
        "Hoàn tất đợt khám (chẩn đoán, chi phí) để lập đủ các bảng rồi bấm Gửi lại.",
    ),
    "unexpected": (
        "{field} ({table}) không đúng vị trí hoặc không thuộc bảng này.",
        "Báo quản trị cơ sở: lỗi cách lập hồ sơ, không sửa được ở đợt khám.",
    ),
    "one_hoso": (
        "Hồ sơ gửi cổng phải có đúng một hồ sơ (HOSO).",
        "Báo quản trị cơ sở: lỗi cách lập hồ sơ, không sửa được ở đợt khám.",
    ),
    "too_many": (
        "{field} ({table}) có nhiều giá trị hơn mức cho phép.",
        "Bớt giá trị ở {field} trong đợt khám rồi bấm Gửi lại.",
    ),
}
_OTHER = (
    "{field} ({table}) không hợp lệ.",
    "Mở hồ sơ để đọc lỗi chi tiết, sửa đợt khám rồi bấm Gửi lại.",
)
_PORTAL_STEPS = {
    "123": "Báo quản trị cơ sở kiểm tra chứng thư số, rồi bấm Gửi lại.",
    "125": "Báo quản trị cơ sở kiểm tra chứng thư số đã đăng ký với cổng; không sửa tệp đã ký.",
    "403": "Báo quản trị cơ sở kiểm tra tài khoản cổng BHXH của cơ sở.",
    "409": "Cổng giữ bản mới hơn: chỉ gửi lại nếu bản này đúng là bản cần giữ.",
}
_DELIVERY = (
    "Gửi lỗi sau nhiều lần thử (mất kết nối hoặc cổng không trả lời).",
    "Kiểm tra kết nối tới cổng BHXH rồi bấm Gửi lại.",
)


@dataclass(frozen=True)
class Fix:
    key: str
    message_vi: str
    next_step_vi: str


@cache
def _catalogue_entry(code: str, table: str, field: str):
    """The rule catalogue's entry for an error stored as (kind, table, field): the first rule of
    that kind on that very field, or None (then _GENERIC's words; a table-wide guess would
    give the clerk another field's fix)."""
    return _CATALOGUE_BY_PLACE.get((code, table, field))


def _index_catalogue() -> dict:
    found: dict = {}
    for rule in rules.catalogue():
        for table in rule.tables:
            for field in rule.fields:
                found.setdefault((rule.kind, table, field), rule)
    return found


_CATALOGUE_BY_PLACE = _index_catalogue()


def _entry_text(entry, *names) -> str:
    for name in names:
        value = entry.get(name) if isinstance(entry, dict) else getattr(entry, name, None)
        if value:
            return str(value)
    return ""


def fix_for(key: str, error: dict | None = None) -> Fix:
    """The message and the next step (Vietnamese) for a queue error key ("XML1.MA_THE_BHYT:
    required", "CONG:125", "GUI_LOI"). `error`: the error as stored on the claim, whose own
    message (and next step, once validation writes one) wins over the catalogue's text."""
    generic = _generic_fix(key)
    if not error:
        return generic
    return Fix(
        key,
        error.get("message_vi") or generic.message_vi,
        error.get("next_step_vi") or error.get("next_step") or generic.next_step_vi,
    )


@lru_cache(maxsize=4096)
def _generic_fix(key: str) -> Fix:
    """The text for a key alone: the rule catalogue's if it has the rule, else _GENERIC's."""
    if key == "GUI_LOI":
        return Fix(key, *_DELIVERY)
    if key.startswith("CONG:"):
        code = key[5:]
        step = _PORTAL_STEPS.get(
            code, "Đọc lý do cổng từ chối, sửa đợt khám theo lý do đó rồi bấm Gửi lại."
        )
        return Fix(key, portal.meaning(code), step)
    place, _, code = key.rpartition(":")
    table, _, field = place.partition(".")
    entry = _catalogue_entry(code, table, field)
    names = {"table": table or "?", "field": field or table or "?"}
    texts = _GENERIC.get(code) or _GENERIC.get(code.removeprefix("xsd_"), _OTHER)
    message, step = (text.format(**names) for text in texts)
    if entry is not None:  # the catalogue's own words, taken as they are
        message = _entry_text(entry, "message_vi") or message
        step = _entry_text(entry, "next_step") or step
    return Fix(key, message, step)
