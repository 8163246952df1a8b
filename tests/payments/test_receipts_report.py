"""Receipts (80 mm and A4 PDF, read back with pdftotext) and the daily cash report with the
cashless share against the 50 % target."""

import subprocess

import pytest
from django.utils import timezone

from kcb06.payments import services
from kcb06.payments.report import cashless_share
from tests.payments.conftest import pdf_text

pytestmark = pytest.mark.django_db


def _page_width_mm(content: bytes) -> float:
    info = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True)
    line = next(x for x in info.stdout.decode().splitlines() if x.startswith("Page size"))
    return float(line.split()[2]) * 25.4 / 72


@pytest.mark.parametrize(("query", "width"), [("", 80), ("?size=a4", 210)])
def test_receipt_lists_lines_shares_method_and_reference(
    login, cashier, billable_visit, query, width
):
    bill = services.bill_for_visit(cashier, billable_visit.pk)
    services.confirm_transfer(cashier, bill.pk, "FT20261207A1", 7500, "Xem trên app")
    resp = login("thungan").get(f"/payments/bills/{bill.pk}/receipt.pdf{query}")
    assert resp["Content-Type"] == "application/pdf"
    text = pdf_text(resp.content)
    for expected in ("BIÊN LAI THU TIỀN", bill.reference, "Paracetamol", "Quỹ BHYT chi trả",
                     "Người bệnh phải trả: 7.500 đ", "Chuyển khoản VietQR", "FT20261207A1",
                     billable_visit.patient.full_name):  # fmt: skip
        assert expected in text, expected
    assert abs(_page_width_mm(resp.content) - width) < 1


def test_cash_report_counts_methods_and_the_cashless_share(login, cashier, org):
    from kcb06.healthbook import services as hb
    from tests.healthbook import factories as f

    bills = []
    for name in ("Một", "Hai", "Ba"):
        visit = f.visit(f.patient(name=f"Nguyễn Văn {name}"))
        hb.close_visit(f.principal(org), visit, dict(f.CLOSE, weight_kg="60"))
        bills.append(services.bill_for_visit(cashier, visit.pk))
    services.record_cash(cashier, bills[0].pk)
    services.confirm_transfer(cashier, bills[1].pk, "FTREPORT0001", 7500, "Xem trên app")
    services.confirm_transfer(cashier, bills[2].pk, "FTREPORT0002", 7500, "Xem trên app")
    share = cashless_share(org["facilities"]["27901"], timezone.localdate())
    assert (share.count, share.value, share.cashless_count, share.cashless_value) == (
        3, 22500, 2, 15000)  # fmt: skip
    assert share.met and round(share.count_share, 3) == 0.667
    page = login("thungan").get("/payments/report/").content.decode()
    assert "67 %" in page and "Đạt mục tiêu 50 %" in page
    other = cashless_share(org["facilities"]["27903"], timezone.localdate())
    assert other.count == 0 and other.count_share is None and not other.met


def test_report_below_target_says_so(login, cashier, billable_visit):
    services.record_cash(cashier, services.bill_for_visit(cashier, billable_visit.pk).pk)
    page = login("thungan").get("/payments/report/").content.decode()
    assert "0 %" in page and "Chưa đạt mục tiêu 50 %" in page
    assert login("tiepdon").get("/payments/report/").status_code == 403
