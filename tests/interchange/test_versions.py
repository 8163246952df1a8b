"""Regulation versions: the field tables, XSD and endpoints of the version in force on the
visit's date (QĐ 4750 to 31/12/2024, QĐ 3176 from 01/01/2025, the 2026 amendments), and the
stricter of the regulation's and the portal sheet's maximum lengths (issue #19)."""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from kcb06.interchange.core import package, versions
from kcb06.interchange.core.versions import check
from kcb06.interchange.core.xsdgen import XSD_DIR, envelope_xsd, table_xsd
from tests.interchange.claimhelpers import referred_visit as _visit

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (date(2024, 3, 1), "qd4750"),  # before 4750 was mandatory: still built as 4750
        (date(2024, 12, 31), "qd4750"),
        (date(2025, 1, 1), "qd3176"),
        (date(2026, 6, 30), "qd3176"),
        (date(2026, 7, 1), "qd3176_20260701"),
        (date(2026, 8, 1), "qd3176_20260801"),
    ],
)
def test_version_for_the_visit_date(day, code):
    assert versions.version_for(day).code == code


def test_version_for_a_datetime_uses_vietnam_local_date():
    # 31/12/2024 17:30 UTC is already 01/01/2025 00:30 in Viet Nam.
    from datetime import UTC

    assert versions.version_for(datetime(2024, 12, 31, 17, 30, tzinfo=UTC)).code == "qd3176"


def test_a_2024_visit_writes_the_4750_referral_and_a_2025_visit_the_3176_one():
    old, errors = package.build_claim(_visit(date(2024, 11, 20)))
    assert errors == []
    xml13 = old["XML13"]
    assert xml13.findtext("MA_NOI_DEN") == "27001"
    assert xml13.find("MA_CSKCB_DEN") is None and xml13.find("TINH_TRANG_CT") is None
    assert xml13.findtext("TEN_DICH_VU")  # 4750 requires it
    assert len(old["XML14"].findtext("NGAY_HEN_KL")) == 12

    new, errors = package.build_claim(_visit(date(2025, 3, 4)))
    assert errors == []
    xml13 = new["XML13"]
    assert [c.tag for c in xml13][5:7] == ["MA_CSKCB_DI", "MA_CSKCB_DEN"]
    assert xml13.findtext("MA_CSKCB_DEN") == "27001"
    assert xml13.findtext("TINH_TRANG_CT") == "Tỉnh táo"
    for gone in ("MA_NOI_DEN", "TEN_DICH_VU", "TEN_THUOC", "PP_DIEU_TRI"):
        assert xml13.find(gone) is None
    assert len(xml13) == 37
    assert new["XML14"].findtext("NGAY_HEN_KL") == "20250311"  # a date, no time


def test_each_version_validates_only_its_own_shape():
    tables_4750, _ = package.build_claim(_visit(date(2024, 11, 20)))
    tables_3176, _ = package.build_claim(_visit(date(2025, 3, 4)))
    # The 3176 referral under the 4750 XSD (and the reverse) is refused.
    wrong = check.validate_tables(tables_3176, versions.QD4750)
    assert {e["table"] for e in wrong if e["code"].startswith("xsd_")} >= {"XML13", "XML14"}
    wrong = check.validate_tables(tables_4750, versions.QD3176)
    assert {e["table"] for e in wrong if e["code"].startswith("xsd_")} >= {"XML13", "XML14"}


def test_ma_ttdv_is_wider_from_3176():
    """4750: 10 characters; 3176: wider (255 taken; LOW CONFIDENCE, docs/interchange.md)."""
    long_code = "1" * 40
    tables, _ = package.build_claim(_visit(date(2025, 3, 4)))
    tables["XML1"].find("MA_TTDV").text = long_code
    assert not check.xsd_errors(versions.QD3176, "XML1", tables["XML1"])
    errs = check.xsd_errors(versions.QD4750, "XML1", tables["XML1"])
    assert [(e["field"], e["code"]) for e in errs] == [("MA_TTDV", "xsd_too_long")]


def test_ma_loai_kcb_codes_10_to_16_only_from_august_2026():
    v = _visit(date(2026, 8, 3))
    v.visit_type = "13"  # family medicine (QĐ 1804)
    tables, _ = package.build_claim(v)
    xsd = check.xsd_errors(versions.QD3176_20260801, "XML1", tables["XML1"])
    assert not [e for e in xsd if e["field"] == "MA_LOAI_KCB"]
    xsd = check.xsd_errors(versions.QD3176_20260701, "XML1", tables["XML1"])
    assert [e["code"] for e in xsd if e["field"] == "MA_LOAI_KCB"] == ["xsd_code_list"]


def test_muc_huong_of_47_5_fits_only_from_july_2026():
    v = _visit(date(2026, 7, 2))
    tables, _ = package.build_claim(v)
    row = tables["XML2"].find(".//CHI_TIET_THUOC")
    row.find("MUC_HUONG").text = "47.5"
    assert not [
        e
        for e in check.xsd_errors(versions.QD3176_20260701, "XML2", tables["XML2"])
        if e["field"] == "MUC_HUONG"
    ]
    assert [
        e
        for e in check.xsd_errors(versions.QD3176, "XML2", tables["XML2"])
        if e["field"] == "MUC_HUONG"
    ]


@pytest.mark.parametrize(
    ("table", "field", "limit"),
    [("XML2", "MA_KHOA", 15), ("XML3", "MA_KHOA", 20), ("XML13", "DAU_HIEU_LS", 4000)],
)
def test_xsd_uses_the_portal_sheet_length_where_it_is_stricter(table, field, limit):
    """4750 allows MA_KHOA 50 and DAU_HIEU_LS without limit; the portal's sheet 15/20/4000."""
    v = _visit(date(2026, 11, 23))
    tables, errors = package.build_claim(v)
    assert errors == []
    node = tables[table].find(f".//{field}")
    node.text = "K" * limit
    assert not check.xsd_errors(versions.LATEST, table, tables[table])
    node.text = "K" * (limit + 1)
    errs = check.xsd_errors(versions.LATEST, table, tables[table])
    assert [(e["field"], e["code"]) for e in errs] == [(field, "xsd_too_long")]


def test_committed_xsd_files_are_the_generated_ones():
    for version in versions.VERSIONS:
        folder = XSD_DIR / version.code
        for code, table in version.tables.items():
            assert (folder / f"{code}.xsd").read_text(encoding="utf-8") == table_xsd(
                table, version
            ), f"{version.code}/{code}.xsd is stale: run python -m kcb06.interchange.core.xsdgen"
        assert (folder / "GIAMDINHHS.xsd").read_text(encoding="utf-8") == envelope_xsd(version)
    # One set per version and nothing else: kcb06 and portalsim read the version's folder.
    assert sorted(p.name for p in XSD_DIR.iterdir()) == sorted(v.code for v in versions.VERSIONS)


def test_each_version_has_its_own_module_and_xsd_folder():
    base = Path(versions.__file__).parent
    for module in ("qd4750.py", "qd3176.py", "qd1931_2026.py", "qd1804_2026.py"):
        assert (base / module).is_file()
    for version in versions.VERSIONS:
        assert (XSD_DIR / version.code / "XML1.xsd").is_file()
    assert versions.QD3176.claim_path.endswith("guiHoSoXmlQD3176")
    assert versions.QD4750.checkin_path.endswith("checkInKcbQd4750")


def test_verify_checks_a_signed_file_under_the_version_of_its_own_date():
    from kcb06.interchange.core import certs, signing

    key, cert = certs.make_certificate("27901", "TTYT Thử nghiệm")
    signer = signing.Signer(key, cert)
    for day, code in ((date(2024, 11, 20), "qd4750"), (date(2025, 3, 4), "qd3176")):
        tables, errors = package.build_claim(_visit(day))
        assert errors == []
        signed = package.sign_claim("27901", tables, signer, when=datetime(2026, 11, 1, tzinfo=VN))
        report = package.check_file(signed)
        assert report["version"] == code
        assert not [e for e in report["errors"] if e["code"].startswith("xsd_")], report["errors"]
        # Forced under the other version, the same file is refused by the XSD.
        other = versions.QD3176 if code == "qd4750" else versions.QD4750
        report = package.check_file(signed, version=other)
        assert [e for e in report["errors"] if e["code"].startswith("xsd_")]


def test_stored_version_code_round_trips():
    assert versions.get("") is versions.QD4750  # rows written before versions were stored
    for v in versions.VERSIONS:
        assert versions.get(v.code) is v
    with pytest.raises(ValueError):
        versions.get("qd9999")
    assert etree  # lxml used by the builders under test
