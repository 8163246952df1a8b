"""What a request may carry: a body within the size limits (413), and text without NUL.

Size. Django would raise RequestDataTooBig only when the body is read (inside the API's own handler,
where it became a 500, or in CSRF's form read, where it became a bare 400). Checking the
declared Content-Length here, ahead of the other middleware, answers 413 at once: JSON in both
languages on /api/, the Vietnamese error page elsewhere. A body without Content-Length (chunked)
is not read by Django's WSGI request at all, so it cannot slip past. Limits: kcb06.limits.

NUL. PostgreSQL text cannot hold U+0000 (a DataError, so a 500, on any form field or search
box that reaches a query); it is never meaningful in what a person types. It is removed from
the query string and from form fields of the pages before any view sees them (the JSON API
does the same in kcb06.api.StrictJsonParser). A value the database still refuses becomes a
400 page instead of a 500.
"""

from urllib.parse import urlencode

from django.db import DataError
from django.http import JsonResponse, QueryDict

from kcb06 import limits

API_PREFIX = "/api/"

MESSAGE_VI = "Dữ liệu gửi lên quá lớn (tối đa {size}). Hãy gửi ít dữ liệu hơn trong một lần."
MESSAGE_EN = "Request body too large (at most {size}). Send less data per request."


def human_size(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def limit_for(request) -> int:
    if request.path_info.startswith(API_PREFIX):
        return limits.MAX_API_BODY_BYTES
    if request.META.get("CONTENT_TYPE", "").startswith("multipart/"):
        return limits.MAX_UPLOAD_BYTES
    return limits.MAX_FORM_BYTES


def too_large_response(request, limit: int):
    size = human_size(limit)
    vi, en = MESSAGE_VI.format(size=size), MESSAGE_EN.format(size=size)
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse(
            {"error": {"code": "request_too_large", "message_vi": vi, "message_en": en}},
            status=413,
            json_dumps_params={"ensure_ascii": False},
        )
    from kcb06.web.views import error_page

    return error_page(request, 413, "Dữ liệu quá lớn", vi, "request_too_large")


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _without_nul(data: QueryDict) -> QueryDict:
    """The same fields without NUL, as an immutable QueryDict like the one Django built
    (through its public constructor: no private attribute of QueryDict is touched)."""
    encoding = data.encoding or "utf-8"
    pairs = [
        (key.replace("\x00", ""), value.replace("\x00", ""))
        for key, values in data.lists()
        for value in values
    ]
    return QueryDict(urlencode(pairs, encoding=encoding), encoding=encoding)


def remove_nul(request) -> None:
    if "%00" in request.META.get("QUERY_STRING", ""):
        request.GET = _without_nul(request.GET)
    if request.method != "POST" or request.path_info.startswith(API_PREFIX):
        return
    if not request.META.get("CONTENT_TYPE", "").startswith(FORM_TYPES):
        return
    if any("\x00" in k or any("\x00" in v for v in vs) for k, vs in request.POST.lists()):
        request.POST = _without_nul(request.POST)


class RequestBodyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django's WSGI request then reads no body at all
        limit = limit_for(request)
        if length > limit:
            return too_large_response(request, limit)
        remove_nul(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DataError) or request.path_info.startswith(API_PREFIX):
            return None
        from kcb06.web.views import error_page

        return error_page(
            request,
            400,
            "Dữ liệu không lưu được",
            "Dữ liệu có giá trị không lưu được (quá lớn hoặc ký tự không hợp lệ). Hãy sửa lại.",
            "invalid_data",
        )
