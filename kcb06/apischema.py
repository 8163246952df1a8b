"""Shared pieces of the API contract: the error body, id parameters, and the status codes each
operation documents, so the OpenAPI document says everything the server enforces.

Kept apart from kcb06.api (which mounts the routers) so every app's api.py can import it without
an import cycle. Limits come from kcb06.limits; docs/api.md explains them.
"""

from typing import Annotated

from ninja import Path, Schema
from pydantic import Field, StringConstraints

from kcb06.limits import MAX_ID, NAME_MAX_CHARS


class ErrorDetail(Schema):
    code: str = Field(description="Mã lỗi ổn định / stable error code, e.g. `not_found`")
    message_vi: str = Field(description="Thông báo tiếng Việt cho người dùng")
    message_en: str = Field(description="English message for the integrator")


class ErrorOut(Schema):
    error: ErrorDetail


class CandidateErrorOut(Schema):
    """409 possible_duplicates of a check-in: the likely records to choose from."""

    error: ErrorDetail
    candidates: list[dict] = Field(default_factory=list)


# An internal id in a path (patients, visits, files, consents): a signed 64-bit key, >= 1.
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="Mã nội bộ (id) / internal id")]
# The same in a body.
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]
# A person's name as typed (the server cleans spaces, bidi and control characters and refuses
# markup: kcb06.identity.names.check_name).
NameText = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX_CHARS)]

STATUS_TEXT = {
    400: "Dữ liệu không hợp lệ theo nghiệp vụ / invalid input (domain rule, malformed JSON)",
    401: "Chưa xác thực / not authenticated (API key or session)",
    403: "Không có quyền (vai trò, cơ sở) hoặc thiếu CSRF / forbidden (role, facility, CSRF)",
    404: "Không tìm thấy / not found",
    409: "Xung đột trạng thái / conflict with the current state",
    413: "Dữ liệu gửi lên quá lớn / request body too large",
    422: "Sai kiểu hoặc vượt giới hạn của trường / field type or constraint violated",
    500: "Lỗi hệ thống / internal error (data already accepted is kept)",
    503: "Mất kết nối cơ sở dữ liệu / database unavailable, retry",
}
ALWAYS = (401, 403, 422, 500, 503)


def responses(ok: dict, *codes: int) -> dict:
    """`ok` ({200: Schema} or {201: ...}) plus the error codes an operation can answer: the
    ones every operation has (auth, role, validation, 500, 503) and the listed ones."""
    out = dict(ok)
    for code in sorted({*ALWAYS, *codes}):
        out[code] = ErrorOut
    return out
