from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """VietQR bills and bank callbacks."""

    name = "kcb06.payments"
    label = "payments"
    verbose_name = "Thanh toán"
