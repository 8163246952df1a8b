"""portalsim applies the portal's published rules (its own code, portalsim/receiving/rules.py)
over real HTTP: packages built by kcb06's builder are accepted — outpatient, inpatient with
XML7/XML8, a referral with XML11/XML13/XML14 — and one field broken at a time is refused with
the rule's own code in dsLoi. Tests may import both sides; portalsim itself imports nothing
from kcb06."""

import itertools
from datetime import timedelta

import pytest

from kcb06.interchange.core import package
from kcb06.interchange.core.data import Referral, SickLeave
from kcb06.interchange.core.samples import outpatient_visit
from portalsim.receiving import rules
from tests.portalsim.sending import outcome, send

_n = itertools.count(1)


@pytest.fixture
def ps(ps):
    # Every rule, including those the baseline leaves off while kcb06 cannot meet them yet.
    assert ps.post("/_control/receiving/rules", json={"off": []}).json()["off"] == []
    yield ps
    ps.post("/_control/receiving/rules", json={"baseline": True})


def _referred():
    """An outpatient visit transferred (MA_LOAI_RV 2) with sick leave and a follow-up."""
    v = outpatient_visit(ma_lk=f"27901.R{next(_n):06d}")
    v.arrived_at -= timedelta(days=1)
    v.closed_at -= timedelta(days=1)
    for line in [*v.services, *v.drugs, *v.results, *v.notes]:
        for attr in ("ordered_at", "performed_at", "result_at", "at"):
            if getattr(line, attr, None) is not None:
                setattr(line, attr, getattr(line, attr) - timedelta(days=1))
    v.discharge_type = "2"
    v.referral = Referral(
        to_facility="24001", number="CT-0001", transport="Xe cứu thương", condition="Ổn định"
    )
    start = v.arrived_at.date()
    v.sick_leave = SickLeave(
        days=3,
        start=start,
        end=start + timedelta(days=2),
        number="SCT-1",
        serial="SR-1",
        employer="Công ty Thử nghiệm",
        social_insurance_no="2712345678",
    )
    v.follow_up = start + timedelta(days=7)
    return v


def _inpatient():
    v = _referred()
    v.referral = None
    v.discharge_type = "1"
    v.visit_type = "03"
    v.admitted_at = v.arrived_at + timedelta(minutes=30)
    return v


def _tables(v):
    tables, errors = package.build_claim(v)
    assert errors == []
    return tables


def _check(tables):
    rules.switch_off([])
    try:
        return rules.check(tables, "27901")
    finally:
        rules.switch_off(rules.BASELINE_OFF)


def _send_tables(ps, own, tables):
    return send(ps, package.sign_claim("27901", tables, own))


@pytest.mark.parametrize("make", [_referred, _inpatient], ids=["referral", "inpatient"])
def test_packages_kcb06_builds_pass_every_rule_and_are_accepted(ps, own, make):
    tables = _tables(make())
    assert _check(tables) == []
    answer = _send_tables(ps, own, tables)
    assert outcome(answer) == ("200", ""), answer.get("dsLoi")


# (rule code, table, field, new value, which record of a line table): one rule of each kind
# and of each table kcb06 sends.
MUTATIONS = [
    ("XML1.SO_CCCD.DINH_DANG", "XML1", "SO_CCCD", "12345", 0),
    ("XML1.NGAY_SINH.NGAY", "XML1", "NGAY_SINH", "198502300000", 0),
    ("XML1.MA_BENH_CHINH.DINH_DANG", "XML1", "MA_BENH_CHINH", "viêm họng", 0),
    ("XML1.MA_TTDV.DINH_DANG", "XML1", "MA_TTDV", "12345", 0),
    ("XML1.MA_KHUVUC.DINH_DANG", "XML1", "MA_KHUVUC", "K9", 0),
    ("XML1.CAN_NANG.DINH_DANG", "XML1", "CAN_NANG", "nặng", 0),
    ("XML1.NGAY_RA.TRUOC", "XML1", "NGAY_RA", "200001010000", 0),
    ("XML1.SO_NGAY_DTRI.CONG_THUC", "XML1", "SO_NGAY_DTRI", "5", 0),
    ("XML1.T_BNCCT.TONG", "XML1", "T_BNCCT", "123", 0),
    ("XML1.T_THUOC.TONG", "XML1", "T_THUOC", "1", 0),
    ("XML1.MA_DKBD.BAT_BUOC_KHI", "XML1", "MA_DKBD", "", 0),
    ("XML2.TT_THAU.BAT_BUOC_KHI", "XML2", "TT_THAU", "", 0),
    ("XML2.SO_DANG_KY.BAT_BUOC_KHI", "XML2", "SO_DANG_KY", "", 1),
    ("XML2.THANH_TIEN_BV.CONG_THUC", "XML2", "THANH_TIEN_BV", "1", 0),
    ("XML2.NGAY_TH_YL.TRUOC", "XML2", "NGAY_TH_YL", "200001010000", 0),
    ("XML2.VET_THUONG_TP.DINH_DANG", "XML2", "VET_THUONG_TP", "2", 0),
    ("XML2.MA_NHOM.DINH_DANG", "XML2", "MA_NHOM", "13", 0),
    ("XML3.NGUOI_THUC_HIEN.BAT_BUOC_KHI", "XML3", "NGUOI_THUC_HIEN", "", 1),
    ("XML3.GOI_VTYT.DINH_DANG", "XML3", "GOI_VTYT", "X1", 0),
    ("XML3.NGAY_KQ.TRUOC", "XML3", "NGAY_KQ", "200001010000", 1),
    ("XML3.MA_GIUONG.DINH_DANG", "XML3", "MA_GIUONG", "giường 5", 0),
    ("XML3.TAI_SU_DUNG.DINH_DANG", "XML3", "TAI_SU_DUNG", "0", 0),
    ("XML4.NGAY_KQ.BAT_BUOC_KHI", "XML4", "NGAY_KQ", "", 0),
    ("XML5.THOI_DIEM_DBLS.TRUOC", "XML5", "THOI_DIEM_DBLS", "200001010000", 0),
    ("XML5.DIEN_BIEN_LS.BAT_BUOC", "XML5", "DIEN_BIEN_LS", "", 0),
    ("XML11.MA_BHXH.DINH_DANG", "XML11", "MA_BHXH", "0000000000", 0),
    ("XML11.MAU_SO.DINH_DANG", "XML11", "MAU_SO", "CT08", 0),
    ("XML11.SO_NGAY_NGHI.CONG_THUC", "XML11", "SO_NGAY_NGHI", "9", 0),
    ("XML13.HO_TEN.KHAC_XML1", "XML13", "HO_TEN", "Người Khác", 0),
    ("XML13.MA_CSKCB_DEN.KHAC_XML1", "XML13", "MA_CSKCB_DEN", "01013", 0),
    ("XML14.NGAY_HEN_KL.TRUOC", "XML14", "NGAY_HEN_KL", "200001010700", 0),
    ("XML14.MA_BENH_CHINH.KHAC_XML1", "XML14", "MA_BENH_CHINH", "A09", 0),
]
RECORD_PATHS = rules.RECORDS


def _set(tables, table, field, value, index):
    root = tables[table]
    record = root.findall(RECORD_PATHS[table])[index] if table in RECORD_PATHS else root
    element = record.find(field)
    assert element is not None, (table, field)
    element.text = value


@pytest.mark.parametrize(("code", "table", "field", "value", "index"), MUTATIONS)
def test_one_broken_rule_is_refused_with_its_code(ps, own, code, table, field, value, index):
    assert code in {r.code for r in rules.RULES}
    tables = _tables(_referred())
    _set(tables, table, field, value, index)
    answer = _send_tables(ps, own, tables)
    assert outcome(answer) == ("400", "content")
    assert code in {e.get("ma_loi") for e in answer["dsLoi"]}, answer["dsLoi"]
    assert f"[{code}]" in answer["thongDiep"]  # what staff read names the rule


@pytest.mark.parametrize("field", ["TT_THAU", "SO_DANG_KY"])
@pytest.mark.parametrize("group", ["4", "7", "17"])
def test_a_drug_needs_tender_data_and_registration_except_blood(field, group):
    """The portal's sheet: TT_THAU and SO_DANG_KY are required on a drug line except for blood
    and blood products (MA_NHOM 7, 17)."""
    tables = _tables(_referred())
    _set(tables, "XML2", "MA_NHOM", group, 0)
    _set(tables, "XML2", field, "", 0)
    found = {e["ma_loi"] for e in _check(tables)}
    assert found == (set() if group in {"7", "17"} else {f"XML2.{field}.BAT_BUOC_KHI"})


@pytest.mark.parametrize(
    ("drug", "refused"), [("40.17", False), ("40.573", False), ("40.9101", True)]
)
def test_oxygen_and_nitric_oxide_need_no_registration_number(drug, refused):
    """The sheet's SO_DANG_KY note exempts medical oxygen (40.17) and nitric oxide (40.573)."""
    tables = _tables(_referred())
    _set(tables, "XML2", "MA_THUOC", drug, 0)
    _set(tables, "XML2", "SO_DANG_KY", "", 0)
    found = {e["ma_loi"] for e in _check(tables)}
    assert found == ({"XML2.SO_DANG_KY.BAT_BUOC_KHI"} if refused else set())


def test_inpatient_rules_xml7_and_xml8(ps, own):
    tables = _tables(_inpatient())
    _set(tables, "XML7", "SO_NGAY_NGHI", "3", 0)  # without NGOAITRU_TUNGAY/DENNGAY
    answer = _send_tables(ps, own, tables)
    assert "XML7.SO_NGAY_NGHI.DONG_BO" in {e.get("ma_loi") for e in answer["dsLoi"]}
    # XML8 (medical record summary) only for inpatient-type visits.
    tables = _tables(_inpatient())
    _set(tables, "XML1", "MA_LOAI_KCB", "01", 0)
    _set(tables, "XML1", "SO_NGAY_DTRI", "0", 0)
    answer = _send_tables(ps, own, tables)
    assert "XML8.MA_LK.KHONG_DUOC_GUI" in {e.get("ma_loi") for e in answer["dsLoi"]}


def test_the_rule_catalogue_is_data_with_unique_codes():
    codes = [r.code for r in rules.RULES]
    assert len(codes) == len(set(codes))
    tables = {r.table for r in rules.RULES}
    assert tables == {"XML1", "XML2", "XML3", "XML4", "XML5", "XML7", "XML8", "XML11", "XML13",
                      "XML14"}  # fmt: skip
    assert len(codes) >= 80
    # XML13 TOMTAT_KQ: the sheet made it optional, so no rule requires it.
    assert not [r for r in rules.RULES if r.table == "XML13" and r.field == "TOMTAT_KQ"]


def test_a_rule_switched_off_is_not_applied_and_the_baseline_comes_back(ps, own):
    tables = _tables(_referred())
    _set(tables, "XML2", "TT_THAU", "", 0)
    code = "XML2.TT_THAU.BAT_BUOC_KHI"
    assert ps.post("/_control/receiving/rules", json={"off": [code]}).json()["off"] == [code]
    assert outcome(_send_tables(ps, own, tables)) == ("200", "")
    answer = ps.post("/_control/receiving/rules", json={"baseline": True}).json()
    assert answer["off"] == answer["baseline_off"] and answer["count"] == len(rules.RULES)
    assert ps.post("/_control/receiving/rules", json={"off": ["NO.SUCH.RULE"]}).status_code == 400
