"""Authenticating the bank's webhook: HMAC-SHA256 over "<timestamp>.<raw body>".

The timestamp (Unix seconds, header X-Bank-Timestamp) is inside the signed text, so an old call
cannot be re-dated; calls outside the tolerance window are stale; a call whose notification id
was already received is a replay (webhook.receive_notification)."""

import hashlib
import hmac
import time

from kcb06.errors import DomainError

from . import config

TIMESTAMP_HEADER = "X-Bank-Timestamp"
SIGNATURE_HEADER = "X-Bank-Signature"


class WebhookRefused(DomainError):
    status = 401


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(timestamp: str | None, signature: str | None, body: bytes, now: float | None = None):
    """Raise WebhookRefused (401) unless the call is signed with our secret and fresh."""
    secret = config.get("KCB06_BANK_WEBHOOK_SECRET")
    if not secret:
        raise WebhookRefused(
            "webhook_not_configured",
            "Chưa cấu hình khóa bí mật nhận báo có của ngân hàng (KCB06_BANK_WEBHOOK_SECRET).",
            "The bank webhook secret is not configured (KCB06_BANK_WEBHOOK_SECRET).",
            status=503,
        )
    if not timestamp or not signature:
        raise WebhookRefused(
            "webhook_unsigned",
            "Thiếu chữ ký hoặc thời điểm ký (X-Bank-Signature, X-Bank-Timestamp).",
            "Missing signature or timestamp (X-Bank-Signature, X-Bank-Timestamp).",
        )
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise WebhookRefused(
            "webhook_timestamp", "Thời điểm ký không hợp lệ.", "The timestamp is not valid."
        )
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode("utf-8", "replace")):
        raise WebhookRefused(
            "webhook_signature",
            "Chữ ký không đúng: lời gọi không phải từ ngân hàng đã cấu hình.",
            "Bad signature: the call was not signed with the configured secret.",
        )
    now = time.time() if now is None else now
    tolerance = config.get_int("KCB06_BANK_WEBHOOK_TOLERANCE_SECONDS")
    if abs(now - int(timestamp)) > tolerance:
        raise WebhookRefused(
            "webhook_stale",
            f"Lời gọi quá cũ hoặc sai giờ (lệch hơn {tolerance} giây); đã từ chối.",
            f"Stale call (clock difference over {tolerance} s); refused.",
        )
