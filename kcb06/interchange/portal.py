"""Submission to the BHXH portal (docs/interchange.md, "Delivery"): check-in (XML0,
loaiHoSo=0) and claim files (GIAMDINHHS, loaiHoSo=130) through the one BHXH portal client
(kcb06.bhxh: token, deadline, circuit breaker, endpoints), which eligibility uses too.

This module decides what interchange sends — the facility's account, its province code maTinh
(Facility.portal_province_code, docs/interchange.md "maTinh") and the endpoint, which is the
one of the regulation version the file was built under (OutboxItem.version: a 2024 visit
re-sent today still goes to the QĐ 4750 endpoint) — and what the answer codes mean to staff.
"""

import time

from django.conf import settings

from kcb06.bhxh import client, files
from kcb06.bhxh.files import Answer, TransientError
from kcb06.interchange.core.versions import Version

__all__ = ["Answer", "TransientError", "account", "meaning", "submit"]

RESULT_MEANINGS = {
    "200": "Cổng đã tiếp nhận hồ sơ.",
    "401": "Chưa xác thực: token hoặc tài khoản cổng không hợp lệ.",
    "403": "Không có quyền gửi dữ liệu cho cơ sở này.",
    "123": "Hồ sơ chưa được ký số.",
    "125": "Chữ ký số không hợp lệ: hồ sơ có thể đã bị sửa sau khi ký, hoặc chứng thư chưa đăng ký.",
    "400": "Hồ sơ không đúng cấu trúc/quy tắc của quy định (xem thông điệp).",
    # portalsim's code for an older version than the one it holds (the real portal's
    # behaviour is not published; docs/portalsim.md).
    "409": "Cổng đang giữ phiên bản mới hơn của hồ sơ này: bản cũ không thay thế được. Gửi lại "
    "vào ngày hôm sau (ký lại với ngày lập mới) nếu đây đúng là bản cần giữ.",
}


def meaning(code: str) -> str:
    return RESULT_MEANINGS.get(code, f"Cổng trả mã {code}.")


def account(facility) -> client.Account:
    return client.facility_account(facility)


def submit(facility, kind: str, signed: bytes, version: Version) -> Answer:
    """POST one signed file to its version's endpoint; TransientError for what is worth
    retrying."""
    path = version.checkin_path if kind == "checkin" else version.claim_path
    return files.submit(
        account(facility),
        kind=kind,
        path=path,
        ma_tinh=facility.portal_province_code,
        signed=signed,
        deadline=time.monotonic() + settings.KCB06_XML_TIMEOUT,
    )
