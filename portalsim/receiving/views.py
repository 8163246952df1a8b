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
import contextlib
import secrets
import threading
from zoneinfo import ZoneInfo

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.db import IntegrityError, connection, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kcb06.interchange import package
from portalsim.core import faults
from portalsim.core.views import account_for_token, fault_response
from portalsim.receiving.models import Submission

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _answer(code: str, message: str, **extra) -> JsonResponse:
    now = timezone.now().astimezone(VN).strftime("%Y%m%d%H%M%S")
    body = {"maKetQua": code, "maGiaoDich": "", "thoiGianTiepNhan": now, "thongDiep": message}
    body.update(extra)
    return JsonResponse(body)


def _is_registered(facility_code: str, cert: x509.Certificate) -> bool:
    """Is this certificate on the facility's registered list? Asked of the database on every
    file (by fingerprint, one indexed lookup), so a certificate registered or cleared through
    the control endpoint counts at once in every server process."""
    fingerprint = cert.fingerprint(hashes.SHA256()).hex()
    with connection.cursor() as cur:
        cur.execute(CERT_SQL, [facility_code, fingerprint])
        return cur.fetchone() is not None


# The hot path's statements, on the models' tables (app label "portalsim_receiving").
CERT_SQL = (
    "SELECT 1 FROM portalsim_receiving_registeredcertificate "
    "WHERE facility_code = %s AND fingerprint = %s"
)
SAME_SQL = (
    "SELECT id, current, transaction_id FROM portalsim_receiving_submission "
    "WHERE kind = %s AND ma_lk = %s AND content_hash = %s"
)
REPEAT_SQL = "UPDATE portalsim_receiving_submission SET repeats = repeats + 1 WHERE id = %s"
UNSET_CURRENT_SQL = (
    "UPDATE portalsim_receiving_submission SET current = %s "
    "WHERE kind = %s AND ma_lk = %s AND current = %s"
)
SET_CURRENT_SQL = (
    "UPDATE portalsim_receiving_submission SET current = %s, repeats = repeats + 1 WHERE id = %s"
)
INSERT_SQL = (
    "INSERT INTO portalsim_receiving_submission (kind, facility_code, ma_lk, content_hash, "
    "transaction_id, received_at, current, repeats, size) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)

# SQLite has one writer: the threads of this process take turns on a lock instead of meeting
# in SQLite's busy handler, which sleeps up to 100 ms between tries.
_sqlite_writer = threading.Lock()


def _store(kind: str, facility: str, ma_lk: str, digest: str, size: int) -> tuple[str, str]:
    """Record an accepted file: (thongDiep, maGiaoDich). Same MA_LK + same content as the
    current version -> acknowledged again with the first maGiaoDich (repeats + 1); an earlier
    version sent again -> it becomes current again; new content -> a new current version, the
    older one marked replaced. A few plain statements in one transaction."""
    sqlite = connection.vendor == "sqlite"
    lock = _sqlite_writer if sqlite else contextlib.nullcontext()
    with lock, transaction.atomic(), connection.cursor() as cur:
        cur.execute(SAME_SQL if sqlite else SAME_SQL + " FOR UPDATE", [kind, ma_lk, digest])
        same = cur.fetchone()
        if same is not None and same[1]:
            cur.execute(REPEAT_SQL, [same[0]])
            return "Hồ sơ đã được tiếp nhận trước đó", same[2]
        cur.execute(UNSET_CURRENT_SQL, [False, kind, ma_lk, True])
        replaced = cur.rowcount
        if same is not None:  # an earlier version sent again: it replaces the current one
            cur.execute(SET_CURRENT_SQL, [True, same[0]])
            return "Tiếp nhận hồ sơ thay thế thành công", same[2]
        transaction_id = secrets.token_hex(12).upper()
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        try:
            # PostgreSQL: a concurrent request may insert the same content first (no row to
            # lock above); the savepoint keeps the transaction usable. SQLite: writers queue.
            with transaction.atomic(savepoint=not sqlite):
                cur.execute(
                    INSERT_SQL,
                    [kind, facility, ma_lk, digest, transaction_id, now, True, 0, size],
                )
        except IntegrityError:
            transaction_id = Submission.objects.get(
                kind=kind, ma_lk=ma_lk, content_hash=digest
            ).transaction_id
    message = "Tiếp nhận hồ sơ thay thế thành công" if replaced else "Tiếp nhận thành công"
    return message, transaction_id


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
        if not _is_registered(facility, embedded):
            return _answer("125", "Chữ ký số không hợp lệ: chứng thư chưa đăng ký cho cơ sở này")
        registered = embedded
    report = package.check_file(data, registered, root)
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
    message, transaction_id = _store(kind, facility, report["ma_lk"], digest, len(data))
    return _answer("200", message, maGiaoDich=transaction_id)


@csrf_exempt
@require_POST
def checkin(request):
    return _receive(request, "checkin", "0")


@csrf_exempt
@require_POST
def claim(request):
    return _receive(request, "claim", "130")
