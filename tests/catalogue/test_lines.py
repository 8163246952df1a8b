"""Clinician: drug and service lines come from the catalogue row valid on the visit's date;
free text is a note in the book, never a claim line."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from kcb06.catalogue import demo as catalogue_demo
from kcb06.catalogue import parsing, services
from kcb06.catalogue.columns import CATALOGUES
from kcb06.facilities.models import Facility
from kcb06.healthbook import services as healthbook
from kcb06.healthbook.icd10 import FieldError
from kcb06.healthbook.models import Prescription
from kcb06.interchange.models import OutboxItem
from tests.catalogue.files import DRUG_HEADER, csv, drug
from tests.healthbook import factories as f


@pytest.fixture
def demo_catalogue(org):
    return catalogue_demo.seed()


def _rows(rows):
    parsed = parsing.parse_file(CATALOGUES["drugs"], "t.csv", csv(DRUG_HEADER, rows))
    assert not parsed.errors, parsed.errors
    return parsed.rows


def _close(org, visit, prescriptions, services_=()):
    data = dict(f.CLOSE, weight_kg="60", prescriptions=prescriptions, services=list(services_))
    healthbook.close_visit(f.principal(org), visit, data)
    return OutboxItem.objects.filter(visit=visit, kind="claim").latest("pk")


def test_the_line_carries_the_row_valid_on_the_visit_date(org):
    """Paracetamol costs 1,200 until 40 days ago and 1,350 since: a visit of 60 days ago is
    billed at the old price, today's at the new one, though the clinician picked today's row."""
    today = timezone.localdate()
    change = today - timedelta(days=40)
    facility = Facility.objects.get(code="27901")
    services.seed_rows(
        facility.pk,
        "drugs",
        _rows(
            [
                drug(
                    "40.1",
                    "Paracetamol",
                    1200,
                    start="20250101",
                    end=f"{change - timedelta(days=1):%Y%m%d}",
                ),
                drug("40.1", "Paracetamol", 1350, start=f"{change:%Y%m%d}"),
            ]
        ),
    )
    picked = services.search(facility.pk, "drugs", "paracetamol")[0]
    assert picked.price == 1350
    line = {"catalogue_id": str(picked.pk), "dose": "1 viên × 3 lần/ngày", "quantity": "10"}

    old = f.visit(f.patient("Lê Văn Tháng Trước"), days_ago=60)
    item = _close(org, old, [dict(line)])
    rx = Prescription.objects.get(visit=old)
    assert rx.unit_price == 1200 and rx.drug_code == "40.1" and rx.billable
    assert rx.registration == "VD-40.1" and rx.tender == "1021/QĐ-SYT;G1;N4;2026"
    xml2 = item.tables["XML2"]
    assert "<DON_GIA>1200" in xml2 and "<TT_THAU>1021/QĐ-SYT;G1;N4;2026</TT_THAU>" in xml2
    assert "<SO_DANG_KY>VD-40.1</SO_DANG_KY>" in xml2 and "<MA_NHOM>4</MA_NHOM>" in xml2
    assert "<PHAM_VI>1</PHAM_VI>" in xml2

    new = f.visit(f.patient("Lê Thị Hôm Nay"))
    item = _close(org, new, [dict(line, unit_price="1")])  # a typed price is not taken
    assert Prescription.objects.get(visit=new).unit_price == 1350
    assert "<DON_GIA>1350" in item.tables["XML2"]

    # A visit before the catalogue's first day: no row valid then, said at the line.
    older = f.visit(f.patient("Lê Văn Năm Ngoái"), days_ago=(today - date(2024, 12, 31)).days)
    with pytest.raises(FieldError) as err:
        _close(org, older, [dict(line)])
    assert err.value.field == "prescriptions.0.drug_code"
    assert "không có trong danh mục" in err.value.message_vi


def test_search_with_or_without_diacritics_by_name_or_code(demo_catalogue, org):
    facility = Facility.objects.get(code="27901")

    def names(slug, q):
        return [r.name for r in services.search(facility.pk, slug, q)]

    assert names("drugs", "natri clorid") == ["Natri clorid 0,9%"]
    assert names("services", "dinh luong glucose") == ["Định lượng Glucose [Máu]"]
    assert names("services", "Định lượng") == ["Định lượng Glucose [Máu]"]
    assert names("services", "sieu am") == ["Siêu âm ổ bụng"]
    assert names("drugs", "40.9003") == ["Metformin"]
    assert names("drugs", "paracetamon")[:1] == ["Paracetamol"]  # a typo, by rapidfuzz
    assert names("drugs", "zzzz") == []

    from django.test import Client

    web = Client()
    web.force_login(org["users"]["bacsi"])
    html = web.get("/catalogue/search/drugs/", {"rx-0-drug_name": "acetylcystein", "line": "rx-0"})
    assert html.status_code == 200
    body = html.content.decode()
    assert "Acetylcystein" in body and 'data-cat-line="rx-0"' in body and "data-cat-id" in body
    assert web.get("/catalogue/search/staff/", {"q": "a"}).status_code == 404


def test_a_free_text_drug_is_a_note_never_a_claim_line(demo_catalogue, org):
    facility = Facility.objects.get(code="27901")
    amlodipin = services.search(facility.pk, "drugs", "amlodipin")[0]
    visit = f.visit(f.patient("Hồ Thị Thuốc Nam"))
    item = _close(
        org,
        visit,
        [
            {"catalogue_id": str(amlodipin.pk), "dose": "1 viên sáng", "quantity": "30"},
            {
                "drug_name": "Thuốc nam tự chọn",
                "dose": "1 gói/ngày",
                "quantity": "5",
                "unit_price": "0",
            },
        ],
        [{"service_code": "02.1896", "quantity": "1"}],
    )
    note = Prescription.objects.get(visit=visit, drug_name="Thuốc nam tự chọn")
    assert not note.billable and note.drug_code == ""
    xml2 = item.tables["XML2"]
    assert "Amlodipin" in xml2 and "Thuốc nam" not in xml2 and "00.0000" not in xml2
    assert xml2.count("<CHI_TIET_THUOC>") == 1
    assert "<DON_GIA_BV>38700" in item.tables["XML3"]  # the service's price from the catalogue
    assert item.errors == []

    # With a catalogue, a typed code that is not in it is refused at its line.
    other = f.visit(f.patient("Hồ Văn Mã Lạ"))
    with pytest.raises(FieldError) as err:
        _close(
            org,
            other,
            [
                {
                    "drug_code": "00.0000",
                    "drug_name": "Thuốc lạ",
                    "dose": "x",
                    "quantity": "1",
                    "unit_price": "500",
                }
            ],
        )
    assert err.value.field == "prescriptions.0.drug_code"
    with pytest.raises(FieldError) as err:
        _close(org, other, [], [{"service_code": "99.9999", "service_name": "Lạ"}])
    assert err.value.field == "services.0.service_code"


def test_the_api_closes_with_catalogue_rows_too(demo_catalogue, org):
    from django.test import Client

    from kcb06.facilities.services import create_api_key

    key = create_api_key(Facility.objects.get(code="27901"), "HIS", org["users"]["bacsi"])
    his = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    metformin = services.search(Facility.objects.get(code="27901").pk, "drugs", "metformin")[0]
    visit = f.visit(f.patient("Vũ Thị Qua API"))
    body = {
        **f.CLOSE,
        "prescriptions": [{"catalogue_id": metformin.pk, "dose": "1 viên", "quantity": "20"}],
        "services": [{"service_code": "23.0075"}],
    }
    answer = his.post(f"/api/v1/visits/{visit.pk}/closure", body, content_type="application/json")
    assert answer.status_code == 200, answer.content
    line = Prescription.objects.get(visit=visit)
    assert (line.drug_code, line.unit_price, line.registration) == ("40.9003", 380, "VD-90003-24")
    assert visit.services.get().unit_price == 21500
    body["prescriptions"] = [{"catalogue_id": 10**12, "dose": "x", "quantity": "1"}]
    answer = his.post(f"/api/v1/visits/{visit.pk}/closure", body, content_type="application/json")
    assert answer.status_code in (400, 409, 422)
    assert "danh mục" in answer.json()["error"]["message_vi"]
