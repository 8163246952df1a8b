"""The closing refuses what the claim file would be rejected for, each problem named at its
form field in Vietnamese, before the visit is closed (issue #16 point 7): no weight, sick leave
without a BHXH number, a coded drug at price 0 (at a facility without a drug catalogue, whose
typed codes are taken as typed; a free-text drug is a note, never a claim line: issue #19)."""

import pytest

from kcb06.healthbook import services
from kcb06.healthbook.claimcheck import ClosureProblems
from kcb06.healthbook.models import VisitClosure
from kcb06.interchange.models import OutboxItem
from kcb06.visits.models import Visit
from tests.healthbook import factories as f

BAD = {
    **f.CLOSE,
    "weight_kg": "",
    "sick_leave_days": "3",
    "prescriptions": [
        {"drug_name": "", "dose": ""},  # an empty form row before the drug
        {"drug_code": "40.9101", "drug_name": "Paracetamol", "dose": "1 viên", "quantity": "5"},
    ],
}


@pytest.fixture
def bacsi(org):
    return f.principal(org)


def test_every_claim_problem_is_named_at_its_field_and_nothing_is_saved(bacsi):
    visit = f.visit(f.patient("Lý Văn Thiếu Cân"))
    with pytest.raises(ClosureProblems) as err:
        services.close_visit(bacsi, visit, BAD)
    problems = dict(err.value.problems)
    assert "cân nặng" in problems["weight_kg"]
    assert "mã số BHXH" in problems["sick_leave_days"]
    assert "đơn giá" in problems["prescriptions.1.unit_price"]
    assert "DON_VI" in problems["sick_leave_employer"]  # no invented employer (issue #19)
    assert err.value.status == 422 and "Chưa kết thúc khám" in err.value.message_vi
    assert Visit.objects.get(pk=visit.pk).status == "open"
    assert not VisitClosure.objects.filter(visit=visit).exists()
    assert not OutboxItem.objects.filter(visit=visit, kind="claim").exists()


def test_fixed_closure_closes_and_its_claim_is_valid(bacsi, drug_catalogue):
    visit = f.visit(f.patient("Lý Văn Đủ Cân"))
    Visit.objects.filter(pk=visit.pk).update(card_number="GD4797932241231")
    fixed = {
        **BAD,
        "weight_kg": "61",
        "sick_leave_employer": "Công ty TNHH Thử Nghiệm",
        "prescriptions": [
            {
                "drug_code": "40.9101",
                "drug_name": "Paracetamol",
                "dose": "1 viên",
                "quantity": "5",
                "unit_price": "2000",
            },
            {"drug_name": "Thuốc nam tự chọn", "dose": "1 gói/ngày", "quantity": "5"},
        ],
    }
    services.close_visit(bacsi, visit, fixed)
    item = OutboxItem.objects.get(visit=visit, kind="claim")
    assert item.errors == [] and item.state == "waiting"
    # The free-text drug is a note in the book, not a claim line (issue #19).
    assert "<MA_THUOC>40.9101</MA_THUOC>" in item.tables["XML2"]
    # SO_DANG_KY, TT_THAU and the price come from the catalogue row, not the form.
    assert f"<TT_THAU>{drug_catalogue.tender}</TT_THAU>" in item.tables["XML2"]
    assert f"<SO_DANG_KY>{drug_catalogue.registration}</SO_DANG_KY>" in item.tables["XML2"]
    assert "<DON_GIA>500" in item.tables["XML2"]
    assert "Thuốc nam" not in item.tables["XML2"]
    assert "<MA_THUOC>00.0000</MA_THUOC>" not in item.tables["XML2"]
    assert "<DON_VI>Công ty TNHH Thử Nghiệm</DON_VI>" in item.tables["XML11"]


def test_validator_refuses_an_out_of_list_drug_at_price_zero():
    from lxml import etree

    from kcb06.interchange.core import validation

    xml2 = etree.fromstring(
        "<CHITIEU_CHITIET_THUOC><DSACH_CHI_TIET_THUOC><CHI_TIET_THUOC>"
        "<MA_LK>X</MA_LK><STT>1</STT><MA_THUOC>00.0000</MA_THUOC><TEN_THUOC>Thuốc nam</TEN_THUOC>"
        "<PHAM_VI>1</PHAM_VI><SO_LUONG>5</SO_LUONG><DON_GIA>0</DON_GIA>"
        "</CHI_TIET_THUOC></DSACH_CHI_TIET_THUOC></CHITIEU_CHITIET_THUOC>"
    )
    xml1 = etree.fromstring("<TONG_HOP><MA_LK>X</MA_LK></TONG_HOP>")
    errs = validation.rules_claim({"XML1": xml1, "XML2": xml2})
    by_field = {(e["table"], e["field"]): e for e in errs if e["table"] == "XML2"}
    assert by_field[("XML2", "DON_GIA")]["row"] == "1"
    assert "ngoài danh mục BHYT" in by_field[("XML2", "MA_THUOC")]["message_vi"]


def test_api_answers_422_naming_every_problem(org):
    from django.test import Client

    from kcb06.facilities.services import create_api_key

    key = create_api_key(org["facilities"]["27901"], "HIS phòng khám", org["users"]["bacsi"])
    his = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    visit = f.visit(f.patient("Hà Văn Qua API"))
    body = {**f.CLOSE, "weight_kg": None, "sick_leave_days": 2}
    resp = his.post(f"/api/v1/visits/{visit.pk}/closure", body, content_type="application/json")
    assert resp.status_code == 422, resp.content
    err = resp.json()["error"]
    assert err["code"] == "closure_claim_invalid"
    assert "cân nặng" in err["message_vi"] and "mã số BHXH" in err["message_vi"]
    assert err["message_en"]
    assert not VisitClosure.objects.filter(visit=visit).exists()


def test_without_a_drug_catalogue_the_closing_stands_and_says_the_admin_must_import_it(
    org, bacsi, login
):
    """A typed drug code at a facility that has not imported its drug catalogue has no
    SO_DANG_KY nor TT_THAU, which the portal refuses (issue #19). The clinician cannot fix that
    on the form: the closing is saved, the claim is kept as invalid in the claim-error queue
    with its next step, and the clinician is told the facility admin must import the drug
    catalogue. Once it is imported, saving the closing again builds a claim that passes."""
    visit = f.visit(f.patient("Đinh Văn Chưa Danh Mục"))
    page = login("bacsi").get(f"/healthbook/visits/{visit.pk}/close/").content.decode()
    assert 'data-testid="no-drug-catalogue"' in page and "nhập danh mục thuốc" in page

    closure = services.close_visit(bacsi, visit, dict(f.CLOSE))
    assert Visit.objects.get(pk=visit.pk).status == "closed"
    (notice,) = closure.claim_notices
    assert "chưa nhập danh mục thuốc" in notice and "Quản trị cơ sở" in notice
    item = OutboxItem.objects.get(visit=visit, kind="claim")
    assert item.state == "invalid"
    refused = {e["rule"]: e for e in item.errors}
    assert set(refused) == {"S2.14", "K2.05"}
    assert all("nhập danh mục thuốc" in e["next_step"] for e in refused.values())
    queue = login("bacsi").get("/interchange/queue/").content.decode()
    assert visit.ma_lk in queue and "nhập danh mục thuốc" in queue

    f.catalogue_drug()  # the admin imports the drug catalogue
    page = login("bacsi").get(f"/healthbook/visits/{visit.pk}/close/").content.decode()
    assert 'data-testid="no-drug-catalogue"' not in page
    again = services.close_visit(bacsi, visit, dict(f.CLOSE, version=closure.version))
    assert again.claim_notices == []
    item = OutboxItem.objects.filter(visit=visit, kind="claim").latest("pk")
    assert item.state == "waiting" and item.errors == []


def test_the_closing_page_shows_the_notice_after_saving(org, login):
    visit = f.visit(f.patient("Đinh Thị Thông Báo"))
    client = login("bacsi")
    form = {
        "main_icd10": "J06.9",
        "weight_kg": "60",
        "outcome": "2",
        "discharge_type": "1",
        "rx_rows": "1",
        "rx-0-drug_code": "40.9101",
        "rx-0-drug_name": "Paracetamol",
        "rx-0-dose": "1 viên × 3 lần/ngày",
        "rx-0-quantity": "10",
        "rx-0-unit_price": "500",
    }
    resp = client.post(f"/healthbook/visits/{visit.pk}/close/", form, follow=True)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Đã kết thúc đợt khám" in html and "chưa nhập danh mục thuốc" in html


def test_api_closes_and_warns_when_the_facility_has_no_drug_catalogue(org):
    from django.test import Client

    from kcb06.facilities.services import create_api_key

    key = create_api_key(org["facilities"]["27901"], "HIS phòng khám", org["users"]["bacsi"])
    his = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    visit = f.visit(f.patient("Hà Văn Chưa Danh Mục"))
    resp = his.post(f"/api/v1/visits/{visit.pk}/closure", f.CLOSE, content_type="application/json")
    assert resp.status_code == 200, resp.content
    (warning,) = resp.json()["warnings"]
    assert "chưa nhập danh mục thuốc" in warning
