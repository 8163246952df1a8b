"""Receipts as PDF (WeasyPrint, DejaVu fonts for Vietnamese): an 80 mm roll for the counter and
kiosk printers, A4 for the patient's file. The bill's lines, the fund's and the patient's share,
how it was paid and the reference."""

from django.template.loader import render_to_string
from django.utils import timezone

from . import config
from .models import Bill, BillState

SIZES = {"80mm": "80mm 297mm", "a4": "A4"}
CSS = """
@page { size: %(size)s; margin: %(margin)s; }
body { font-family: "DejaVu Sans", sans-serif; font-size: %(font)s; }
h1 { font-size: 1.3em; margin: 0 0 .3em; text-align: center; }
table { width: 100%%; border-collapse: collapse; }
th, td { text-align: left; padding: 2px 3px; border-bottom: 0.5px solid #999; vertical-align: top; }
td.n, th.n { text-align: right; }
.total td { font-weight: bold; }
p { margin: .2em 0; }
"""


def receipt_pdf(bill: Bill, size: str = "80mm") -> bytes:
    from weasyprint import CSS as WeasyCss
    from weasyprint import HTML

    narrow = size == "80mm"
    payments = list(bill.payments.order_by("received_at", "pk"))
    fund = sum(int(line.get("fund") or 0) for line in bill.lines)
    html = render_to_string(
        "payments/receipt.html",
        {
            "bill": bill,
            "payments": payments,
            "fund": fund,
            "narrow": narrow,
            "paid": bill.state not in (BillState.PENDING, BillState.EXPIRED),
            "facility": bill.facility,
            "account_name": config.get("KCB06_PAYMENT_ACCOUNT_NAME"),
            "printed_at": timezone.localtime(),
        },
    )
    css = CSS % {
        "size": SIZES.get(size, "A4"),
        "margin": "4mm" if narrow else "18mm",
        "font": "8pt" if narrow else "10pt",
    }
    return HTML(string=html).write_pdf(stylesheets=[WeasyCss(string=css)])
