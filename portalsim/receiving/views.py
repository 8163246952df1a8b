"""Receiving side of the simulated portal: check-in (XML0) and claim files (GIAMDINHHS),
CV 1245 (docs/specs/portal-api.md#submitting-files).

Order of checks: fault injection -> token and passwordHash, which must be the upper-case MD5
(401) -> account vs maCSKCB (403) -> form fields and base64 (400) -> checks.examine: markup
(DOCTYPE, comments, processing instructions, entities: 400), kind (400), empty CHUKYDONVI
(123), signature structure, algorithms and value (125), certificate registered for maCSKCB,
its key usage and its validity on the signing day (125), the regulation version (the
endpoint's, amended as on the visit's NGAY_VAO; a visit of the other regulation: 400), XSD per
table of that version and portalsim's own content rules (400, errors in thongDiep and dsLoi) ->
versions of the visit's file -> 200 with maGiaoDich and thoiGianTiepNhan. Every refusal
carries maLyDo, the reason as a code (portalsim's addition). All of it is portalsim's own code
(checks.py, versions.py): nothing is imported from kcb06. Code 400 for validation errors and a
visit of the other regulation, and 409 for an older version, are portalsim's choices: the real
portal's codes for them are not published.
"""

import base64
import binascii
import contextlib
import logging
import secrets
import threading
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portalsim.core.views import account_for_token, injected_fault, password_matches
from portalsim.receiving import checks
from portalsim.receiving.models import Submission
from portalsim.receiving.provinces import province_of

VN = ZoneInfo("Asia/Ho_Chi_Minh")
log = logging.getLogger("portalsim.receiving")


def _answer(code: str, message: str, reason: str = "", **extra) -> JsonResponse:
    now = timezone.now().astimezone(VN).strftime("%Y%m%d%H%M%S")
    body = {
        "maKetQua": code,
        "maGiaoDich": "",
        "thoiGianTiepNhan": now,
        "thongDiep": message,
        "maLyDo": reason,
    }
    body.update(extra)
    return JsonResponse(body)


def _is_registered(facility_code: str, fingerprint: str) -> bool:
    """Is this certificate on the facility's registered list? Asked of the database on every
    file (by fingerprint, one indexed lookup), so a certificate registered or cleared through
    the control endpoint counts at once in every server process."""
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
CURRENT_SQL = (
    "SELECT id, signed_at FROM portalsim_receiving_submission "
    "WHERE kind = %s AND ma_lk = %s AND current = %s"
)
REPEAT_SQL = "UPDATE portalsim_receiving_submission SET repeats = repeats + 1 WHERE id = %s"
UNSET_CURRENT_SQL = (
    "UPDATE portalsim_receiving_submission SET current = %s "
    "WHERE kind = %s AND ma_lk = %s AND current = %s"
)
SET_CURRENT_SQL = (
    "UPDATE portalsim_receiving_submission SET current = %s, signed_at = %s, "
    "repeats = repeats + 1 WHERE id = %s"
)
INSERT_SQL = (
    "INSERT INTO portalsim_receiving_submission (kind, facility_code, ma_lk, content_hash, "
    "transaction_id, received_at, current, repeats, size, signed_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
OLDER = (
    "Hồ sơ cũ hơn phiên bản cổng đang giữ cho MA_LK này (ngày lập sớm hơn, hoặc nội dung "
    "trước đây đã được thay thế): không thay thế"
)

# SQLite has one writer: the threads of this process take turns on a lock instead of meeting
# in SQLite's busy handler, which sleeps up to 100 ms between tries.
_sqlite_writer = threading.Lock()


def _store(got: checks.Received, size: int) -> tuple[str, str, str]:
    """Record an accepted file: (maKetQua, thongDiep, maGiaoDich).

    Same MA_LK + same content as the current version -> acknowledged again with the first
    maGiaoDich (repeats + 1), whatever its signing day (the same tables signed again). Older
    than the current version -> refused, 409: its signing day (NGAYLAP, or a check-in's latest
    time) is earlier, or it is the same day and its content is one the current version already
    replaced (a late copy of the earlier file cannot be told from a deliberate return to it on
    the same day; on a later day the return is newer and replaces). Otherwise it is newer: it
    becomes the current version and the older one is marked replaced. A few plain statements
    in one transaction."""
    kind, ma_lk, digest = got.kind, got.ma_lk, got.content_hash
    sqlite = connection.vendor == "sqlite"
    lock = _sqlite_writer if sqlite else contextlib.nullcontext()
    lock_rows = "" if sqlite else " FOR UPDATE"
    with lock, transaction.atomic(), connection.cursor() as cur:
        cur.execute(CURRENT_SQL + lock_rows, [kind, ma_lk, True])
        current = cur.fetchone()
        cur.execute(SAME_SQL + lock_rows, [kind, ma_lk, digest])
        same = cur.fetchone()
        if same is not None and same[1]:
            cur.execute(REPEAT_SQL, [same[0]])
            return "200", "Hồ sơ đã được tiếp nhận trước đó", same[2]
        if current is not None and (
            got.signed_at < current[1] or (got.signed_at == current[1] and same is not None)
        ):
            return "409", OLDER, ""
        cur.execute(UNSET_CURRENT_SQL, [False, kind, ma_lk, True])
        replaced = cur.rowcount
        if same is not None:  # earlier content, signed again on a later day: newer
            cur.execute(SET_CURRENT_SQL, [True, got.signed_at, same[0]])
            return "200", "Tiếp nhận hồ sơ thay thế thành công", same[2]
        transaction_id = secrets.token_hex(12).upper()
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        try:
            # PostgreSQL: a concurrent request may insert the same content first (no row to
            # lock above); the savepoint keeps the transaction usable. SQLite: writers queue.
            with transaction.atomic(savepoint=not sqlite):
                cur.execute(
                    INSERT_SQL,
                    [
                        kind,
                        got.ma_cskcb,
                        ma_lk,
                        digest,
                        transaction_id,
                        now,
                        True,
                        0,
                        size,
                        got.signed_at,
                    ],
                )
        except IntegrityError:
            transaction_id = Submission.objects.get(
                kind=kind, ma_lk=ma_lk, content_hash=digest
            ).transaction_id
    message = "Tiếp nhận hồ sơ thay thế thành công" if replaced else "Tiếp nhận thành công"
    return "200", message, transaction_id


def _receive(request, kind: str, loai: str, regulation: str):
    if (broken := injected_fault(f"xml_{kind}", request.POST.get("maCSKCB"))) is not None:
        return broken
    account = account_for_token(
        request.headers.get("accessToken", ""), request.headers.get("tokenId", "")
    )
    if account is None or request.POST.get("username") != account.username:
        return _answer("401", "Lỗi xác thực: token không hợp lệ hoặc đã hết hạn", "token")
    if not password_matches(account, request.headers.get("passwordHash", "")):
        return _answer(
            "401", "Lỗi xác thực: passwordHash phải là MD5 chữ in hoa của mật khẩu", "password"
        )
    facility = request.POST.get("maCSKCB", "")
    if facility != account.facility_code:
        return _answer("403", "Tài khoản không có quyền gửi dữ liệu cho cơ sở này", "facility")
    if request.POST.get("loaiHoSo") != loai:
        return _answer("400", "Sai tham số loaiHoSo", "parameters")
    if request.POST.get("maTinh") != province_of(facility):
        return _answer(
            "400",
            f"Sai tham số maTinh: cơ sở {facility} thuộc tỉnh {province_of(facility) or '?'} "
            "(mã tỉnh từ 01/07/2025)",
            "parameters",
        )
    try:
        data = base64.b64decode(request.POST.get("fileHSBase64", ""), validate=True)
    except (binascii.Error, ValueError):
        return _answer("400", "fileHSBase64 không phải chuỗi base64", "not_base64")
    try:
        got = checks.examine(data, kind, facility, _is_registered, regulation)
    except checks.Refusal as refusal:
        extra = {"dsLoi": refusal.errors} if refusal.errors else {}
        return _answer(refusal.code, refusal.message, refusal.reason, **extra)
    except Exception:  # noqa: BLE001 - hostile input must get an answer, not HTTP 500
        log.exception("receiving: file could not be checked")
        return _answer("400", "Hồ sơ không đọc được", "unreadable")
    code, message, transaction_id = _store(got, len(data))
    if code != "200":
        return _answer(code, message, "older_version")
    return _answer("200", message, "", maGiaoDich=transaction_id)


@csrf_exempt
@require_POST
def checkin(request, regulation: str):
    return _receive(request, "checkin", "0", regulation)


@csrf_exempt
@require_POST
def claim(request, regulation: str):
    return _receive(request, "claim", "130", regulation)
