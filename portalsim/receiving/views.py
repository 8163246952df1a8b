"""Receiving side of the simulated portal: check-in (XML0) and claim files (GIAMDINHHS),
SPECS §3.6 / CV 1245.

Order of checks: fault injection -> token (401) -> account vs maCSKCB (403) -> form fields and
base64/XML (400) -> signature: empty CHUKYDONVI (123), invalid or not by the facility's
registered certificate (125) -> XSD per table and the cross-table rules (400, errors listed in
thongDiep and dsLoi) -> duplicate handling -> 200 with maGiaoDich and thoiGianTiepNhan.
Validation uses kcb06's own XSD files and rules (the same files kcb06 validates with). Code 400
for validation errors is portalsim's choice: the real portal's code list for them was not found.
"""

import base64
import binascii
import secrets
from zoneinfo import ZoneInfo

from cryptography import x509
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kcb06.interchange import package
from portalsim.core import faults
from portalsim.core.views import account_for_token, fault_response
from portalsim.receiving.models import RegisteredCertificate, Submission

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _answer(code: str, message: str, **extra) -> JsonResponse:
    now = timezone.now().astimezone(VN).strftime("%Y%m%d%H%M%S")
    body = {"maKetQua": code, "maGiaoDich": "", "thoiGianTiepNhan": now, "thongDiep": message}
    body.update(extra)
    return JsonResponse(body)


def _certificates(facility_code: str) -> list[x509.Certificate]:
    return [
        x509.load_pem_x509_certificate(c.pem.encode())
        for c in RegisteredCertificate.objects.filter(facility_code=facility_code)
    ]


def _receive(request, kind: str, loai: str):
    endpoint = f"xml_{kind}"
    faults.count_call(endpoint)
    fault = faults.take(endpoint, request.POST.get("maCSKCB"))
    if fault is not None:
        faults.sleep_for(fault)
        broken = fault_response(fault)
        if broken is not None:
            return broken
    account = account_for_token(
        request.headers.get("accessToken", ""), request.headers.get("tokenId", "")
    )
    if account is None or request.POST.get("username") != account.username:
        return _answer("401", "Lỗi xác thực: token không hợp lệ hoặc đã hết hạn")
    if request.headers.get("passwordHash", "").upper() != account.password_md5:
        return _answer("401", "Lỗi xác thực: passwordHash không đúng")
    facility = request.POST.get("maCSKCB", "")
    if facility != account.facility_code:
        return _answer("403", "Tài khoản không có quyền gửi dữ liệu cho cơ sở này")
    if request.POST.get("loaiHoSo") != loai or request.POST.get("maTinh") != facility[:2]:
        return _answer("400", "Sai tham số loaiHoSo hoặc maTinh")
    try:
        data = base64.b64decode(request.POST.get("fileHSBase64", ""), validate=True)
    except (binascii.Error, ValueError):
        return _answer("400", "fileHSBase64 không phải chuỗi base64")
    # The signature is checked once, against the registered certificate the file names.
    try:
        root = package.envelope.parse(data)
        embedded = package.signing.embedded_certificate(root)
    except (package.envelope.EnvelopeError, ValueError):
        root, embedded = None, None
    registered = None
    if embedded is not None:
        registered = next((c for c in _certificates(facility) if c == embedded), None)
        if registered is None:
            return _answer("125", "Chữ ký số không hợp lệ: chứng thư chưa đăng ký cho cơ sở này")
    report = package.check_file(data, registered)
    if report["signature"] == "unsigned":
        return _answer("123", "Hồ sơ chưa được ký số")
    if report["signature"] == "invalid" and root is not None:
        return _answer("125", "Chữ ký số không hợp lệ: hồ sơ có thể đã bị sửa sau khi ký")
    if report["kind"] != kind:
        return _answer("400", "Loại hồ sơ không đúng điểm nhận")
    if report["errors"]:
        errors = report["errors"]
        text = "; ".join(f"{e['table']}.{e['field']}: {e['message_vi']}" for e in errors[:20])
        return _answer("400", f"Hồ sơ không hợp lệ: {text}", dsLoi=errors[:50])
    if report["ma_cskcb"] != facility:
        return _answer("400", "MA_CSKCB trong hồ sơ khác maCSKCB")
    digest = package.content_hash(report["tables"])
    ma_lk = report["ma_lk"]
    with transaction.atomic():
        same = (
            Submission.objects.select_for_update()
            .filter(kind=kind, ma_lk=ma_lk, content_hash=digest)
            .first()
        )
        if same is not None and same.current:
            same.repeats += 1
            same.save(update_fields=["repeats"])
            return _answer(
                "200", "Hồ sơ đã được tiếp nhận trước đó", maGiaoDich=same.transaction_id
            )
        if same is not None:  # an earlier version sent again: it replaces the current one
            Submission.objects.filter(kind=kind, ma_lk=ma_lk, current=True).update(current=False)
            same.current = True
            same.repeats += 1
            same.save(update_fields=["current", "repeats"])
            return _answer(
                "200", "Tiếp nhận hồ sơ thay thế thành công", maGiaoDich=same.transaction_id
            )
        replaced = Submission.objects.filter(kind=kind, ma_lk=ma_lk, current=True).update(
            current=False
        )
        try:
            with transaction.atomic():
                sub = Submission.objects.create(
                    kind=kind,
                    facility_code=facility,
                    ma_lk=ma_lk,
                    content_hash=digest,
                    transaction_id=secrets.token_hex(12).upper(),
                    size=len(data),
                )
        except IntegrityError:
            sub = Submission.objects.get(kind=kind, ma_lk=ma_lk, content_hash=digest)
    message = "Tiếp nhận hồ sơ thay thế thành công" if replaced else "Tiếp nhận thành công"
    return _answer("200", message, maGiaoDich=sub.transaction_id)


@csrf_exempt
@require_POST
def checkin(request):
    return _receive(request, "checkin", "0")


@csrf_exempt
@require_POST
def claim(request):
    return _receive(request, "claim", "130")
