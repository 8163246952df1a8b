"""Hostile files of issue 17, made here from valid signed ones: each class of attack that fooled
`kcb06 xml verify` or portalsim once. Shared by the CLI tests and portalsim's HTTP tests."""

import re
import socket
from datetime import UTC, datetime, timedelta

from kcb06.interchange.core import certs, package, signing
from kcb06.interchange.core.samples import outpatient_visit

DS_OPEN = b'<ds:Object xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'


class RogueSigner(signing.Signer):
    """Signs with whatever certificate it holds, skipping kcb06's own refusals (expired, key
    usage, facility): what another tool, or someone holding a key, can produce."""

    def check_usable(self, ma_cskcb=None):
        return None


def signer(facility="27901", **kw) -> signing.Signer:
    """Valid from 30 days back unless told otherwise (files dated a few days back)."""
    kw.setdefault("not_before", datetime.now(UTC) - timedelta(days=30))
    key, cert = certs.make_certificate(facility, "TTYT Thử nghiệm", **kw)
    return RogueSigner(key, cert)


def visit(ma_lk="27901.H000001"):
    return outpatient_visit(ma_lk=ma_lk)


def claim(by: signing.Signer, ma_lk="27901.H000001", when=None, v=None) -> bytes:
    tables, errors = package.build_claim(v or visit(ma_lk))
    assert errors == []
    return package.sign_claim("27901", tables, by, when=when)


def checkin(by: signing.Signer, ma_lk="27901.H000001") -> bytes:
    root, errors = package.build_checkin_doc(visit(ma_lk))
    assert errors == []
    return package.sign_checkin(root, by)


# --- mutations of a signed file ------------------------------------------------------------


def object_in_signature(data: bytes, payload: bytes) -> bytes:
    """Content the enveloped reference does not cover, carried inside ds:Signature."""
    return data.replace(b"</ds:Signature>", DS_OPEN + payload + b"</ds:Object></ds:Signature>")


def comment_inside(data: bytes, tag: bytes, after: int) -> bytes:
    """A comment inserted into the text of the first <tag> after `after` characters: C14N
    without comments still gives the signed value, lxml's .text stops at the comment."""
    m = re.search(rb"<" + tag + rb">([^<]*)</" + tag + rb">", data)
    assert m, tag
    cut = m.start(1) + after
    return data[:cut] + b"<!-- -->" + data[cut:]


def pi_inside(data: bytes, tag: bytes) -> bytes:
    return data.replace(b"<" + tag + b">", b"<" + tag + b"><?x y?>", 1)


def without_declaration(data: bytes) -> bytes:
    return data[data.index(b"?>") + 2 :] if data.startswith(b"<?xml") else data


def doctype_with_entities(data: bytes, root: bytes, secret_path: str, port: int) -> bytes:
    """A DOCTYPE whose entities would read a local file and call the network if expanded."""
    body = without_declaration(data)
    doctype = (
        b"<!DOCTYPE " + root + b" ["
        b'<!ENTITY file SYSTEM "file://' + secret_path.encode() + b'">'
        b'<!ENTITY net SYSTEM "http://127.0.0.1:' + str(port).encode() + b'/x">'
        b'<!ENTITY inner "27901">]>'
    )
    tag = b"NGAYLAP" if root == b"GIAMDINHHS" else b"MA_LK"
    body = body.replace(b"<" + tag + b">", b"<" + tag + b">&file;&net;&inner;", 1)
    return b'<?xml version="1.0" encoding="utf-8"?>' + doctype + body


class Listener:
    """A loopback port that records whether anything connected (a network entity fetch)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]

    def connected(self) -> bool:
        try:
            conn, _ = self.sock.accept()
        except BlockingIOError:
            return False
        conn.close()
        return True

    def close(self):
        self.sock.close()


def expired_signer(days_ago_expired=10, lifetime=400) -> signing.Signer:
    start = datetime.now(UTC) - timedelta(days=lifetime)
    return signer(not_before=start, days=lifetime - days_ago_expired)


def local_day(delta_days: int) -> datetime:
    return datetime.now(UTC) + timedelta(days=delta_days)
