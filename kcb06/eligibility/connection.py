"""The facility admin's "test the portal connection": a fresh login with the facility's account,
then one card check as the facility's lookup officer, each step told in plain Vietnamese.

The card check asks about a card number that belongs to nobody (`PROBE_CARD`), so no citizen's
data is read and nothing is stored: the portal checks the account, the request's format and the
officer (205, 054, 055) before it looks for the card, so any card answer ("no card with this
number", 050) proves that real checks will be answered.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.conf import settings

from kcb06.bhxh import client as portal
from kcb06.eligibility import officers
from kcb06.eligibility.services import facility_account, require_facility

PROBE_NAME = "KIEM TRA KET NOI"
PROBE_DOB = "01/01/2000"

# Answers that mean the set-up, not the card, is wrong: what the admin must fix.
SETUP_ANSWERS = {
    "054": "Cổng BHXH không nhận số CCCD của cán bộ tra cứu (chưa có trong danh sách cán bộ tra "
    "cứu đã đăng ký với BHXH, mẫu 01/dk-ctn).",
    "055": "Họ tên cán bộ tra cứu không khớp với số CCCD đã đăng ký với BHXH.",
    "205": "Cổng BHXH báo sai định dạng tham số (họ tên hoặc số CCCD của cán bộ tra cứu).",
    "401": "Cổng BHXH từ chối tài khoản hoặc mật khẩu của cơ sở.",
}
FAILURE_TEXT = {
    "not_configured": "Chưa cấu hình: thiếu địa chỉ Cổng BHXH (KCB06_PORTAL_URL), tên đăng nhập "
    "hoặc mật khẩu (biến môi trường KCB06_PORTAL_PASSWORD).",
    "auth": "Cổng BHXH từ chối tài khoản hoặc mật khẩu của cơ sở.",
    "timeout": "Cổng BHXH không trả lời kịp.",
    "connect": "Không kết nối được Cổng BHXH.",
    "breaker_open": "Cổng BHXH đang gián đoạn (nhiều lần lỗi liên tiếp); thử lại sau ít phút.",
}


@dataclass
class Step:
    name: str
    ok: bool
    message_vi: str


@dataclass
class ConnectionReport:
    steps: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(s.ok for s in self.steps)


def probe_card(facility_code: str) -> str:
    """A well-formed BHYT number (object GD, level 4, the facility's province) held by nobody."""
    return f"GD4{facility_code[:2]}9999999999"


def _failure(exc: portal.PortalError) -> str:
    return FAILURE_TEXT.get(exc.kind, "Cổng BHXH trả lời không đọc được (" + exc.kind + ").")


def check_portal_connection(principal) -> ConnectionReport:
    """Token, then one lookup as the facility's designated lookup officer."""
    principal.require_role("facility_admin")
    facility = require_facility(principal)
    report = ConnectionReport()
    officer = officers.designated_officer(facility)
    if isinstance(officer, officers.OfficerProblem):
        report.steps.append(Step("officer", False, officer.message_vi))
        officer = officers.Officer("", "")
    else:
        report.steps.append(Step("officer", True, f"Cán bộ tra cứu: {officer.full_name}."))
    account = facility_account(facility, officer)
    deadline = time.monotonic() + settings.KCB06_PORTAL_TIMEOUT
    try:
        portal.take_token(account, deadline)
    except portal.PortalError as exc:
        report.steps.append(Step("token", False, _failure(exc)))
        return report
    report.steps.append(
        Step("token", True, f"Đăng nhập Cổng BHXH được với tài khoản {account.username}.")
    )
    if not officer.id_number:
        return report
    deadline = time.monotonic() + settings.KCB06_PORTAL_TIMEOUT
    try:
        answer = portal.check_card(
            account,
            ma_the=probe_card(facility.code),
            full_name=PROBE_NAME,
            dob_text=PROBE_DOB,
            deadline=deadline,
        )
    except portal.PortalError as exc:
        report.steps.append(Step("lookup", False, _failure(exc)))
        return report
    if answer.code in SETUP_ANSWERS:
        text = SETUP_ANSWERS[answer.code]
        report.steps.append(Step("lookup", False, f"{text} (mã {answer.code})"))
    elif answer.code in portal.SERVER_FAILURE_CODES or answer.code == "100":
        report.steps.append(
            Step("lookup", False, f"Máy chủ Cổng BHXH đang lỗi (mã {answer.code}).")
        )
    else:
        report.steps.append(
            Step(
                "lookup",
                True,
                f"Tra cứu thử được Cổng BHXH trả lời (mã {answer.code}): cán bộ tra cứu hợp lệ.",
            )
        )
    return report
