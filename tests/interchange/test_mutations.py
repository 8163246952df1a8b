"""Hypothesis mutates valid signed files — comments and processing instructions inside text,
a DOCTYPE, nodes inside ds:Signature, changed text, extra attributes — and every mutation must
be refused, or verify to exactly the values that were signed: by `kcb06 xml verify`'s check,
by portalsim's own checks, and over real HTTP to portalsim."""

import base64
import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from kcb06.interchange.core import package
from portalsim.receiving import checks
from tests.interchange import hostile as h

DS = "{http://www.w3.org/2000/09/xmldsig#}"
SIGNER = h.signer("27901")
ORIGINAL = {"claim": h.claim(SIGNER), "checkin": h.checkin(SIGNER)}


def _tables_c14n(tables):
    return {code: etree.tostring(t, method="c14n") for code, t in tables.items()}


EXPECTED = {}
for _kind, _data in ORIGINAL.items():
    _report = package.check_file(_data)
    assert _report["valid"], _report["errors"]
    EXPECTED[_kind] = (_report["ma_lk"], _report["ma_cskcb"], _tables_c14n(_report["tables"]))


def _split_text(el, node, at):
    text = el.text or ""
    k = at % (len(text) + 1)
    el.text, node.tail = text[:k], text[k:]
    el.insert(0, node)


@st.composite
def mutated(draw, kind):
    data = ORIGINAL[kind]
    root = etree.fromstring(data)
    elements = list(root.iter())
    signature_nodes = list(root.iter(DS + "*"))
    what = draw(
        st.sampled_from(
            [
                "comment",
                "pi",
                "doctype",
                "node_in_signature",
                "text",
                "clear_text",
                "attribute",
                "bytes_comment",
            ]
        )
    )
    el = draw(st.sampled_from(elements))
    at = draw(st.integers(0, 200))
    word = draw(st.text(alphabet="0123456789ABCXYZ.", min_size=1, max_size=8))
    if what == "comment":
        _split_text(el, etree.Comment(word), at)
    elif what == "pi":
        _split_text(el, etree.ProcessingInstruction("x", word), at)
    elif what == "node_in_signature":
        target = draw(st.sampled_from(signature_nodes))
        tag = draw(st.sampled_from([DS + "Object", DS + "KeyName", "TONG_HOP", "MA_LK"]))
        child = etree.Element(tag)
        child.text = word
        target.insert(at % (len(target) + 1), child)
    elif what == "text":
        text = el.text or ""
        k = at % (len(text) + 1)
        el.text = text[:k] + word + text[k + 1 :]
    elif what == "clear_text":
        el.text = None
    elif what == "attribute":
        el.set("Id", word)
    out = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    if what == "doctype":
        body = h.without_declaration(out)
        out = b"<!DOCTYPE " + root.tag.encode() + b" [<!ENTITY e '" + word.encode() + b"'>]>" + body
    elif what == "bytes_comment":
        k = len(out) // 2 + at
        out = out[:k] + b"<!--" + word.encode() + b"-->" + out[k:]
    return what, out


def _kcb06_holds(kind, data):
    report = package.check_file(data)
    if not report["valid"]:
        assert report["errors"] and all(e["code"] and e["message_vi"] for e in report["errors"])
        return False
    assert (report["ma_lk"], report["ma_cskcb"], _tables_c14n(report["tables"])) == EXPECTED[kind]
    return True


def _portalsim_holds(kind, data):
    try:
        got = checks.examine(data, kind, "27901", lambda facility, fingerprint: True, "3176")
    except checks.Refusal as refusal:
        assert refusal.code in {"400", "123", "125"} and refusal.message
        return False
    original = checks.examine(ORIGINAL[kind], kind, "27901", lambda f, fp: True, "3176")
    assert (got.ma_lk, got.ma_cskcb, got.content_hash) == (
        original.ma_lk,
        original.ma_cskcb,
        original.content_hash,
    )
    return True


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["claim", "checkin"]).flatmap(lambda k: st.tuples(st.just(k), mutated(k))))
def test_every_mutation_is_refused_or_reads_exactly_what_was_signed(case):
    kind, (what, data) = case
    kept_by_kcb06 = _kcb06_holds(kind, data)
    kept_by_portalsim = _portalsim_holds(kind, data)
    if what in {"comment", "pi", "doctype", "node_in_signature", "bytes_comment"}:
        assert not kept_by_kcb06 and not kept_by_portalsim, what


MD5 = hashlib.md5(b"demo-portal").hexdigest().upper()  # noqa: S324


@pytest.fixture
def sim(portalsim):
    from kcb06.interchange.core import certs

    portalsim.post("/_control/reset")
    portalsim.post("/_control/receiving/reset")
    portalsim.post("/_control/receiving/certificates/clear", json={})
    portalsim.post(
        "/_control/receiving/certificates",
        json={"facility_code": "27901", "pem": certs.cert_pem(SIGNER.cert)},
    )
    tok = portalsim.post("/api/token/take", data={"username": "27901_BV", "password": MD5}).json()[
        "APIKey"
    ]
    yield portalsim, tok
    portalsim.post("/_control/receiving/certificates/clear", json={})


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mutated("checkin"))
def test_over_http_portalsim_never_answers_500_and_never_holds_other_content(sim, case):
    ps, tok = sim
    what, data = case
    r = ps.post(
        "/api/qd130/checkInKcbQd3176",
        headers={
            "accessToken": tok["access_token"],
            "tokenId": tok["id_token"],
            "passwordHash": MD5,
        },
        data={
            "username": "27901_BV",
            "loaiHoSo": "0",
            "maTinh": "24",
            "maCSKCB": "27901",
            "fileHSBase64": base64.b64encode(data).decode(),
        },
    )
    assert r.status_code == 200, r.text[:200]
    answer = r.json()
    assert answer["maKetQua"] in {"200", "400", "123", "125"}, answer
    versions = ps.get("/_control/receiving/stats?ma_lk=27901.H000001").json()["versions"]
    assert len(versions) <= 1  # at most the signed content, never a second version
    if answer["maKetQua"] == "200":
        assert what in {"text", "clear_text", "attribute"}
