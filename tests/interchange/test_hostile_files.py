"""`kcb06 xml verify` against each hostile class of issue 17: every file is made here, from a
valid signed one; each is refused with its own code and both messages, as JSON, exit 1 —
never a traceback — and what passes reads exactly what was signed."""

import json

import pytest
from typer.testing import CliRunner

from kcb06.interchange import certificates
from kcb06.interchange.cli import app
from kcb06.interchange.core import certs, package
from tests.interchange import hostile as h

runner = CliRunner()


@pytest.fixture(scope="module")
def own():
    return h.signer("27901")


def verify(tmp_path, data: bytes, *args) -> tuple[int, dict]:
    path = tmp_path / "file.xml"
    path.write_bytes(data)
    result = runner.invoke(app, ["verify", str(path), *args])
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.output)


def codes(report):
    for e in report["errors"]:
        assert e["message_vi"] and e.get("message", "x")
    return {e["code"] for e in report["errors"]}


def test_a_valid_file_passes_without_facility_and_says_the_signer_was_not_checked(tmp_path, own):
    code, report = verify(tmp_path, h.claim(own))
    assert code == 0, report["errors"]
    assert report["valid"] is True and report["ma_lk"] == "27901.H000001"
    assert report["signer"]["subject"].startswith("CN=TTYT Thử nghiệm (27901)")
    assert report["trust"]["checked"] is False and report["trust"]["basis"] == "not_checked"
    assert "trust list" in report["trust"]["message"]
    assert report["signing_day"]["source"] == "NGAYLAP"


@pytest.mark.parametrize(
    "payload",
    [
        b"<THONGTINHOSO><NGAYLAP>20261201</NGAYLAP></THONGTINHOSO>",
        b"<TONG_HOP><MA_LK>27901.H000001</MA_LK><T_TONGCHI_BV>1</T_TONGCHI_BV></TONG_HOP>",
        b"<DSACH_TRANG_THAI_KCB><TRANG_THAI_KCB><MA_LK>X</MA_LK></TRANG_THAI_KCB>"
        b"</DSACH_TRANG_THAI_KCB>",
    ],
    ids=["thongtinhoso", "second_tong_hop", "second_checkin_list"],
)
def test_content_inside_the_signature_is_refused(tmp_path, own, payload):
    for data in (h.claim(own), h.checkin(own)):
        code, report = verify(tmp_path, h.object_in_signature(data, payload))
        assert code == 1
        assert codes(report) == {"signature_structure"}
        assert report["ma_lk"] == ""  # nothing of the file was read


@pytest.mark.parametrize(
    "make,tag,after",
    [("checkin", b"MA_LK", 5), ("claim", b"NGAYLAP", 4), ("claim", b"MACSKCB", 3)],
)
def test_a_comment_in_signed_text_is_refused(tmp_path, own, make, tag, after):
    data = h.claim(own) if make == "claim" else h.checkin(own)
    code, report = verify(tmp_path, h.comment_inside(data, tag, after))
    assert code == 1 and codes(report) == {"comment"}
    assert "chú thích" in report["errors"][0]["message_vi"]
    assert report["ma_lk"] == ""


def test_a_processing_instruction_is_refused(tmp_path, own):
    code, report = verify(tmp_path, h.pi_inside(h.checkin(own), b"MA_LK"))
    assert code == 1 and codes(report) == {"processing_instruction"}


@pytest.mark.parametrize("root", [b"GIAMDINHHS", b"CHI_TIEU_TRANG_THAI_KCB"])
def test_a_doctype_with_entities_is_refused_without_reading_a_file_or_the_network(
    tmp_path, own, root
):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER-17")
    listener = h.Listener()
    try:
        data = h.claim(own) if root == b"GIAMDINHHS" else h.checkin(own)
        code, report = verify(
            tmp_path, h.doctype_with_entities(data, root, str(secret), listener.port)
        )
        assert not listener.connected()
    finally:
        listener.close()
    assert code == 1 and codes(report) == {"doctype"}
    assert "SECRET-MARKER-17" not in json.dumps(report)


@pytest.mark.parametrize("usage", ["key_encipherment_only", "no_extension"])
def test_a_certificate_whose_key_usage_does_not_allow_signing_is_refused(tmp_path, usage):
    ku = None
    if usage == "key_encipherment_only":
        from cryptography import x509

        ku = x509.KeyUsage(False, False, True, False, False, False, False, False, False)
    code, report = verify(tmp_path, h.claim(h.signer("27901", key_usage=ku)))
    assert code == 1 and "certificate_key_usage" in codes(report)
    assert report["signer"]["key_usage"] in (["key_encipherment"], None)


@pytest.mark.django_db
def test_a_self_signed_certificate_naming_the_facility_is_not_trusted_for_it(tmp_path, org, own):
    stranger = h.signer("27901")  # names 27901, registered nowhere
    certificates.register_certificate(org["facilities"]["27901"], own.cert)
    code, report = verify(tmp_path, h.claim(stranger), "--facility", "27901")
    assert code == 1 and codes(report) == {"certificate_not_trusted"}
    assert report["trust"] | {"message_vi": "", "message": ""} == {
        "checked": True,
        "trusted": False,
        "basis": "refused",
        "facility": "27901",
        "message_vi": "",
        "message": "",
    }
    code, report = verify(tmp_path, h.claim(own), "--facility", "27901")
    assert code == 0, report["errors"]
    assert report["trust"]["basis"] == "registered" and report["trust"]["trusted"] is True


@pytest.mark.django_db
def test_a_certificate_of_another_facility_is_refused_by_verifier_and_builder(tmp_path, org):
    other = h.signer("27902")
    certificates.register_certificate(org["facilities"]["27902"], other.cert)
    tables = package.build_claim(h.visit())[0]
    # A file of 27901 signed by 27902's (registered) certificate:
    code, report = verify(tmp_path, package.sign_claim("27901", tables, other))
    assert code == 1 and "certificate_other_facility" in codes(report)
    code, report = verify(
        tmp_path, package.sign_claim("27901", tables, other), "--facility", "27901"
    )
    assert {"certificate_other_facility", "certificate_not_trusted"} <= codes(report)
    assert "27902" in report["trust"]["message"]
    code, report = verify(
        tmp_path, package.sign_claim("27901", tables, other), "--facility", "27902"
    )
    assert "facility_mismatch" in codes(report)
    # kcb06's own builder does not sign with it at all:
    from kcb06.interchange.core import signing

    with pytest.raises(signing.SigningError):
        package.sign_claim("27901", tables, signing.Signer(other._key, other.cert))


@pytest.mark.django_db
def test_a_certificate_issued_by_a_configured_ca_is_trusted(tmp_path, org, settings):
    ca_key, ca_cert = certs.make_ca()
    (tmp_path / "ca.pem").write_text(certs.cert_pem(ca_cert))
    settings.KCB06_SIGNING_CA_FILE = str(tmp_path / "ca.pem")
    key, cert = certs.make_certificate("27901", "TTYT", issuer=(ca_key, ca_cert))
    code, report = verify(tmp_path, h.claim(h.RogueSigner(key, cert)), "--facility", "27901")
    assert code == 0, report["errors"]
    assert report["trust"]["basis"] == "ca"
    # Another CA's certificate is not:
    other_ca = certs.make_ca("CA khác")
    key, cert = certs.make_certificate("27901", "TTYT", issuer=other_ca)
    code, report = verify(tmp_path, h.claim(h.RogueSigner(key, cert)), "--facility", "27901")
    assert code == 1 and report["trust"]["basis"] == "refused"


def test_validity_is_judged_on_the_signing_day_recorded_in_the_file(tmp_path):
    expired = h.expired_signer(days_ago_expired=10)
    # Signed 20 days ago, while valid: still valid today, after the certificate ended.
    code, report = verify(tmp_path, h.claim(expired, when=h.local_day(-20)))
    assert code == 0, report["errors"]
    # Signed today with the expired certificate:
    code, report = verify(tmp_path, h.claim(expired))
    assert code == 1 and codes(report) == {"certificate_expired_at_signing"}
    # Not yet valid on the signing day:
    future = h.signer("27901", not_before=h.local_day(5))
    code, report = verify(tmp_path, h.claim(future))
    assert code == 1 and codes(report) == {"certificate_not_yet_valid_at_signing"}


def test_signed_content_that_breaks_schema_or_rules_exits_non_zero(tmp_path, own):
    tables, _ = package.build_claim(h.visit())
    tables["XML1"].find("T_TONGCHI_BV").text = "1"
    code, report = verify(tmp_path, package.sign_claim("27901", tables, own))
    assert code == 1 and "total_mismatch" in codes(report)
    assert report["signature"] == "ok"
    tables["XML1"].find("MA_LK").text = ""
    code, report = verify(tmp_path, package.sign_claim("27901", tables, own))
    assert code == 1 and any(c.startswith("xsd_") for c in codes(report))


def test_a_table_given_twice_is_refused(tmp_path, own):
    tables, _ = package.build_claim(h.visit())
    data = package.sign_claim("27901", tables, own)
    from lxml import etree

    from kcb06.interchange.core import envelope

    root = etree.fromstring(data)
    root.find("CHUKYDONVI").clear()
    hoso = root.find(".//HOSO")
    hoso.append(etree.fromstring(etree.tostring(hoso[0])))
    again = envelope.serialize(own.sign(root, "27901"))
    code, report = verify(tmp_path, again)
    assert code == 1 and "base64" in codes(report)


@pytest.mark.parametrize(
    "pattern,replacement,code",
    [
        (rb"<ds:SignatureValue>[^<]*<", b"<ds:SignatureValue><", "signature_form"),
        (rb"<ds:X509Certificate>[^<]*<", b"<ds:X509Certificate>AAAA<", "certificate_unreadable"),
        (rb"<ds:DigestValue>[^<]*<", b"<ds:DigestValue><", "signature_invalid"),
    ],
    ids=["empty_signature_value", "broken_certificate", "empty_digest"],
)
def test_a_broken_signature_is_a_clear_refusal_not_a_traceback(
    tmp_path, own, pattern, replacement, code
):
    import re

    code_, report = verify(tmp_path, re.sub(pattern, replacement, h.claim(own), count=1))
    assert code_ == 1 and codes(report) <= {code, "signature_form", "signature_invalid"}
