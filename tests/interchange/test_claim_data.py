"""What the claim says comes from what was recorded, never a stand-in (issue #19): the
referral's destination from the closing form, the card check's MA_KHUVUC, NAM_NAM_LIEN_TUC
and date of birth as written on the card, results linked to their service (vital signs in the
clinical course, not XML4), XML11's employer, and no made-up MA_TTDV in production."""

from datetime import date

import pytest
from lxml import etree

from kcb06.healthbook import services
from kcb06.healthbook.claimcheck import ClosureProblems
from kcb06.healthbook.icd10 import FieldError
from kcb06.interchange.mapper import card_birth_text
from kcb06.interchange.models import OutboxItem, OutboxKind
from kcb06.visits.models import Visit, VisitStatus
from tests.healthbook import factories as f
from tests.interchange.claimhelpers import TRANSFER, as_bhyt_visit


def _claim(visit) -> dict[str, etree._Element]:
    item = OutboxItem.objects.filter(visit=visit, kind=OutboxKind.CLAIM).latest("pk")
    assert item.errors == [], item.errors
    assert item.version  # the regulation version it was built under is stored
    return {code: etree.fromstring(text.encode()) for code, text in item.tables.items()}


@pytest.mark.django_db
def test_a_transfer_names_its_destination_in_xml1_and_xml13(org, drug_catalogue):
    visit = f.visit(f.patient())
    services.close_visit(f.principal(org), visit, TRANSFER)
    tables = _claim(visit)
    assert tables["XML1"].findtext("MA_NOI_DEN") == "27001"
    xml13 = tables["XML13"]
    # A visit of today is a QĐ 3176 visit: MA_CSKCB_DEN is the destination's name there.
    assert xml13.findtext("MA_CSKCB_DEN") == "27001"
    assert xml13.findtext("PHUONGTIEN_VC") == "Xe cứu thương của trạm"
    assert xml13.findtext("TINH_TRANG_CT") == "Tỉnh, sốt 39 độ, mạch 100"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"referral_to": ""}, "referral_to", "nơi chuyển đến"),
        ({"referral_to": "27 01"}, "referral_to", "5 chữ số"),
        ({"referral_transport": ""}, "referral_transport", "phương tiện"),
        ({"referral_condition": ""}, "referral_condition", "tình trạng"),
    ],
)
def test_a_transfer_without_its_destination_is_refused_at_the_field(org, change, field, words):
    visit = f.visit(f.patient())
    with pytest.raises(FieldError) as err:
        services.close_visit(f.principal(org), visit, {**TRANSFER, **change})
    assert err.value.field == field
    assert words in err.value.message_vi
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.OPEN


@pytest.mark.django_db
def test_card_check_data_is_written_as_bhxh_returned_it(org, drug_catalogue):
    visit = as_bhyt_visit(
        f.visit(f.patient(dob=date(1985, 3, 15))),
        {"area_code": "K2", "date_of_birth": "1985", "five_year_date": "2019-05-01"},
        outcome="valid",
    )
    services.close_visit(f.principal(org), visit, f.CLOSE)
    xml1 = _claim(visit)["XML1"]
    assert xml1.findtext("MA_KHUVUC") == "K2"
    assert xml1.findtext("NAM_NAM_LIEN_TUC") == "20190501"
    # The card gives the year only: NGAY_SINH as on the card, not the ID card's full date.
    assert xml1.findtext("NGAY_SINH") == "198500000000"


@pytest.mark.parametrize(
    ("card", "expected"),
    [
        ("15/03/1985", "198503150000"),
        ("5/3/1985", "198503050000"),
        ("1985-03-15", "198503150000"),
        ("29/02/2024", "202402290000"),
        ("29/02/2023", ""),  # no such day
        ("03/1985", "198503000000"),
        ("1985", "198500000000"),
        ("", ""),
        ("15/13/1985", ""),
    ],
)
def test_card_birth_text(card, expected):
    assert card_birth_text(card) == expected


@pytest.mark.django_db
def test_results_are_linked_to_their_service_and_vital_signs_go_to_the_clinical_course(
    org, drug_catalogue
):
    visit = f.visit(f.patient())
    data = {
        **f.CLOSE,
        "services": [
            {
                "service_code": "23.0020.1494",
                "service_name": "Định lượng Glucose",
                "group_code": 1,
                "unit_price": "21500",
            }
        ],
        "results": [
            {"indicator_name": "Nhiệt độ", "value": "38.5", "unit": "°C"},
            {
                "service_code": "23.0020.1494",
                "indicator_code": "GLU",
                "indicator_name": "Glucose",
                "value": "5.4",
                "unit": "mmol/L",
            },
        ],
    }
    services.close_visit(f.principal(org), visit, data)
    tables = _claim(visit)
    rows = tables["XML4"].findall(".//CHI_TIET_CLS")
    assert [(r.findtext("MA_DICH_VU"), r.findtext("MA_CHI_SO")) for r in rows] == [
        ("23.0020.1494", "GLU")
    ]
    course = [r.findtext("DIEN_BIEN_LS") for r in tables["XML5"].findall(".//DIEN_BIEN_LS/..")]
    assert "Nhiệt độ: 38.5 °C" in course


@pytest.mark.django_db
def test_production_refuses_to_build_without_the_real_ma_ttdv(
    org, drug_catalogue, settings, monkeypatch
):
    settings.KCB06_ENV = "production"
    settings.KCB06_DEMO = False
    settings.DEBUG = False
    monkeypatch.delenv("KCB06_MA_TTDV_27901", raising=False)
    visit = f.visit(f.patient())
    with pytest.raises(ClosureProblems) as err:
        services.close_visit(f.principal(org), visit, f.CLOSE)
    assert "KCB06_MA_TTDV_27901" in err.value.message_vi
    assert "thủ trưởng" in err.value.message_vi
    monkeypatch.setenv("KCB06_MA_TTDV_27901", "2798765432")
    services.close_visit(f.principal(org), visit, f.CLOSE)
    assert _claim(visit)["XML1"].findtext("MA_TTDV") == "2798765432"


@pytest.mark.django_db
def test_development_writes_the_documented_stand_in(org, drug_catalogue, monkeypatch):
    monkeypatch.delenv("KCB06_MA_TTDV_27901", raising=False)
    visit = f.visit(f.patient())
    services.close_visit(f.principal(org), visit, f.CLOSE)
    assert _claim(visit)["XML1"].findtext("MA_TTDV") == "2790100000"


@pytest.mark.django_db
def test_outbox_row_keeps_its_version_and_a_resend_rebuilds_under_it(org, drug_catalogue):
    from django.utils import timezone

    from kcb06.interchange import outbox
    from kcb06.interchange.models import OutboxState

    patient = f.patient()
    old = f.visit(patient, days_ago=(timezone.localdate() - date(2024, 11, 20)).days)
    services.close_visit(f.principal(org), old, TRANSFER)
    item = OutboxItem.objects.filter(visit=old, kind=OutboxKind.CLAIM).latest("pk")
    assert item.version == "qd4750"
    assert "<MA_NOI_DEN>27001</MA_NOI_DEN>" in item.tables["XML13"]

    new = f.visit(patient)
    services.close_visit(f.principal(org), new, TRANSFER)
    item = OutboxItem.objects.filter(visit=new, kind=OutboxKind.CLAIM).latest("pk")
    assert item.version.startswith("qd3176")
    assert "<MA_CSKCB_DEN>27001</MA_CSKCB_DEN>" in item.tables["XML13"]
    # A row written before versions were stored ("" = 4750) is rebuilt as 4750 on resend, not
    # in today's shape.
    OutboxItem.objects.filter(pk=item.pk).update(version="", state=OutboxState.REJECTED)
    item.refresh_from_db()
    fresh = outbox.resend(item)
    assert fresh.version == "qd4750"
    assert "<MA_NOI_DEN>27001</MA_NOI_DEN>" in fresh.tables["XML13"]
