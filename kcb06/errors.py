"""One error type for everything a user can be told about.

Views render `message_vi`; the JSON API answers {"error": {code, message_vi, message_en}}
with `status`. Raising it anywhere in a service is how a domain rule says "no" clearly.
"""


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message_vi: str, message_en: str, status: int | None = None):
        super().__init__(message_en)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        return {"code": self.code, "message_vi": self.message_vi, "message_en": self.message_en}


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403
