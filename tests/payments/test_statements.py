"""Reconciliation: the statement downloaded from banksim (real HTTP) in both shipped layouts,
matched against the webhook's payments and the bills; wrong columns and odd dates get a clear
Vietnamese error; the parser is fuzzed."""

import io

import httpx
import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kcb06.errors import DomainError
from kcb06.payments import services, statements
from kcb06.payments.models import BillState, LineMatch, StatementLine
from tests.payments.conftest import assert_late_notification_pays_nothing


def _statement(bank, layout: str, fmt: str) -> bytes:
    params = {"date": timezone.localdate().isoformat(), "layout": layout, "format": fmt}
    resp = httpx.get(f"{bank.url}/api/statements", params=params, timeout=10)
    assert resp.status_code == 200
    return resp.content


def _upload(client, content: bytes, name: str, layout: str):
    f = io.BytesIO(content)
    f.name = name
    return client.post(
        "/payments/statements/",
        {"day": timezone.localdate().isoformat(), "layout": layout, "file": f},
    )


def _closed_visit(org, name):
    from kcb06.healthbook import services as hb
    from tests.healthbook import factories as f

    visit = f.visit(f.patient(name=name))
    hb.close_visit(f.principal(org), visit, dict(f.CLOSE, weight_kg="60"))
    visit.refresh_from_db()
    return visit


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("layout", "fmt"), [("vcb", "csv"), ("tcb", "xlsx")])
def test_a_day_is_reconciled_and_a_missing_notification_confirmed(
    bank, login, cashier, org, billable_visit, layout, fmt
):
    notified_bill = services.bill_for_visit(cashier, billable_visit.pk)
    notified = bank.pay(services.bill_qr(notified_bill))
    bank.wait_delivered(notified["transaction_id"])
    lost_bill = services.bill_for_visit(cashier, _closed_visit(org, "Lê Văn Mất").pk)
    lost = bank.pay(services.bill_qr(lost_bill), lose=True)  # no webhook ever
    stray = bank.transfer(50000, "ung ho quy")  # money with no bill, notified as unmatched
    bank.wait_delivered(stray["transaction_id"])
    # A payment the cashier recorded by hand whose transaction the bank's statement lacks.
    hand_bill = services.bill_for_visit(cashier, _closed_visit(org, "Trần Thị Tay").pk)
    services.confirm_transfer(cashier, hand_bill.pk, "FTNOTINBANK01", 7500, "Xem trên app")

    client = login("thungan")
    resp = _upload(client, _statement(bank, layout, fmt), f"saoke.{fmt}", layout)
    assert resp.status_code == 302, resp.content.decode()[:500]
    page = client.get(resp.url).content.decode()
    summary = page[page.index("statement-summary") :][:300]
    assert "3 dòng tiền vào" in summary and "<strong>1</strong> khớp" in summary, summary
    lines = {line.transaction_id: line for line in StatementLine.objects.all()}
    assert lines[notified["transaction_id"]].match == LineMatch.MATCHED
    assert lines[lost["transaction_id"]].match == LineMatch.NO_WEBHOOK
    assert lines[stray["transaction_id"]].match == LineMatch.NO_BILL
    assert "FTNOTINBANK01" in page  # notified/recorded but absent from the statement
    assert "Chưa nhận báo có" in page or "chưa nhận báo có" in page

    line = lines[lost["transaction_id"]]
    confirm = f"/payments/statement-lines/{line.pk}/confirm/"
    assert client.post(confirm, {"reason": "", "statement": line.statement_id}).status_code == 400
    client.post(confirm, {"reason": "Có trong sao kê ngân hàng", "statement": line.statement_id})
    lost_bill.refresh_from_db()
    assert (lost_bill.state, lost_bill.paid_amount) == (BillState.PAID, 7500)
    # The bank's notification finally arrives: nothing is paid twice.
    assert_late_notification_pays_nothing(bank, lost["transaction_id"], lost_bill)


VCB = "SAO KÊ\n\nSTT,Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Mô tả\n"


def test_vcb_layout_reads_dates_and_dotted_amounts():
    rows = statements.parse(
        (VCB + '1,07/12/2026 09:15:02,ft001,,"1.234.500",VIEN PHI KCBABCDEF\n'
         '2,07/12/2026 10:00:00,FT002,"50.000",,chi\n').encode(), "s.csv", "vcb",
    )  # fmt: skip
    assert len(rows) == 1  # the debit line is not money received
    assert (rows[0].transaction_id, rows[0].amount) == ("FT001", 1234500)
    assert rows[0].booked_at.hour == 9


@pytest.mark.parametrize(
    ("content", "layout", "code", "words"),
    [
        ("Date,Ref,Amount\n2026-12-07,FT1,100\n", "vcb", "statement_columns", "Không tìm thấy đủ các cột"),
        (VCB + "1,2026-12-07,FT1,,100,x\n", "vcb", "statement_date", "Dòng 4: ngày “2026-12-07” không đúng định dạng dd/mm/yyyy HH:MM:SS"),
        (VCB + "1,07/12/2026 09:00:00,FT1,,12.5x,x\n", "vcb", "statement_amount", "Dòng 4: số tiền"),
        (VCB + "1,07/12/2026 09:00:00,,,100,x\n", "vcb", "statement_reference", "thiếu số tham chiếu"),
        (VCB, "vcb", "statement_empty", "không có dòng tiền vào"),
        ("No.,Transaction Date,Reference No,Debit,Credit,Description\n1,07/12/2026,FT1,,100,x\n",
         "tcb", "statement_date", "yyyy-mm-dd"),
    ],
)  # fmt: skip
def test_bad_statements_get_a_clear_vietnamese_error(content, layout, code, words):
    with pytest.raises(DomainError) as err:
        statements.parse(content.encode(), "s.csv", layout)
    assert err.value.code == code and words in err.value.message_vi


@pytest.mark.django_db
def test_wrong_layout_upload_is_shown_on_the_page(login):
    content = (
        b"No.,Transaction Date,Reference No,Debit,Credit,Description\n1,2026-12-07,FT1,,100,x\n"
    )
    resp = _upload(login("thungan"), content, "s.csv", "vcb")
    assert resp.status_code == 400
    assert "Không tìm thấy đủ các cột" in resp.content.decode()
    resp = _upload(login("thungan"), b"PK\x03\x04garbage", "s.xlsx", "tcb")
    assert resp.status_code == 400 and "Không đọc được tệp Excel" in resp.content.decode()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda t: (VCB + t).encode()))
def test_parser_never_fails_other_than_with_a_clear_error(content):
    try:
        statements.parse(content, "s.csv", "vcb")
    except DomainError as exc:
        assert exc.message_vi and exc.status == 400
