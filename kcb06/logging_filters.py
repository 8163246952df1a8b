"""Redacts ID numbers, card numbers and credentials from every log record.

A log line travels further than the database (terminals, journald, support tickets), so a
12-digit ID number or a portal token must never reach one, even by accident in an exception.
"""

import logging
import re

_PATTERNS = [
    (re.compile(r"(?<!\d)\d{12}(?!\d)"), "<id-number>"),
    (re.compile(r"(?<![A-Z0-9])[A-Z]{2}[1-5]\d{12}(?![0-9])"), "<bhyt-card>"),
    (re.compile(r"(?<!\d)\d{10}(?!\d)"), "<10-digits>"),
    (re.compile(r"(?<!\d)\d{9}(?!\d)"), "<9-digits>"),
    (
        re.compile(
            r"(?i)(password|passwordhash|token|id_token|accesstoken|tokenid|secret|api[_-]?key)"
            r"(\"?\s*[=:]\s*\"?)([^\s&\"',}]+)"
        ),
        r"\1\2<redacted>",
    ),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-]+"), r"\1<redacted>"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not kill logging
            return True
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True
