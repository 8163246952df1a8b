"""The one error type of the identity parsers, its warnings, and every message they can show.

Messages are written for a reception clerk: what happened and what to do next, in plain
Vietnamese, with an English twin for the API. Codes are stable identifiers other parts match on.
"""

from dataclasses import dataclass

from kcb06.errors import DomainError

# code -> (message_vi, message_en); {placeholders} are filled by `error()` / `warning()`.
MESSAGES: dict[str, tuple[str, str]] = {
    # errors
    "empty": (
        "Chưa nhận được mã nào. Hãy quét lại mã QR trên CCCD hoặc nhập số định danh.",
        "Nothing was scanned. Scan the QR on the ID card again or type the ID number.",
    ),
    "not_an_id": (
        "Mã vừa quét không phải CCCD, VNeID hay thẻ BHYT. Hãy quét mã QR trên CCCD hoặc nhập "
        "số định danh.",
        "The scanned code is not an ID card, VNeID or BHYT card. Scan the QR on the ID card or "
        "type the ID number.",
    ),
    "payment_qr": (
        "Đây là mã QR thanh toán ngân hàng, không phải giấy tờ tùy thân. Hãy quét mã QR trên "
        "CCCD hoặc nhập số định danh.",
        "This is a bank payment QR, not an identity document. Scan the QR on the ID card or "
        "type the ID number.",
    ),
    "multiple_scans": (
        "Có nhiều mã khác nhau trong một lần quét. Hãy xóa ô nhập và quét lại từng mã một.",
        "Several different codes arrived in one scan. Clear the field and scan one code at a time.",
    ),
    "qr_truncated": (
        "Mã QR CCCD bị thiếu (chỉ đọc được {count}/7 trường). Hãy giữ thẻ yên và quét lại.",
        "The ID-card QR is incomplete ({count} of 7 fields read). Hold the card still and scan "
        "again.",
    ),
    "qr_fields": (
        "Mã QR CCCD có {count} trường thay vì 7. Hãy quét lại; nếu vẫn lỗi, nhập số định danh "
        "bằng tay.",
        "The ID-card QR has {count} fields instead of 7. Scan again; if it still fails, type the "
        "ID number.",
    ),
    "id_number_length": (
        "Số định danh cá nhân phải có đúng 12 chữ số (nhận được {length}).",
        "The personal ID number must have exactly 12 digits (got {length}).",
    ),
    "id_number_digits": (
        "Số định danh cá nhân chỉ gồm chữ số.",
        "The personal ID number must contain digits only.",
    ),
    "id_number_province": (
        "Ba số đầu {code} của số định danh không phải mã tỉnh nơi đăng ký khai sinh. Hãy kiểm "
        "tra lại số trên thẻ.",
        "The first three digits {code} are not a known birth-registration province code. "
        "Check the number on the card.",
    ),
    "name_missing": (
        "Mã QR không có họ tên. Hãy quét lại hoặc nhập số định danh.",
        "The QR has no name. Scan again or type the ID number.",
    ),
    "sex_invalid": (
        "Giới tính trong mã QR không đọc được ('{value}'); cần 'Nam' hoặc 'Nữ'.",
        "The sex in the QR could not be read ('{value}'); expected 'Nam' or 'Nữ'.",
    ),
    "date_invalid": (
        "{field_vi} '{value}' không phải ngày hợp lệ (cần dạng ngàythángnăm, ví dụ 15081995).",
        "{field_en} '{value}' is not a valid date (expected ddMMyyyy, e.g. 15081995).",
    ),
    "dob_in_future": (
        "Ngày sinh {value} ở tương lai. Hãy kiểm tra lại thẻ.",
        "The date of birth {value} is in the future. Check the card.",
    ),
    "bhyt_length": (
        "Mã thẻ BHYT phải có 15 ký tự: 2 chữ cái, 1 số mức hưởng, 2 số mã tỉnh, 10 số BHXH "
        "(nhận được {length}).",
        "A BHYT card code has 15 characters: 2 letters, 1 benefit digit, 2 province digits, "
        "10-digit BHXH number (got {length}).",
    ),
    "bhyt_format": (
        "Mã thẻ BHYT không đúng dạng: 2 chữ cái, 1 số mức hưởng, 2 số mã tỉnh, 10 số BHXH "
        "(ví dụ DN4010123456789).",
        "The BHYT card code is malformed: 2 letters, benefit digit, 2 province digits, 10-digit "
        "BHXH number (e.g. DN4010123456789).",
    ),
    "bhyt_object_code": (
        "Mã đối tượng '{code}' trên thẻ BHYT không có trong danh mục. Các mã hợp lệ: {allowed}.",
        "The BHYT object code '{code}' is unknown. Allowed codes: {allowed}.",
    ),
    "bhyt_benefit_level": (
        "Ký tự thứ 3 của thẻ BHYT là mức hưởng, phải từ 1 đến 5 (nhận được '{value}').",
        "The 3rd character of a BHYT card is the benefit level, 1 to 5 (got '{value}').",
    ),
    "bhyt_province": (
        "Mã tỉnh '{code}' (ký tự 4-5) trên thẻ BHYT không có trong danh mục.",
        "The province code '{code}' (characters 4-5) on the BHYT card is unknown.",
    ),
    "bhxh_number": (
        "Mã số BHXH phải có đúng 10 chữ số.",
        "A BHXH number must have exactly 10 digits.",
    ),
    "keyboard_layout": (
        "Máy quét đang gõ sai ký tự do bàn phím máy tính không ở chế độ tiếng Anh. Hãy chuyển "
        "bàn phím sang English (US), tắt Unikey/EVKey (chế độ gõ tiếng Việt) rồi quét lại.",
        "The scanner's keystrokes were altered by the PC keyboard layout. Switch the keyboard "
        "to English (US), turn off Unikey/EVKey (Vietnamese input) and scan again.",
    ),
    "vietqr_format": (
        "Mã QR thanh toán không đúng chuẩn VietQR ({detail}).",
        "The payment QR is not a valid VietQR ({detail}).",
    ),
    "vietqr_crc": (
        "Mã QR thanh toán bị hỏng (sai mã kiểm tra CRC). Hãy quét lại.",
        "The payment QR is damaged (CRC mismatch). Scan it again.",
    ),
    "vietqr_value": (
        "Không tạo được mã QR thanh toán: {detail}.",
        "Cannot build the payment QR: {detail}.",
    ),
    # warnings (shown to the clerk; the scan is still accepted)
    "id_sex_mismatch": (
        "Chữ số thứ 4 của số định danh ứng với giới tính {id_sex_vi}, nhưng thẻ ghi {sex_vi}.",
        "Digit 4 of the ID number means {id_sex_en}, but the card says {sex_en}.",
    ),
    "id_century_mismatch": (
        "Chữ số thứ 4 của số định danh ứng với người sinh năm {years}, nhưng ngày sinh là năm "
        "{year}.",
        "Digit 4 of the ID number means born in {years}, but the date of birth is in {year}.",
    ),
    "id_year_mismatch": (
        "Chữ số 5-6 của số định danh ({digits}) không khớp năm sinh {year}.",
        "Digits 5-6 of the ID number ({digits}) do not match the birth year {year}.",
    ),
    "id_province_unknown": (
        "Ba số đầu {code} của số định danh không phải mã tỉnh đã biết; hãy đối chiếu với thẻ.",
        "The first three digits {code} are not a known province code; compare with the card.",
    ),
    "old_id_invalid": (
        "Số CMND cũ trong mã QR không đọc được và đã được bỏ qua.",
        "The old ID number in the QR could not be read and was ignored.",
    ),
    "issue_before_birth": (
        "Ngày cấp thẻ {issue} trước ngày sinh {dob}; hãy đối chiếu với thẻ.",
        "The issue date {issue} is before the date of birth {dob}; compare with the card.",
    ),
    "issue_in_future": (
        "Ngày cấp thẻ {issue} ở tương lai; hãy đối chiếu với thẻ.",
        "The issue date {issue} is in the future; compare with the card.",
    ),
    "dob_very_old": (
        "Ngày sinh {value} cho tuổi trên 120; hãy đối chiếu với thẻ.",
        "The date of birth {value} means an age over 120; compare with the card.",
    ),
    "name_unreadable_chars": (
        "Họ tên hoặc địa chỉ trong mã QR có ký tự không đọc được (máy quét không gõ được dấu "
        "tiếng Việt). Hãy đối chiếu với thẻ và sửa tay; nên cài máy quét gửi mã UTF-8.",
        "The name or address in the QR has unreadable characters (the scanner could not type "
        "Vietnamese letters). Compare with the card and correct by hand.",
    ),
    "address_missing": (
        "Mã QR không có địa chỉ nơi cư trú.",
        "The QR has no address.",
    ),
    "bhyt_level_unusual": (
        "Thẻ BHYT mã đối tượng {code} thường có mức hưởng {usual}, thẻ ghi {level}; mức trên "
        "thẻ được dùng.",
        "BHYT object code {code} usually has benefit level {usual}; the card says {level}, which "
        "is used.",
    ),
}


class IdentityError(DomainError):
    """A scanned or typed identity text that cannot be used, with what the clerk should do."""

    status = 400

    def __init__(self, code: str, message_vi: str, message_en: str):
        super().__init__(code, message_vi, message_en)

    def __repr__(self) -> str:
        return f"IdentityError({self.code!r})"


@dataclass(frozen=True, slots=True)
class IdentityWarning:
    """Something the clerk should look at; the scan is accepted anyway."""

    code: str
    message_vi: str
    message_en: str

    def as_dict(self) -> dict:
        return {"code": self.code, "message_vi": self.message_vi}


def error(code: str, /, **params) -> IdentityError:
    vi, en = MESSAGES[code]
    return IdentityError(code, vi.format(**params), en.format(**params))


def warning(code: str, /, **params) -> IdentityWarning:
    vi, en = MESSAGES[code]
    return IdentityWarning(code, vi.format(**params), en.format(**params))
