"""The JSON API (django-ninja) at /api/v1/, documented at /api/v1/docs.

Callers authenticate with a per-facility API key (`Authorization: Bearer KEY`) or, from kcb06's
own pages, with the session (CSRF-checked). Every error answers
{"error": {"code", "message_vi", "message_en"}} — never a stack trace.
"""

import json
import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DatabaseError, DataError, InterfaceError, OperationalError, connection
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer

from kcb06 import limits, requestbody
from kcb06.apischema import STATUS_TEXT, ErrorOut
from kcb06.errors import DomainError
from kcb06.facilities.services import authenticate_api_key, principal_for_user

log = logging.getLogger(__name__)


class BearerKey(HttpBearer):
    def authenticate(self, request, token):
        principal = authenticate_api_key(token, ip=request.META.get("REMOTE_ADDR"))
        request.principal = principal
        return principal


class SessionStaff(APIKeyCookie):
    """Session cookie of a logged-in staff member (CSRF enforced for unsafe methods).

    A caller with no logged-in session has nothing a forged request could use, so the CSRF
    check is skipped and the call ends as 401 unauthorized, as documented, instead of a 403
    "CSRF check Failed". A logged-in page that lost its token gets 403 csrf_failed."""

    param_name = "sessionid"

    def _get_key(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        try:
            return super()._get_key(request)
        except HttpError:
            raise DomainError(
                "csrf_failed",
                "Phiên làm việc đã hết hạn hoặc trang đã mở quá lâu: hãy tải lại trang và thử lại.",
                "CSRF check failed: reload the page (or send the X-CSRFToken header).",
                status=403,
            ) from None

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        principal = principal_for_user(user, via="session", ip=request.META.get("REMOTE_ADDR"))
        if principal.profile is None:
            return None
        request.principal = principal
        return principal


def _without_nul(value):
    """The same JSON value with U+0000 removed from every string (keys too)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


class StrictJsonParser(Parser):
    """JSON bodies as the API accepts them: valid UTF-8 JSON whose strings are real text.

    json.loads lets "\\ud800" (half of a surrogate pair) through as a string no database or
    XML file can hold: refused with 400 invalid_json, like malformed JSON. "\\u0000" is
    removed from every string (PostgreSQL text cannot hold it; it is never meaningful)."""

    def parse_body(self, request):
        data = json.loads(request.body)
        text = json.dumps(data, ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise DomainError(
                "invalid_json",
                "Dữ liệu JSON có ký tự Unicode không hợp lệ (nửa cặp surrogate).",
                "The JSON holds invalid Unicode (a lone surrogate).",
            ) from None
        return _without_nul(data) if "\\u0000" in text else data


class KcbNinjaAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Each error response described in both languages (kcb06.apischema.STATUS_TEXT)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                for code, response in operation.get("responses", {}).items():
                    text = STATUS_TEXT.get(int(code))
                    if text:
                        response["description"] = text
        return schema


api = KcbNinjaAPI(
    title="kcb06 API",
    version="1",
    description=(
        "Tiếp đón bằng CCCD, kiểm tra thẻ BHYT, sổ sức khỏe điện tử, liên thông XML 4750. "
        "/ Check-in by chip ID card, BHYT eligibility, electronic health book, XML 4750 "
        "interchange.\n\nLỗi luôn có dạng / every error is "
        '`{"error": {"code", "message_vi", "message_en"}}`. Giới hạn / limits: '
        f"body ≤ {requestbody.human_size(limits.MAX_API_BODY_BYTES)} (413), "
        f"ids 1…2^63−1, patient search ≤ {limits.SEARCH_MAX_WORDS} words / "
        f"{limits.SEARCH_MAX_CHARS} characters (docs/api.md)."
    ),
    auth=[BearerKey(), SessionStaff(csrf=True)],
    parser=StrictJsonParser(),
    urls_namespace="api",
    docs_url="/docs",
)


def error_response(request, status: int, code: str, message_vi: str, message_en: str):
    return api.create_response(
        request,
        {"error": {"code": code, "message_vi": message_vi, "message_en": message_en}},
        status=status,
    )


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return error_response(request, exc.status, exc.code, exc.message_vi, exc.message_en)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error_response(
        request,
        401,
        "unauthorized",
        "Chưa xác thực: cần khóa API (Authorization: Bearer KEY) hoặc đăng nhập.",
        "Not authenticated: send an API key (Authorization: Bearer KEY) or log in.",
    )


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    fields = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        fields.append({"field": ".".join(loc), "message_en": err.get("msg", "")})
    resp = error_response(
        request,
        422,
        "invalid_request",
        "Dữ liệu gửi lên không hợp lệ: " + ", ".join(f["field"] for f in fields if f["field"]),
        "Invalid request: " + "; ".join(f"{f['field']}: {f['message_en']}" for f in fields),
    )
    return resp


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(request, 404, "not_found", "Không tìm thấy dữ liệu.", "Not found.")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    cause = exc.__cause__
    if isinstance(cause, DomainError):  # raised by StrictJsonParser, wrapped by ninja
        return on_domain_error(request, cause)
    if isinstance(cause, RequestDataTooBig):
        return on_too_big(request, cause)
    if exc.status_code == 400 and cause is not None:  # ninja could not parse the body
        return error_response(
            request,
            400,
            "invalid_json",
            "Dữ liệu gửi lên không phải JSON hợp lệ (UTF-8).",
            "The request body is not valid JSON (UTF-8).",
        )
    return error_response(
        request,
        exc.status_code,
        "http_error",
        "Yêu cầu không thực hiện được.",
        str(exc),
    )


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    """Normally answered by kcb06.requestbody before the API runs; kept for a body whose size
    Django learns only when reading it."""
    return requestbody.too_large_response(request, limits.MAX_API_BODY_BYTES)


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request, exc):
    return error_response(
        request,
        400,
        "bad_request",
        "Yêu cầu gửi lên không hợp lệ.",
        "Bad request.",
    )


@api.exception_handler(DataError)
def on_data_error(request, exc):
    """A value the database cannot hold (out of its range or character set) that passed
    validation: the caller's data, so a 400, never a 500. Logged to close the gap upstream."""
    log.warning("database refused a value on %s: %s", request.path, type(exc).__name__)
    return error_response(
        request,
        400,
        "invalid_data",
        "Dữ liệu có giá trị không lưu được (quá lớn hoặc ký tự không hợp lệ).",
        "A value cannot be stored (out of range or invalid characters).",
    )


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_unavailable(request, exc):
    """The database went away mid-request (restart, network): a clear 503, and a dead
    connection is dropped so the next request opens a fresh one. Writes are transactions:
    nothing of this request was half-written."""
    log.warning("database unavailable on %s (%s)", request.path, type(exc).__name__)
    try:
        if not connection.is_usable():
            connection.close()
    except DatabaseError:
        pass
    return error_response(
        request,
        503,
        "database_unavailable",
        "Mất kết nối cơ sở dữ liệu: thao tác này chưa được ghi nhận (không có dữ liệu nào được "
        "lưu dở). Hãy thử lại sau ít giây; nếu vẫn lỗi, báo quản trị.",
        "Database unavailable: nothing of this request was saved. Retry in a few seconds.",
    )


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    log.exception("unexpected API error on %s", request.path)
    return error_response(
        request,
        500,
        "internal_error",
        "Lỗi hệ thống. Dữ liệu đã nhận không bị mất; hãy thử lại hoặc báo quản trị.",
        "Internal error. Data already accepted is kept; retry or contact the administrator.",
    )


@api.get(
    "/health",
    auth=None,
    tags=["system"],
    response={200: dict, 500: ErrorOut, 503: ErrorOut},
    summary="Kiểm tra hệ thống còn chạy / Liveness probe",
)
def health(request):
    """Liveness probe for load balancers and the demo launcher."""
    return {"status": "ok"}


def _mount_routers() -> None:
    from kcb06.audit.api import router as audit
    from kcb06.eligibility.api import router as eligibility
    from kcb06.facilities.api import router as facilities
    from kcb06.healthbook.api import router as healthbook
    from kcb06.interchange.api import router as interchange
    from kcb06.patients.api import router as patients
    from kcb06.payments.api import router as payments
    from kcb06.reports.api import router as reports
    from kcb06.visits.api import router as visits

    for router in (
        facilities,
        patients,
        eligibility,
        visits,
        healthbook,
        interchange,
        payments,
        reports,
        audit,
    ):
        api.add_router("/", router)


_mount_routers()
