"""Bills (what a visit's patient owes), payments against them, and the bank's notifications.

Amounts are whole đồng (VND has no minor unit in practice; VietQR carries integers).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BillState(models.TextChoices):
    PENDING = "pending", _("Chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    EXPIRED = "expired", _("Hết hạn")
    AMOUNT_OVER = "amount_over", _("Trả thừa")
    AMOUNT_UNDER = "amount_under", _("Trả thiếu")
    PAID_AFTER_EXPIRY = "paid_after_expiry", _("Trả sau khi mã hết hạn")
    VISIT_CANCELLED = "visit_cancelled", _("Lượt khám đã hủy, đã nhận tiền")
    REFUNDED = "refunded", _("Đã hoàn tiền")


class Method(models.TextChoices):
    VIETQR = "vietqr", _("Chuyển khoản VietQR")
    CASH = "cash", _("Tiền mặt")


class Bill(models.Model):
    """One visit's bill: the amount and lines frozen when it was issued, and a short reference
    the patient's transfer message carries back to us."""

    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    visit = models.ForeignKey("visits.Visit", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("mã tham chiếu"), max_length=16, unique=True)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    lines = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=20, choices=BillState.choices, default=BillState.PENDING)
    paid_amount = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    settled_at = models.DateTimeField(null=True, blank=True)
    # Paid in full and its visit closed: the claim is to be re-queued with NGAY_TTOAN by the
    # worker (payments.jobs.requeue_claims), out of the bank's request.
    claim_due = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["facility", "created_at"], name="bill_facility_created"),
            models.Index(fields=["settled_at"], name="bill_claim_due", condition=Q(claim_due=True)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["visit"], condition=Q(state="pending"), name="bill_one_pending_per_visit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.amount} đ, {self.state})"


class Payment(models.Model):
    """Money received: a bank transfer (unique by the bank's transaction id, which makes a
    notification delivered twice pay once) or cash at the counter. `bill` is empty for a
    transfer we could not match (an unmatched transfer the cashier must resolve)."""

    facility = models.ForeignKey(
        "facilities.Facility", null=True, on_delete=models.PROTECT, related_name="+"
    )
    bill = models.ForeignKey(
        Bill, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    method = models.CharField(max_length=10, choices=Method.choices)
    amount = models.BigIntegerField()
    bank_transaction_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    message = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    # A payment the cashier confirmed by hand (from the patient's app or the bank statement),
    # with the reason they gave; empty for the bank's own notification and for cash.
    manual_reason = models.CharField(max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.method} {self.amount} đ"


class BankNotification(models.Model):
    """Every authenticated webhook call, kept whatever became of it (so nothing the bank said
    is lost); its notification id refuses a replay of the very same call."""

    notification_id = models.CharField(max_length=64, unique=True)
    transaction_id = models.CharField(max_length=64, db_index=True)
    received_at = models.DateTimeField(auto_now_add=True)
    body = models.JSONField()
    outcome = models.CharField(max_length=32)


class PaymentSettings(models.Model):
    """A facility's cashier settings: the registration fee it charges (0: none) and the bank
    statement layout its account's bank exports (a key of statements.layouts())."""

    facility = models.OneToOneField(
        "facilities.Facility", on_delete=models.CASCADE, related_name="+"
    )
    registration_fee = models.PositiveIntegerField(_("phí đăng ký khám (đồng)"), default=0)
    statement_layout = models.CharField(_("mẫu sao kê ngân hàng"), max_length=32, default="vcb")

    class Meta:
        verbose_name = _("cài đặt thu ngân")
        verbose_name_plural = _("cài đặt thu ngân")


class StatementImport(models.Model):
    """A day's bank statement the cashier imported, and what it was matched against."""

    facility = models.ForeignKey("facilities.Facility", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    layout = models.CharField(max_length=32)
    filename = models.CharField(max_length=255, blank=True)
    line_count = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class LineMatch(models.TextChoices):
    MATCHED = "matched", _("Khớp với báo có")
    AMOUNT_DIFFERS = "amount_differs", _("Số tiền khác báo có")
    NO_WEBHOOK = "no_webhook", _("Có trong sao kê, chưa nhận báo có")
    NO_BILL = "no_bill", _("Không khớp hóa đơn nào")
    CONFIRMED = "confirmed", _("Đã xác nhận thủ công")


class StatementLine(models.Model):
    statement = models.ForeignKey(StatementImport, on_delete=models.CASCADE, related_name="lines")
    row = models.PositiveIntegerField()
    transaction_id = models.CharField(max_length=64)
    booked_at = models.DateTimeField()
    amount = models.BigIntegerField()
    message = models.CharField(max_length=255, blank=True)
    reference = models.CharField(max_length=16, blank=True)
    match = models.CharField(max_length=20, choices=LineMatch.choices)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
