"""Builders, validation, envelope and XML-DSig without a database: what leaves kcb06 is valid
per the XSD and the cross-table rules, and its signature verifies with signxml and xmlsec1."""

import base64
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from kcb06.interchange.core import certs, envelope, package, signing
from kcb06.interchange.core.data import Referral
from kcb06.interchange.core.samples import outpatient_visit
from tests.interchange.rule_mutations import BASES


@pytest.fixture(scope="module")
def signer():
    key, cert = certs.make_certificate("27901", "TTYT Thử nghiệm")
    return signing.Signer(key, cert)


def _codes(errors):
    return {(e["table"], e["field"], e["code"]) for e in errors}


def test_typical_visit_builds_valid_tables_with_amounts_summed():
    tables, errors = package.build_claim(outpatient_visit())
    assert errors == []
    assert list(tables) == ["XML1", "XML2", "XML3", "XML4", "XML5"]
    xml1 = tables["XML1"]
    lines = tables["XML2"].findall(".//CHI_TIET_THUOC") + tables["XML3"].findall(".//CHI_TIET_DVKT")
    assert len(lines) == 8
    total_bv = sum(Decimal(r.findtext("THANH_TIEN_BV")) for r in lines)
    assert Decimal(xml1.findtext("T_TONGCHI_BV")) == total_bv
    # card level 4, but the in-scope total 169,860.5 is below 15 % of the base salary on
    # 23/11/2026 (379,500): the fund pays 100 % and the patient co-pays nothing (issue #19).
    assert {r.findtext("MUC_HUONG") for r in lines} == {"100"}
    assert xml1.findtext("T_BNCCT") == "0"
    assert Decimal(xml1.findtext("T_BHTT")) == Decimal(xml1.findtext("T_TONGCHI_BH")) - Decimal(
        xml1.findtext("T_BNCCT")
    )
    assert xml1.findtext("NGAY_VAO") == "202611230805"  # local time, yyyyMMddHHmm
    assert xml1.findtext("MA_LOAI_KCB") == "01"  # a string with its leading zero


def test_visit_without_bhyt_claims_nothing_from_the_fund():
    tables, errors = package.build_claim(outpatient_visit(uses_bhyt=False))
    assert errors == []
    xml1 = tables["XML1"]
    assert xml1.findtext("T_BHTT") == "0"
    assert xml1.findtext("T_BNTT") == xml1.findtext("T_TONGCHI_BV")
    assert xml1.findtext("MA_THE_BHYT") is None or xml1.findtext("MA_THE_BHYT") == ""


def test_referral_sick_leave_and_follow_up_add_their_tables():
    v = BASES["ref"]()  # a transfer with sick leave and a follow-up date
    tables, errors = package.build_claim(v)
    assert errors == []
    assert {"XML11", "XML13", "XML14"} <= set(tables)
    assert tables["XML11"].findtext("DON_VI") == "Công ty A"
    assert tables["XML13"].findtext("PHUONGTIEN_VC") == "Xe cứu thương"


def test_referral_without_transport_is_refused_not_invented():
    v = outpatient_visit()
    v.discharge_type = "2"
    v.referral = Referral(to_facility="27001", number="CT-0001", condition="Tỉnh")
    tables, errors = package.build_claim(v)
    assert tables["XML13"].findtext("PHUONGTIEN_VC") == ""
    assert ("XML13", "PHUONGTIEN_VC", "xsd_required") in _codes(errors)


def test_inpatient_gets_discharge_paper_and_summary():
    tables, errors = package.build_claim(BASES["inp"]())  # admitted, 3 days later discharged
    assert errors == []
    assert {"XML7", "XML8"} <= set(tables)
    assert tables["XML1"].findtext("SO_NGAY_DTRI") == "4"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda t: t["XML1"].find("T_TONGCHI_BV").__setattr__("text", "1"),
            ("XML1", "T_TONGCHI_BV", "total_mismatch"),
        ),
        (
            lambda t: t["XML2"].find(".//MA_LK").__setattr__("text", "OTHER"),
            ("XML2", "MA_LK", "ma_lk_mismatch"),
        ),
        (
            lambda t: t["XML1"].find("MA_LOAI_KCB").__setattr__("text", "42"),
            ("XML1", "MA_LOAI_KCB", "code_list"),
        ),
        (
            lambda t: t["XML1"].find("KET_QUA_DTRI").__setattr__("text", "9"),
            ("XML1", "KET_QUA_DTRI", "code_list"),
        ),
        (
            lambda t: t["XML1"].find("MA_BENH_CHINH").__setattr__("text", "VIEMHONG"),
            ("XML1", "MA_BENH_CHINH", "icd10"),
        ),
        (
            lambda t: t["XML1"].find("NGAY_RA").__setattr__("text", "202611220000"),
            ("XML1", "NGAY_RA", "date_order"),
        ),
        (
            lambda t: t["XML1"].find("NGAY_VAO").__setattr__("text", "2026-11-23"),
            ("XML1", "NGAY_VAO", "xsd_format"),
        ),
        (
            lambda t: t["XML1"].find("HO_TEN").__setattr__("text", None),
            ("XML1", "HO_TEN", "xsd_format"),
        ),
        (
            lambda t: t["XML1"].find("MA_CSKCB").__setattr__("text", "279011"),
            ("XML1", "MA_CSKCB", "xsd_too_long"),
        ),
        (
            lambda t: t["XML2"].find(".//NGAY_TH_YL").__setattr__("text", "202611230000"),
            ("XML2", "NGAY_TH_YL", "date_order"),
        ),
    ],
)
def test_each_broken_rule_names_table_field_and_reason(mutate, expected):
    tables, _ = package.build_claim(outpatient_visit())
    tables["XML2"].find(".//NGAY_TH_YL").text = "202611230930"
    mutate(tables)
    from kcb06.interchange.core.validation import validate_tables

    errors = validate_tables(tables)
    table, field, code = expected
    matching = [e for e in errors if e["table"] == table and e["field"] == field]
    assert matching, errors
    if code != "xsd_format":
        assert code in {e["code"] for e in matching}
    assert all(e["message_vi"] for e in errors)


def test_xml8_only_for_inpatient_types_and_xml13_only_for_transfers():
    v = outpatient_visit()
    v.referral = Referral(to_facility="27001", number="CT-1")  # but MA_LOAI_RV stays 1
    tables, errors = package.build_claim(v)
    assert ("XML13", "MA_LK", "table_not_allowed") in _codes(errors)
    v = outpatient_visit()
    v.visit_type = "03"
    v.closed_at = v.arrived_at + timedelta(days=1)
    tables, _ = package.build_claim(v)
    tables["XML1"].find("MA_LOAI_KCB").text = "01"
    tables["XML1"].find("SO_NGAY_DTRI").text = "0"
    from kcb06.interchange.core.validation import validate_tables

    assert ("XML8", "MA_LK", "table_not_allowed") in _codes(validate_tables(tables))


def test_signed_envelope_verifies_with_signxml_and_detects_tampering(signer):
    tables, _ = package.build_claim(outpatient_visit())
    data = package.sign_claim("27901", tables, signer)
    report = package.check_file(data)
    assert report["valid"], report["errors"]
    assert report["ma_lk"] == "27901.20261123.000001"
    root = etree.fromstring(data)
    assert root[-1].tag == "CHUKYDONVI" and len(root[-1]) == 1
    # one HOSO, each table base64 of an XML document with its declaration
    (pkg,) = envelope.unwrap(root)
    assert set(pkg) == set(tables)
    raw = base64.b64decode(root.findtext(".//NOIDUNGFILE"))
    assert raw.startswith(b"<?xml")
    tampered = data.replace(b"<NGAYLAP>", b"<NGAYLAP>1", 1).replace(b"<NGAYLAP>1", b"<NGAYLAP>", 1)
    assert package.check_file(tampered)["valid"]
    tampered = data.replace(b"<MACSKCB>27901</MACSKCB>", b"<MACSKCB>27902</MACSKCB>")
    report = package.check_file(tampered)
    assert not report["valid"]
    assert report["signature"] == "invalid"


def test_unsigned_file_is_reported_as_unsigned():
    tables, _ = package.build_claim(outpatient_visit())
    root = envelope.wrap("27901", tables, datetime.now(UTC))
    report = package.check_file(envelope.serialize(root))
    assert report["signature"] == "unsigned"
    assert ("CHUKYDONVI", "CHUKYDONVI", "unsigned") in _codes(report["errors"])


def test_the_builder_refuses_a_certificate_of_another_facility(signer):
    other_key, other_cert = certs.make_certificate("27902", "PKĐK khác")
    tables = package.build_claim(outpatient_visit())[0]
    with pytest.raises(signing.SigningError) as exc:
        package.sign_claim("27901", tables, signing.Signer(other_key, other_cert))
    assert exc.value.code == "certificate_other_facility"
    checkin, _ = package.build_checkin_doc(outpatient_visit())
    with pytest.raises(signing.SigningError):
        package.sign_checkin(checkin, signing.Signer(other_key, other_cert))
    # A file by the facility's own certificate is not "by" another registered one.
    data = package.sign_claim("27901", tables, signer)
    assert signing.verify(data, other_cert)[0] == "invalid"
    assert signing.verify(data, signer.cert)[0] == "ok"


@pytest.mark.skipif(shutil.which("xmlsec1") is None, reason="xmlsec1 not installed")
def test_envelope_and_checkin_verify_with_xmlsec1_using_only_the_embedded_cert(signer, tmp_path):
    v = outpatient_visit()
    claim = package.sign_claim("27901", package.build_claim(v)[0], signer)
    checkin_root, errors = package.build_checkin_doc(v)
    assert errors == []
    checkin = package.sign_checkin(checkin_root, signer)
    for name, data in (("claim.xml", claim), ("checkin.xml", checkin)):
        path = tmp_path / name
        path.write_bytes(data)
        # --insecure: the demo certificate is self-signed; the key comes only from KeyInfo.
        ok = subprocess.run(
            ["xmlsec1", "--verify", "--insecure", "--enabled-key-data", "x509", str(path)],
            capture_output=True,
            text=True,
        )
        assert ok.returncode == 0, ok.stderr
        path.write_bytes(data.replace(b"27901", b"27902", 1))
        bad = subprocess.run(
            ["xmlsec1", "--verify", "--insecure", "--enabled-key-data", "x509", str(path)],
            capture_output=True,
            text=True,
        )
        assert bad.returncode != 0


def test_wrong_pkcs12_password_and_missing_file_give_clear_messages(tmp_path):
    key, cert = certs.make_certificate("27901")
    path = certs.write_pkcs12(tmp_path / "c.p12", key, cert, "right")
    assert signing.load_pkcs12_file(path, "right").info.serial_hex == format(
        cert.serial_number, "X"
    )
    with pytest.raises(signing.SigningError) as exc:
        signing.load_pkcs12_file(path, "wrong")
    assert exc.value.code == "pkcs12_password"
    assert "Mật khẩu" in exc.value.message_vi
    with pytest.raises(signing.SigningError) as exc:
        signing.load_pkcs12_file(tmp_path / "none.p12", "x")
    assert exc.value.code == "certificate_missing"


def test_expired_certificate_refuses_to_sign():
    key, cert = certs.make_certificate(
        "27901", days=10, not_before=datetime.now(UTC) - timedelta(days=20)
    )
    s = signing.Signer(key, cert)
    assert s.info.expired
    with pytest.raises(signing.SigningError) as exc:
        package.sign_claim("27901", package.build_claim(outpatient_visit())[0], s)
    assert exc.value.code == "certificate_expired"
    key, cert = certs.make_certificate(
        "27901", days=40, not_before=datetime.now(UTC) - timedelta(days=20)
    )
    assert signing.Signer(key, cert).info.expiring_soon


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_check_file_never_crashes_on_garbage(data):
    report = package.check_file(data)
    assert report["valid"] is False
    assert report["errors"]


@settings(max_examples=40, deadline=None)
@given(
    name=st.text(min_size=1, max_size=60).filter(lambda s: s.strip()),
    qty=st.decimals(min_value=Decimal("0.001"), max_value=Decimal("999"), places=3),
    price=st.decimals(min_value=Decimal("0"), max_value=Decimal("9999999"), places=3),
    level=st.sampled_from(["1", "2", "3", "4", "5"]),
)
def test_any_names_and_amounts_build_tables_whose_totals_add_up(name, qty, price, level):
    v = outpatient_visit()
    v.full_name = "".join(c for c in name if c.isprintable() and c not in "\x0b\x0c") or "A"
    v.benefit_level = level
    v.drugs[0].quantity = qty
    v.drugs[0].unit_price = price
    tables, errors = package.build_claim(v)
    bad = [e for e in errors if e["code"] in {"total_mismatch", "amount"}]
    assert bad == []
