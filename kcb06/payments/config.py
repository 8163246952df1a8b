"""Payment settings: a Django setting of the same name wins, else the environment variable.

Read at call time (not import time) so a deployment or a test can change them."""

import os

from django.conf import settings

DEFAULTS = {
    "KCB06_PAYMENT_BANK_BIN": "970436",  # Vietcombank (synthetic demo account)
    "KCB06_PAYMENT_BANK_NAME": "Vietcombank",
    "KCB06_PAYMENT_ACCOUNT": "0123456789",
    "KCB06_PAYMENT_ACCOUNT_NAME": "BENH VIEN DEMO",
    "KCB06_BILL_EXPIRY_MINUTES": "30",
    "KCB06_BANK_WEBHOOK_SECRET": "",
    "KCB06_BANK_WEBHOOK_TOLERANCE_SECONDS": "300",
    "KCB06_PAYMENT_MAX_AMOUNT": "10000000000",  # 10 billion đồng: above this is not a fee
}


def get(name: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, DEFAULTS[name])
    return str(value)


def get_int(name: str) -> int:
    return int(get(name))
