"""The claim-error work queue (/interchange/queue/): what the billing clerk, the head of
department and the health department see (docs/claims.md)."""

import io
import re

import pytest
from openpyxl import load_workbook

from kcb06.interchange import outbox, queue, queue_export
from kcb06.interchange.models import OutboxItem, OutboxState
from tests.interchange.claims import SECRET, claim, error

pytestmark = pytest.mark.django_db
URL = "/interchange/queue/"
EXPORT = "/interchange/queue/export.xlsx"


def _n(html: str, testid: str) -> int:
    m = re.search(rf'data-testid="{testid}">(\d+)<', html)
    assert m, testid
    return int(m.group(1))


def _rows(html: str) -> list[str]:
    return re.findall(r'data-testid="queue-row">(.*?)</tr>', html, flags=re.S)


def test_funnel_counts_each_step_of_built_valid_signed_sent_accepted(login, org):
    claim(state="invalid", errors=[error()])
    claim(state="waiting")  # valid, not signed yet
    claim(state="waiting", signed=b"<signed/>")
    claim(state="sent", signed=b"<signed/>")
    claim(state="rejected", signed=b"<signed/>", result_code="125")
    claim(state="failed", signed=b"<signed/>")
    for _ in range(3):
        claim(state="accepted", signed=b"<signed/>", result_code="200")
    claim(state="superseded", errors=[error()])  # replaced by a corrected file: not counted
    claim(state="accepted", hours=24 * 40)  # before the 30-day period
    claim("27902", state="accepted")  # another facility

    html = login("thungan").get(URL).content.decode()

    assert _n(html, "funnel-built-n") == 9
    assert _n(html, "funnel-valid-n") == 8
    assert _n(html, "funnel-signed-n") == 7
    assert _n(html, "funnel-sent-n") == 5
    assert _n(html, "funnel-accepted-n") == 3
    assert _n(html, "funnel-invalid") == 1
    assert _n(html, "funnel-rejected") == 1
    assert _n(html, "funnel-failed") == 1
    longer = login("thungan").get(URL, {"period": "90"}).content.decode()
    assert _n(longer, "funnel-accepted-n") == 4


def test_clerk_filters_by_error_department_and_age_and_each_row_links_to_its_visit(login, org):
    icd = claim(state="invalid", errors=[error(), error("XML1", "CAN_NANG")], hours=2)
    card = claim(
        state="invalid",
        errors=[error("XML1", "MA_THE_BHYT", "required", "Thiếu mã thẻ BHYT")],
        hours=60,
        department_code="K19",
    )
    refused = claim(state="rejected", result_code="125", hours=24 * 10, department_code="K19")
    claim(state="accepted", result_code="200")
    client = login("thungan")

    everything = client.get(URL).content.decode()
    assert len(_rows(everything)) == 3
    # oldest first: the claim refused ten days ago heads the queue
    assert refused.ma_lk in _rows(everything)[0]

    by_error = client.get(URL, {"error": "XML1.MA_BENH_CHINH:format"}).content.decode()
    rows = _rows(by_error)
    assert len(rows) == 1 and icd.ma_lk in rows[0]
    # the clerk opens the file (errors, re-send); the fix itself is the clinician's
    assert f'href="/interchange/files/{icd.pk}/"' in rows[0]
    assert "/healthbook/" not in rows[0]
    doctor = login("bacsi").get(URL, {"error": "XML1.MA_BENH_CHINH:format"}).content.decode()
    assert f'href="/healthbook/visits/{icd.visit_id}/close/"' in _rows(doctor)[0]
    client = login("thungan")
    assert "Mã bệnh chính sai" in rows[0]  # the message stored with the claim
    assert "(và 1 lỗi khác)" in rows[0]
    assert "theo đúng định dạng" in rows[0]  # the fix to make

    by_dept = client.get(URL, {"department": card.department_id}).content.decode()
    assert {card.ma_lk, refused.ma_lk} == {
        m for r in _rows(by_dept) for m in re.findall(r"27901\.Q\d+", r)
    }
    by_age = client.get(URL, {"age": "1to3d"}).content.decode()
    assert len(_rows(by_age)) == 1 and card.ma_lk in _rows(by_age)[0]
    assert "Nhập MA_THE_BHYT".lower() in _rows(by_age)[0].lower()
    portal = client.get(URL, {"error": "CONG:125"}).content.decode()
    assert refused.ma_lk in _rows(portal)[0] and "Chữ ký số không hợp lệ" in _rows(portal)[0]
    nothing = client.get(URL, {"error": "XML9.NOPE:x", "age": "gt30d"}).content.decode()
    assert 'data-testid="queue-empty"' in nothing


def test_bad_filters_are_ignored_never_a_500(login, org):
    claim(state="invalid", errors=[error()])
    client = login("thungan")
    for query in (
        {"department": "abc"},
        {"age": "forever"},
        {"period": "-1"},
        {"after": "x.y"},
        {"after": "9" * 19 + ".1"},
        {"error": "=" * 500},
    ):
        assert client.get(URL, query).status_code == 200, query


def test_top_errors_this_week_count_corrected_claims_too(login, org):
    for _ in range(3):
        claim(state="superseded", errors=[error("XML1", "MA_THE_BHYT", "required")])
    claim(state="invalid", errors=[error("XML1", "MA_THE_BHYT", "required")])
    claim(state="invalid", errors=[error()])
    claim(state="invalid", errors=[error()], hours=24 * 8)  # last week
    html = login("quantri").get(URL).content.decode()
    top = re.findall(r'data-testid="top-error">(.*?)</tr>', html, flags=re.S)
    assert "XML1.MA_THE_BHYT:required" in top[0] and "<td>4</td>" in top[0]
    assert "XML1.MA_BENH_CHINH:format" in top[1] and "<td>1</td>" in top[1]


def test_the_outbox_stores_the_department_and_the_first_error_of_a_real_claim(org, make_visit):
    from tests.reports import factories

    v = factories.visit("27901", ended_hours_ago=3)
    item = outbox.enqueue_claim_data(
        org["facilities"]["27901"], v, make_visit(ma_lk=v.ma_lk, main_icd="VIEM")
    )
    item = OutboxItem.objects.get(pk=item.pk)
    assert item.department_id == v.department_id
    assert item.queue_error.startswith("XML1.MA_BENH_CHINH:")
    # the worker's outcome (an UPDATE of the state only) moves the computed columns with it
    OutboxItem.objects.filter(pk=item.pk).update(
        state=OutboxState.REJECTED, errors=[], result_code="403"
    )
    assert OutboxItem.objects.get(pk=item.pk).queue_error == "CONG:403"


def test_pages_of_fifty_by_keyset_show_every_claim_once(login, org):
    made = {claim(state="invalid", errors=[error()], hours=1 + i * 0.5).ma_lk for i in range(55)}
    client = login("thungan")
    first = client.get(URL).content.decode()
    nxt = re.search(r'href="\?([^"]*after=[^"]*)" data-testid="queue-next"', first)
    assert len(_rows(first)) == 50 and nxt
    second = client.get(URL + "?" + nxt.group(1).replace("&amp;", "&")).content.decode()
    assert len(_rows(second)) == 5 and 'data-testid="queue-next"' not in second
    seen = [
        m for html in (first, second) for r in _rows(html) for m in re.findall(r"27901\.Q\d+", r)
    ]
    assert sorted(seen) == sorted(made)


def test_export_holds_the_filtered_claims_with_message_fix_and_visit_link(login, org):
    icd = claim(state="invalid", errors=[error(message='=HYPERLINK("x")')], hours=30)
    claim(state="rejected", result_code="125")
    response = login("thungan").get(EXPORT, {"error": "XML1.MA_BENH_CHINH:format"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="ho-so-chua-tiep-nhan-' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == queue_export.HEADERS
    assert len(values) == 2
    row = dict(zip(queue_export.HEADERS, values[1], strict=True))
    assert row["MA_LK"] == icd.ma_lk and row["Mã lỗi"] == "XML1.MA_BENH_CHINH:format"
    assert row["Lỗi"] == '\'=HYPERLINK("x")'  # text, never a formula
    assert "định dạng" in row["Cách sửa"]
    assert row["Đường dẫn đợt khám"].endswith(f"/healthbook/visits/{icd.visit_id}/close/")
    assert row["Khoa/phòng"] and 29 <= row["Số giờ chưa tiếp nhận"] <= 31


def test_another_facilitys_claims_are_invisible(login, org):
    other = claim("27903", state="invalid", errors=[error()])
    mine = claim("27901", state="invalid", errors=[error()])
    client = login("thungan")
    html = client.get(URL).content.decode()
    assert mine.ma_lk in html and other.ma_lk not in html
    assert _n(html, "funnel-built-n") == 1
    book = load_workbook(io.BytesIO(client.get(EXPORT).content)).active
    cells = {c.value for row in book.iter_rows() for c in row}
    assert mine.ma_lk in cells and other.ma_lk not in cells


def test_health_department_sees_counts_by_facility_and_error_never_a_claim(login, org):
    items = [
        claim("27903", state="invalid", errors=[error()]),
        claim("27903", state="invalid", errors=[error()]),
        claim("27901", state="rejected", result_code="125"),
    ]
    client = login("soyte")
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        'data-testid="queue-facility">27903' in html
        and 'data-testid="queue-facility">27901' in html
    )
    assert "XML1.MA_BENH_CHINH:format" in html and "<td>2</td>" in html
    assert _n(html, "funnel-built-n") == 3
    workbook = client.get(EXPORT)
    cells = [
        c.value
        for row in load_workbook(io.BytesIO(workbook.content)).active.iter_rows()
        for c in row
    ]
    assert "27903" in cells and 2 in cells
    for item in items:
        for body in (html, " ".join(str(c) for c in cells)):
            assert item.ma_lk not in body
            assert f"/visits/{item.visit_id}/" not in body
            assert SECRET not in body and "Mã bệnh chính sai" not in body


@pytest.mark.parametrize("user", ["tiepdon", "kiemtra"])
def test_reception_and_auditor_cannot_open_the_queue(login, user):
    assert login(user).get(URL).status_code == 403
    assert login(user).get(EXPORT).status_code == 403


def test_the_fix_uses_the_claims_own_words_before_the_generic_text():
    own = queue.fix_for("XML1.CAN_NANG:format", {"message_vi": "Cân nặng phải là số"})
    assert own.message_vi == "Cân nặng phải là số"
    generic = queue.fix_for("XML2.MA_THUOC:code_list")
    assert "MA_THUOC" in generic.message_vi and "danh mục" in generic.next_step_vi
    assert "chứng thư" in queue.fix_for("CONG:125").next_step_vi
    assert "kết nối" in queue.fix_for("GUI_LOI").next_step_vi
    assert "Rút gọn" in queue.fix_for("XML1.MA_BENH_CHINH:xsd_too_long").next_step_vi
    assert queue.fix_for("odd-key-without-parts").next_step_vi
