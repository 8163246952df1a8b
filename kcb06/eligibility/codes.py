"""Every maKetQua of the card check mapped to one of four outcomes, with the reason told to the
patient and the next step for the clerk. docs/eligibility.md ("Every result code") shows the
table and its sources.

Texts may use {new_card} (maTheMoi) and {code}.
"""

from dataclasses import dataclass

VALID, INVALID, NO_CARD, UNVERIFIED = "valid", "invalid", "no_card", "unverified"

_FIX_CARD = (
    "Đối chiếu lại mã thẻ trên thẻ BHYT hoặc trên ứng dụng VssID/VNeID, sửa mã đã nhập rồi "
    "kiểm tra lại. Nếu vẫn sai: tiếp đón theo diện tự chi trả và hướng dẫn người bệnh liên hệ "
    "cơ quan BHXH."
)
_SELF_PAY = (
    "Hướng dẫn người bệnh liên hệ cơ quan BHXH hoặc đại lý thu BHYT; nếu người bệnh vẫn khám "
    "thì tiếp đón theo diện tự chi trả (viện phí)."
)
_RETRY = (
    "Tiếp đón tạm theo thông tin người bệnh cung cấp. kcb06 tự kiểm tra lại thẻ và báo kết "
    "quả cho tiếp đón và thu ngân; chưa thu tiền phần BHYT cho đến khi có kết quả."
)
_IT = "Báo bộ phận CNTT của cơ sở: "
# What the patient reads when the facility's own set-up stops the check: not a card problem.
_CONFIG_REASON = (
    "Chưa kiểm tra được thẻ BHYT do lỗi cấu hình tra cứu của cơ sở (không phải lỗi thẻ)."
)
_SETUP_PAGE = " Xem trang «Kiểm tra cấu hình» của quản trị cơ sở. "


@dataclass(frozen=True)
class CodeRule:
    outcome: str
    reason_vi: str
    next_step_vi: str
    final: bool = True  # False: re-check in the background (unverified only)


RULES: dict[str, CodeRule] = {
    "000": CodeRule(VALID, "Thẻ BHYT hợp lệ.", "Tiếp đón theo thẻ BHYT."),
    "001": CodeRule(
        VALID,
        "Thẻ BHYT hợp lệ; thẻ do BHXH Bộ Quốc phòng quản lý.",
        "Đối chiếu thẻ BHYT với giấy tờ tùy thân của người bệnh (theo yêu cầu của BHXH) rồi "
        "tiếp đón theo thẻ.",
    ),
    "002": CodeRule(
        VALID,
        "Thẻ BHYT hợp lệ; thẻ do BHXH Bộ Công an quản lý.",
        "Đối chiếu thẻ BHYT với giấy tờ tùy thân của người bệnh (theo yêu cầu của BHXH) rồi "
        "tiếp đón theo thẻ.",
    ),
    "003": CodeRule(
        INVALID,
        "Thẻ BHYT cũ đã hết hạn; người bệnh đã được cấp thẻ mới {new_card}.",
        "Kiểm tra lại bằng mã thẻ mới {new_card} và tiếp đón theo thẻ mới.",
    ),
    "004": CodeRule(
        VALID,
        "Thẻ BHYT còn hạn; người bệnh đã được cấp thẻ mới {new_card}.",
        "Tiếp đón được theo thẻ này; nên dùng thẻ mới {new_card} (kiểm tra lại bằng mã mới).",
    ),
    "010": CodeRule(INVALID, "Thẻ BHYT đã hết hạn sử dụng.", _SELF_PAY),
    "050": CodeRule(
        INVALID,
        "Cổng BHXH không có thông tin thẻ BHYT với mã này.",
        _FIX_CARD,
    ),
    "051": CodeRule(INVALID, "Mã thẻ BHYT không đúng.", _FIX_CARD),
    "052": CodeRule(INVALID, "Mã tỉnh trên mã thẻ BHYT (ký tự thứ 4 và 5) không đúng.", _FIX_CARD),
    "053": CodeRule(INVALID, "Mã mức hưởng trên mã thẻ BHYT (ký tự thứ 3) không đúng.", _FIX_CARD),
    "054": CodeRule(
        UNVERIFIED,
        _CONFIG_REASON,
        _IT + "số CCCD của nhân viên đang tra cứu chưa có trong danh sách cán bộ tra cứu đã "
        "đăng ký với BHXH (mẫu 01/dk-ctn). " + _RETRY,
        final=False,
    ),
    "055": CodeRule(
        UNVERIFIED,
        _CONFIG_REASON,
        _IT
        + "họ tên của nhân viên đang tra cứu không khớp với số CCCD đã đăng ký với BHXH. "
        + _RETRY,
        final=False,
    ),
    "060": CodeRule(
        INVALID,
        "Họ tên không khớp với họ tên trên thẻ BHYT.",
        "Đối chiếu họ tên trên CCCD và trên thẻ BHYT. Nếu nhập sai thì sửa và kiểm tra lại; "
        "nếu dữ liệu BHXH sai thì hướng dẫn người bệnh điều chỉnh với cơ quan BHXH (người bệnh "
        "đã vào danh sách đối soát).",
    ),
    "061": CodeRule(
        INVALID,
        "Họ tên không khớp với họ tên trên thẻ BHYT (chỉ đúng chữ cái đầu).",
        "Đối chiếu họ tên trên CCCD và trên thẻ BHYT. Nếu nhập sai thì sửa và kiểm tra lại; "
        "nếu dữ liệu BHXH sai thì hướng dẫn người bệnh điều chỉnh với cơ quan BHXH (người bệnh "
        "đã vào danh sách đối soát).",
    ),
    "070": CodeRule(
        INVALID,
        "Ngày sinh không khớp với ngày sinh trên thẻ BHYT.",
        "Đối chiếu ngày sinh trên CCCD và trên thẻ BHYT. Nếu nhập sai thì sửa và kiểm tra lại; "
        "nếu dữ liệu BHXH sai thì hướng dẫn người bệnh điều chỉnh với cơ quan BHXH (người bệnh "
        "đã vào danh sách đối soát).",
    ),
    "100": CodeRule(
        UNVERIFIED, "Cổng BHXH bị lỗi khi đọc dữ liệu thẻ, chưa có kết quả.", _RETRY, final=False
    ),
    "101": CodeRule(
        UNVERIFIED, "Máy chủ Cổng BHXH đang lỗi, chưa kiểm tra được thẻ.", _RETRY, final=False
    ),
    "110": CodeRule(INVALID, "Thẻ BHYT đã bị thu hồi.", _SELF_PAY),
    "120": CodeRule(INVALID, "Thẻ BHYT đã bị báo giảm (không còn giá trị sử dụng).", _SELF_PAY),
    "121": CodeRule(
        INVALID,
        "Thẻ BHYT đã bị báo giảm do người tham gia chuyển sang tỉnh khác.",
        "Hỏi người bệnh thẻ BHYT mới (cấp ở tỉnh mới) và kiểm tra lại bằng mã thẻ đó. " + _SELF_PAY,
    ),
    "122": CodeRule(
        INVALID,
        "Thẻ BHYT đã bị báo giảm do người tham gia chuyển nơi tham gia trong tỉnh.",
        "Hỏi người bệnh thẻ BHYT mới và kiểm tra lại bằng mã thẻ đó. " + _SELF_PAY,
    ),
    "123": CodeRule(
        INVALID,
        "Thẻ BHYT đã bị báo giảm và được tăng lại tại cùng đơn vị (đã có thẻ khác).",
        "Hỏi người bệnh thẻ BHYT mới và kiểm tra lại bằng mã thẻ đó. " + _SELF_PAY,
    ),
    "124": CodeRule(
        INVALID, "Thẻ BHYT đã bị báo giảm do người tham gia ngừng tham gia BHYT.", _SELF_PAY
    ),
    "130": CodeRule(
        INVALID,
        "Trẻ em chưa xuất trình thẻ BHYT.",
        "Với trẻ dưới 6 tuổi chưa có thẻ: dùng giấy khai sinh/giấy chứng sinh và mã thẻ tạm "
        "theo hướng dẫn của BHXH, rồi kiểm tra lại; nếu không có thì tiếp đón theo diện tự "
        "chi trả.",
    ),
    # 205: the request itself was refused. Name, DOB and card are validated before sending, so in
    # practice it is the lookup officer's name or CCCD that is missing or malformed (an account
    # with no CCCD): a configuration error, never a card problem; re-checked once it is fixed.
    "205": CodeRule(
        UNVERIFIED,
        _CONFIG_REASON,
        _IT + "Cổng BHXH báo yêu cầu tra cứu sai định dạng tham số (mã {code}), thường do họ tên "
        "hoặc số CCCD của cán bộ tra cứu bị thiếu hoặc sai. Xem trang «Kiểm tra cấu hình». "
        + _RETRY,
        final=False,
    ),
    "401": CodeRule(
        UNVERIFIED,
        "Chưa kiểm tra được thẻ BHYT: Cổng BHXH từ chối tài khoản của cơ sở.",
        _IT + "tài khoản hoặc mật khẩu Cổng BHXH của cơ sở không đúng hoặc đã bị khóa. " + _RETRY,
        final=False,
    ),
    "500": CodeRule(
        UNVERIFIED, "Máy chủ Cổng BHXH đang lỗi, chưa kiểm tra được thẻ.", _RETRY, final=False
    ),
}

# Lookup by personal ID number (maThe = 12-digit ID): answers that mean something else.
BY_ID_RULES: dict[str, CodeRule] = {
    "050": CodeRule(
        NO_CARD,
        "Cổng BHXH không có thông tin thẻ BHYT của người này.",
        "Hỏi người bệnh có thẻ BHYT (thẻ giấy hoặc trên VssID/VNeID) không: nếu có thì kiểm "
        "tra lại bằng mã thẻ; nếu không thì tiếp đón theo diện tự chi trả (viện phí).",
    ),
    # A portal that does not accept an ID number in maThe (open point: docs/eligibility.md, "Lookup by personal ID number").
    "051": CodeRule(
        UNVERIFIED,
        "Cổng BHXH không tra cứu được thẻ BHYT theo số định danh cá nhân.",
        "Hỏi người bệnh mã thẻ BHYT (trên thẻ giấy hoặc ứng dụng VssID/VNeID) và kiểm tra lại "
        "bằng mã thẻ.",
    ),
    "205": CodeRule(
        UNVERIFIED,
        "Cổng BHXH không tra cứu được thẻ BHYT theo số định danh cá nhân.",
        "Hỏi người bệnh mã thẻ BHYT (trên thẻ giấy hoặc ứng dụng VssID/VNeID) và kiểm tra lại "
        "bằng mã thẻ.",
    ),
}

NO_DOCUMENT = CodeRule(
    NO_CARD,
    "Người bệnh không xuất trình thẻ BHYT và không có CCCD gắn chip/số định danh cá nhân.",
    "Hỏi người bệnh mã thẻ BHYT hoặc số định danh cá nhân để kiểm tra; nếu không có thì tiếp "
    "đón theo diện tự chi trả (viện phí).",
)

UNKNOWN_CODE = CodeRule(
    UNVERIFIED,
    "Cổng BHXH trả mã kết quả chưa biết ({code}), chưa xác định được thẻ.",
    _IT + "Cổng BHXH trả mã {code} mà kcb06 chưa biết. " + _RETRY,
    final=False,
)

FAILURES: dict[str, CodeRule] = {
    "timeout": CodeRule(
        UNVERIFIED, "Cổng BHXH không trả lời kịp, chưa kiểm tra được thẻ.", _RETRY, final=False
    ),
    "connect": CodeRule(
        UNVERIFIED, "Không kết nối được Cổng BHXH, chưa kiểm tra được thẻ.", _RETRY, final=False
    ),
    "http_error": CodeRule(
        UNVERIFIED, "Cổng BHXH đang lỗi, chưa kiểm tra được thẻ.", _RETRY, final=False
    ),
    "rate_limited": CodeRule(
        UNVERIFIED, "Cổng BHXH đang quá tải, chưa kiểm tra được thẻ.", _RETRY, final=False
    ),
    "malformed": CodeRule(
        UNVERIFIED,
        "Cổng BHXH trả dữ liệu không đọc được, chưa kiểm tra được thẻ.",
        _RETRY,
        final=False,
    ),
    "wrapped_error": CodeRule(
        UNVERIFIED,
        "Cổng BHXH báo thành công nhưng không có kết quả thẻ, chưa kiểm tra được thẻ.",
        _RETRY,
        final=False,
    ),
    "breaker_open": CodeRule(
        UNVERIFIED,
        "Cổng BHXH đang gián đoạn, chưa kiểm tra được thẻ.",
        _RETRY,
        final=False,
    ),
    "auth": CodeRule(
        UNVERIFIED,
        "Chưa kiểm tra được thẻ BHYT: Cổng BHXH từ chối tài khoản của cơ sở.",
        _IT + "tài khoản hoặc mật khẩu Cổng BHXH của cơ sở không đúng. " + _RETRY,
        final=False,
    ),
    "not_configured": CodeRule(
        UNVERIFIED,
        "Chưa kiểm tra được thẻ BHYT: cơ sở chưa cấu hình tài khoản Cổng BHXH.",
        _IT + "cần đặt tên đăng nhập Cổng BHXH của cơ sở và biến môi trường "
        "KCB06_PORTAL_PASSWORD. " + _RETRY,
        final=False,
    ),
}


# The lookup officer the check would run under is unusable: found before asking the portal
# (which would answer 205 or 054), so the patient is never told anything about the card.
# Re-checked: the pending check resolves once the facility admin fixes the set-up.
OFFICER_PROBLEMS: dict[str, CodeRule] = {
    "no_lookup_officer": CodeRule(
        UNVERIFIED,
        _CONFIG_REASON,
        _IT + "ki-ốt tra cứu thẻ dưới tên cán bộ tra cứu của cơ sở, nhưng cơ sở chưa chỉ định "
        "cán bộ nào (Quản trị → Cơ sở y tế → «Cán bộ tra cứu thẻ BHYT của ki-ốt»)."
        + _SETUP_PAGE
        + _RETRY,
        final=False,
    ),
    "officer_no_id_number": CodeRule(
        UNVERIFIED,
        _CONFIG_REASON,
        _IT + "cán bộ tra cứu (tài khoản đang tra cứu, hoặc cán bộ tra cứu của ki-ốt) chưa có "
        "số CCCD 12 số trong hồ sơ nhân viên; Cổng BHXH sẽ từ chối (mã 205)."
        + _SETUP_PAGE
        + _RETRY,
        final=False,
    ),
    "officer_inactive": CodeRule(
        UNVERIFIED,
        _CONFIG_REASON,
        _IT
        + "tài khoản của cán bộ tra cứu thẻ cho ki-ốt đã bị khóa; hãy chỉ định cán bộ khác."
        + _SETUP_PAGE
        + _RETRY,
        final=False,
    ),
}


def rule_for(code: str, *, by_id: bool) -> CodeRule:
    if by_id and code in BY_ID_RULES:
        return BY_ID_RULES[code]
    return RULES.get(code, UNKNOWN_CODE)
