"""The cashier's pages through the Django client: list, bill with QR, cash, state panel."""

import pytest

from kcb06.audit.models import AuditEntry
from kcb06.identity.vietqr import parse_vietqr
from kcb06.payments import services
from kcb06.payments.models import Bill, BillState

pytestmark = pytest.mark.django_db


def test_cashier_sees_todays_visit_with_what_is_owed(login, billable_visit):
    page = login("thungan").get("/payments/").content.decode()
    assert billable_visit.patient.full_name in page
    assert "7.500 đ" in page and "Chưa lập hóa đơn" in page


def test_search_narrows_the_list(login, billable_visit):
    client = login("thungan")
    assert billable_visit.ma_lk in client.get("/payments/?q=pham thi so").content.decode()
    page = client.get("/payments/?q=Nguyễn Không Có").content.decode()
    assert billable_visit.ma_lk not in page and "Không có lượt khám nào" in page


def test_other_roles_cannot_open_the_cashier_page(login, org):
    assert login("tiepdon").get("/payments/").status_code == 403


def test_bill_shows_qr_amount_in_words_and_takes_cash(login, billable_visit):
    client = login("thungan")
    resp = client.post(f"/payments/visits/{billable_visit.pk}/bill/")
    bill = Bill.objects.get(visit=billable_visit)
    assert resp.url == f"/payments/bills/{bill.pk}/"
    page = client.get(resp.url).content.decode()
    assert "<svg" in page and "Bảy nghìn năm trăm đồng" in page and "Paracetamol" in page
    assert f"VIEN PHI {bill.reference}" in page and "0123456789" in page
    assert 'hx-trigger="every 2s"' in page  # the state follows the bank by itself
    qr = parse_vietqr(services.bill_qr(bill))
    assert (qr.amount, qr.account) == (7500, "0123456789")
    client.post(f"/payments/bills/{bill.pk}/cash/")
    bill.refresh_from_db()
    assert (bill.state, bill.paid_amount) == (BillState.PAID, 7500)
    state = client.get(f"/payments/bills/{bill.pk}/state/").content.decode()
    assert "Đã thanh toán" in state and "every 2s" not in state
    again = client.post(f"/payments/bills/{bill.pk}/cash/")
    assert again.status_code == 409 and "không thu thêm" in again.content.decode()
    purposes = set(
        AuditEntry.objects.filter(object_type="payments.bill").values_list("purpose", flat=True)
    )
    assert {"bill_issued", "cash_received"} <= purposes


def test_cancelled_visit_gets_no_bill(login, billable_visit):
    billable_visit.save(update_fields=billable_visit.cancel("Đăng ký nhầm"))
    resp = login("thungan").post(f"/payments/visits/{billable_visit.pk}/bill/")
    assert resp.status_code == 400 and "đã hủy" in resp.content.decode()
    assert not Bill.objects.exists()


def test_expired_bill_is_reissued_with_a_new_reference(login, billable_visit, settings):
    from datetime import timedelta

    from django.utils import timezone

    client = login("thungan")
    client.post(f"/payments/visits/{billable_visit.pk}/bill/")
    first = Bill.objects.get()
    Bill.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert "Hết hạn" in client.get(f"/payments/bills/{first.pk}/").content.decode()
    client.post(f"/payments/visits/{billable_visit.pk}/bill/")
    second = Bill.objects.exclude(pk=first.pk).get()
    assert second.reference != first.reference and second.state == BillState.PENDING
