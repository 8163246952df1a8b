"""portalsim's receiving side over real HTTP, against each hostile class of issue 17: the
portal's code with the right reason (maLyDo) for each, never HTTP 500; token and MD5 rules;
versions of a visit (same content acknowledged, newer replaces, older refused with 409)."""

import json

import pytest

from kcb06.interchange.core import certs, package
from tests.interchange import hostile as h
from tests.portalsim.sending import MD5, outcome, register, send, token


def test_valid_claim_and_checkin_are_accepted(ps, own):
    answer = send(ps, h.claim(own))
    assert outcome(answer) == ("200", "") and answer["maGiaoDich"]
    assert outcome(send(ps, h.checkin(own), "checkin")) == ("200", "")


@pytest.mark.parametrize(
    "payload",
    [
        b"<THONGTINHOSO><NGAYLAP>20261201</NGAYLAP></THONGTINHOSO>",
        b"<TONG_HOP><MA_LK>27901.H000001</MA_LK></TONG_HOP>",
        b"<DSACH_TRANG_THAI_KCB><TRANG_THAI_KCB><MA_LK>X</MA_LK></TRANG_THAI_KCB>"
        b"</DSACH_TRANG_THAI_KCB>",
    ],
    ids=["thongtinhoso", "second_tong_hop", "second_checkin_list"],
)
def test_content_inside_the_signature_is_refused(ps, own, payload):
    assert outcome(send(ps, h.object_in_signature(h.claim(own), payload))) == (
        "125",
        "signature_structure",
    )
    answer = send(ps, h.object_in_signature(h.checkin(own), payload), "checkin")
    assert outcome(answer) == ("125", "signature_structure")
    stats = ps.get("/_control/receiving/stats").json()
    assert stats["claim"]["versions"] == stats["checkin"]["versions"] == 0


def test_comments_and_processing_instructions_are_refused(ps, own):
    answer = send(ps, h.comment_inside(h.checkin(own), b"MA_LK", 5), "checkin")
    assert outcome(answer) == ("400", "comment") and "chú thích" in answer["thongDiep"]
    assert outcome(send(ps, h.comment_inside(h.claim(own), b"NGAYLAP", 4))) == ("400", "comment")
    answer = send(ps, h.pi_inside(h.checkin(own), b"MA_LK"), "checkin")
    assert outcome(answer) == ("400", "processing_instruction")
    assert ps.get("/_control/receiving/stats?ma_lk=27901").json()["versions"] == []


@pytest.mark.parametrize("kind", ["claim", "checkin"])
def test_a_doctype_is_refused_as_such_without_500_file_or_network(ps, own, tmp_path, kind):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER-17")
    listener = h.Listener()
    try:
        data = h.claim(own) if kind == "claim" else h.checkin(own)
        root = b"GIAMDINHHS" if kind == "claim" else b"CHI_TIEU_TRANG_THAI_KCB"
        answer = send(ps, h.doctype_with_entities(data, root, str(secret), listener.port), kind)
        assert not listener.connected()
    finally:
        listener.close()
    assert outcome(answer) == ("400", "doctype")
    assert "SECRET-MARKER-17" not in json.dumps(answer)


def test_a_certificate_without_signing_key_usage_is_refused(ps):
    from cryptography import x509

    ku = x509.KeyUsage(False, False, True, False, False, False, False, False, False)
    weak = h.signer("27901", key_usage=ku)
    register(ps, "27901", weak.cert)
    assert outcome(send(ps, h.claim(weak))) == ("125", "certificate_key_usage")


def test_unregistered_and_other_facility_certificates_are_refused(ps):
    stranger = h.signer("27901")  # self-signed, names 27901, not registered
    assert outcome(send(ps, h.claim(stranger))) == ("125", "certificate_not_registered")
    other = h.signer("27902")
    register(ps, "27902", other.cert)
    tables = package.build_claim(h.visit())[0]
    answer = send(ps, package.sign_claim("27901", tables, other))
    assert outcome(answer) == ("125", "certificate_not_registered")


def test_validity_is_judged_on_the_signing_day_with_the_right_reason(ps):
    expired = h.expired_signer(days_ago_expired=10)
    register(ps, "27901", expired.cert)
    assert outcome(send(ps, h.claim(expired, when=h.local_day(-20)))) == ("200", "")
    answer = send(ps, h.claim(expired, ma_lk="27901.H000002"))
    assert outcome(answer) == ("125", "certificate_expired_at_signing")
    assert "hết hạn" in answer["thongDiep"] and "sửa sau khi ký" not in answer["thongDiep"]
    future = h.signer("27901", not_before=h.local_day(5))
    register(ps, "27901", future.cert)
    answer = send(ps, h.claim(future, ma_lk="27901.H000003"))
    assert outcome(answer) == ("125", "certificate_not_yet_valid_at_signing")


def test_changes_after_signing_unsigned_and_bad_content(ps, own):
    data = h.claim(own)
    tampered = data.replace(b"<MACSKCB>27901<", b"<MACSKCB>27902<")
    assert outcome(send(ps, tampered)) == ("125", "digest_mismatch")
    root, _ = package.build_checkin_doc(h.visit())
    from kcb06.interchange.core.builders import to_bytes

    assert outcome(send(ps, to_bytes(root), "checkin")) == ("123", "unsigned")
    tables, _ = package.build_claim(h.visit())
    tables["XML1"].find("T_TONGCHI_BV").text = "1"
    answer = send(ps, package.sign_claim("27901", tables, own))
    assert outcome(answer) == ("400", "content") and answer["dsLoi"]
    tables["XML1"].find("MA_LK").text = ""
    assert outcome(send(ps, package.sign_claim("27901", tables, own)))[0] == "400"
    assert outcome(send(ps, data, "checkin")) == ("400", "wrong_kind")


def test_lower_case_md5_password_is_refused(ps, own):
    assert token(ps, MD5.lower())["maKetQua"] == "401"
    answer = send(ps, h.claim(own), password_hash=MD5.lower())
    assert outcome(answer) == ("401", "password")
    assert outcome(send(ps, h.claim(own))) == ("200", "")


def test_versions_same_is_acknowledged_newer_replaces_older_is_refused(ps, own):
    a_visit, b_visit, c_visit = h.visit(), h.visit(), h.visit()
    b_visit.final_diagnosis = "Chẩn đoán sửa lần 1"
    c_visit.final_diagnosis = "Chẩn đoán sửa lần 2"
    a_old = h.claim(own, v=a_visit, when=h.local_day(-2))
    b = h.claim(own, v=b_visit, when=h.local_day(-1))
    first = send(ps, a_old)
    assert outcome(first) == ("200", "")
    second = send(ps, b)
    assert outcome(second) == ("200", "") and "thay thế" in second["thongDiep"]
    older = send(ps, a_old)  # the older signed file again: no roll-back
    assert outcome(older) == ("409", "older_version") and not older["maGiaoDich"]
    again = send(ps, b)  # the same content again: acknowledged with its first receipt
    assert outcome(again) == ("200", "") and again["maGiaoDich"] == second["maGiaoDich"]
    same_day = send(ps, h.claim(own, v=a_visit, when=h.local_day(-1)))
    assert outcome(same_day) == ("409", "older_version")
    back = send(ps, h.claim(own, v=a_visit))  # earlier content, signed again today: newer
    assert outcome(back) == ("200", "") and back["maGiaoDich"] == first["maGiaoDich"]
    late = send(ps, h.claim(own, v=c_visit, when=h.local_day(-1)))
    assert outcome(late) == ("409", "older_version")
    versions = ps.get("/_control/receiving/stats?ma_lk=27901.H000001").json()["versions"]
    assert [v["current"] for v in versions] == [True, False]
    assert versions[0]["transaction_id"] == first["maGiaoDich"]


def test_a_broken_signature_is_refused_with_125_not_500(ps, own):
    import re

    data = h.claim(own)
    for pattern, replacement in (
        (rb"<ds:SignatureValue>[^<]*<", b"<ds:SignatureValue><"),
        (rb"<ds:X509Certificate>[^<]*<", b"<ds:X509Certificate>AAAA<"),
        (rb"<ds:DigestValue>[^<]*<", b"<ds:DigestValue><"),
    ):
        answer = send(ps, re.sub(pattern, replacement, data, count=1))
        assert answer["maKetQua"] == "125", answer


XMLSEC_TEMPLATE = (
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
    '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>'
    '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
    '<ds:Reference URI=""><ds:Transforms><ds:Transform '
    'Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></ds:Transforms>'
    '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/>'
    "</ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data>"
    "<ds:X509Certificate/></ds:X509Data></ds:KeyInfo></ds:Signature>"
)


@pytest.mark.skipif(__import__("shutil").which("xmlsec1") is None, reason="xmlsec1 missing")
def test_a_file_signed_by_another_implementation_is_accepted_by_both(ps, own, tmp_path):
    """Neither verifier is tuned to kcb06's own signer: a file signed by Debian's xmlsec1
    (line-wrapped base64, its own serialisation) passes kcb06's check and portalsim's."""
    import subprocess
    from datetime import UTC, datetime

    from cryptography.hazmat.primitives import serialization
    from lxml import etree

    from kcb06.interchange.core import envelope

    key_pem = own._key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "key.pem").write_bytes(key_pem)
    (tmp_path / "cert.pem").write_text(certs.cert_pem(own.cert))
    root = envelope.wrap("27901", package.build_claim(h.visit())[0], datetime.now(UTC))
    root.find("CHUKYDONVI").append(etree.fromstring(XMLSEC_TEMPLATE))
    (tmp_path / "t.xml").write_bytes(envelope.serialize(root))
    done = subprocess.run(
        [
            "xmlsec1",
            "--sign",
            "--privkey-pem",
            f"{tmp_path / 'key.pem'},{tmp_path / 'cert.pem'}",
            "--output",
            str(tmp_path / "signed.xml"),
            str(tmp_path / "t.xml"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    data = (tmp_path / "signed.xml").read_bytes()
    assert b"\n" in data.split(b"<ds:SignatureValue>")[1].split(b"<")[0]  # not our own form
    report = package.check_file(data)
    assert report["valid"], report["errors"]
    assert outcome(send(ps, data)) == ("200", "")
