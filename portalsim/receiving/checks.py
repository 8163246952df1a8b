"""What the simulated portal checks in a received file — written here, apart from kcb06.

portalsim imports nothing from kcb06: a bug in kcb06's builders, rules, hashing or signature
code must not be mirrored by the side that judges it. It reads kcb06's committed XSD files as
data, those of the regulation version the file was sent under (versions.py). Pure: lxml and
cryptography, no Django, so the tests can drive it directly as well as over HTTP.

The one signature profile accepted is the one the portal's implementers use
(docs/specs/xml-tables.md#signature):
ds:Signature alone in CHUKYDONVI (the root's last child) holding SignedInfo, SignatureValue and
KeyInfo/X509Data/X509Certificate; one Reference URI="" with the enveloped-signature transform
(optionally followed by C14N 1.0); C14N 1.0 without comments; RSA with SHA-256/384/512.
Because comments, processing instructions, DOCTYPEs and entities are refused first, the tree
read after removing the Signature is exactly the data the digest covers.

Every refusal is a Refusal(portal code, reason, Vietnamese message): 400 for markup, form and
content; 123 unsigned; 125 for everything about the signature and the signer's certificate.
"""

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from portalsim.receiving import rules, versions

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DS = "{http://www.w3.org/2000/09/xmldsig#}"
C14N_10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SIGNATURE_METHODS = {
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": hashes.SHA512,
}
DIGEST_METHODS = {
    "http://www.w3.org/2001/04/xmlenc#sha256": hashlib.sha256,
    "http://www.w3.org/2001/04/xmldsig-more#sha384": hashlib.sha384,
    "http://www.w3.org/2001/04/xmlenc#sha512": hashlib.sha512,
}
PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_comments=False,
    remove_pis=False,
)
# The only ds elements that may have element children; every other one holds text alone (a
# node inside SignatureValue or X509Certificate would otherwise cut its .text short).
CONTAINERS = {
    DS + name
    for name in ("Signature", "SignedInfo", "Reference", "Transforms", "KeyInfo", "X509Data")
}
ROOTS = {"checkin": "CHI_TIEU_TRANG_THAI_KCB", "claim": "GIAMDINHHS"}


@dataclass
class Refusal(Exception):
    code: str  # the portal's maKetQua
    reason: str  # portalsim's reason code (maLyDo)
    message: str  # thongDiep, Vietnamese
    errors: list = field(default_factory=list)  # dsLoi


@dataclass
class Received:
    """A file that passed every check that needs no database."""

    kind: str
    ma_cskcb: str
    ma_lk: str
    certificate: x509.Certificate
    fingerprint: str
    signed_at: str  # NGAYLAP (claims) / latest NGAY_* (check-ins): orders the versions
    content_hash: str  # of the tables alone: the same content re-signed is the same content


# --- markup ---------------------------------------------------------------------------------


def parse(data: bytes, where: str = "Tệp") -> etree._Element:
    try:
        root = etree.fromstring(data, parser=PARSER)
    except (etree.XMLSyntaxError, ValueError):
        raise Refusal("400", "not_xml", f"{where} không phải XML hợp lệ") from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise Refusal("400", "doctype", f"{where} có khai báo DOCTYPE: không được chấp nhận")
    around = [*root.itersiblings(preceding=True), *root.itersiblings()]
    for node in [*around, *root.iter(etree.Comment, etree.ProcessingInstruction, etree.Entity)]:
        if isinstance(node, etree._Comment):
            raise Refusal("400", "comment", f"{where} có chú thích XML: không được chấp nhận")
        if isinstance(node, etree._ProcessingInstruction):
            raise Refusal(
                "400", "processing_instruction", f"{where} có chỉ thị xử lý: không được chấp nhận"
            )
        raise Refusal("400", "entity", f"{where} có tham chiếu thực thể: không được chấp nhận")
    return root


# --- signature ------------------------------------------------------------------------------


def _bad_form(detail: str) -> Refusal:
    return Refusal("125", "signature_structure", f"Chữ ký số không đúng cấu trúc: {detail}")


def _only(parent: etree._Element, tags: list[str], what: str) -> list[etree._Element]:
    children = list(parent)
    if [c.tag for c in children] != tags:
        raise _bad_form(what)
    return children


def verify_signature(root: etree._Element) -> x509.Certificate:
    """Check the enveloped signature and remove it from `root`, which is then exactly the
    signed data. Returns the signer's certificate."""
    slots = root.findall("CHUKYDONVI")
    signatures = list(root.iter(DS + "Signature"))
    empty = all(len(s) == 0 and not (s.text or "").strip() for s in slots)
    if len(slots) <= 1 and not signatures and empty:
        raise Refusal("123", "unsigned", "Hồ sơ chưa được ký số (CHUKYDONVI trống)")
    if len(slots) != 1 or root[-1] is not slots[0]:
        raise _bad_form("CHUKYDONVI phải là phần tử cuối, duy nhất của hồ sơ")
    slot = slots[0]
    if len(signatures) != 1 or len(slot) != 1:
        raise _bad_form("CHUKYDONVI phải chứa đúng một ds:Signature")
    signature = slot[0]
    if signature.tag != DS + "Signature" or (slot.text or "").strip():
        raise _bad_form("CHUKYDONVI phải chứa đúng một ds:Signature")
    for el in signature.iter():
        if el.tag not in CONTAINERS and len(el):
            name = etree.QName(el).localname if isinstance(el.tag, str) else "?"
            raise _bad_form(f"{name} không được chứa phần tử con")
    signed_info, value, key_info = _only(
        signature,
        [DS + "SignedInfo", DS + "SignatureValue", DS + "KeyInfo"],
        "ds:Signature chỉ được chứa SignedInfo, SignatureValue, KeyInfo",
    )
    (x509_data,) = _only(key_info, [DS + "X509Data"], "KeyInfo chỉ được chứa một X509Data")
    (cert_el,) = _only(
        x509_data, [DS + "X509Certificate"], "X509Data chỉ được chứa một X509Certificate"
    )
    c14n, method, reference = _only(
        signed_info,
        [DS + "CanonicalizationMethod", DS + "SignatureMethod", DS + "Reference"],
        "SignedInfo phải gồm CanonicalizationMethod, SignatureMethod và một Reference",
    )
    if c14n.get("Algorithm") != C14N_10 or len(c14n):
        raise Refusal("125", "signature_algorithm", "Chữ ký số: phương pháp chuẩn hóa không hỗ trợ")
    hash_class = SIGNATURE_METHODS.get(method.get("Algorithm", ""))
    if hash_class is None:
        raise Refusal("125", "signature_algorithm", "Chữ ký số: thuật toán ký không được chấp nhận")
    if reference.get("URI") != "" or set(reference.attrib) - {"URI", "Id", "Type"}:
        raise _bad_form('Reference phải có URI="" (toàn bộ hồ sơ)')
    transforms, digest_method, digest_value = _only(
        reference,
        [DS + "Transforms", DS + "DigestMethod", DS + "DigestValue"],
        "Reference phải gồm Transforms, DigestMethod, DigestValue",
    )
    algorithms = [t.get("Algorithm") for t in transforms]
    if transforms.findall("*") != list(transforms) or algorithms not in (
        [ENVELOPED],
        [ENVELOPED, C14N_10],
    ):
        raise _bad_form("chỉ chấp nhận biến đổi enveloped-signature (và C14N 1.0)")
    digest = DIGEST_METHODS.get(digest_method.get("Algorithm", ""))
    if digest is None:
        raise Refusal(
            "125", "signature_algorithm", "Chữ ký số: thuật toán băm không được chấp nhận"
        )
    try:
        cert = x509.load_der_x509_certificate(
            base64.b64decode("".join((cert_el.text or "").split()))
        )
        raw_value = base64.b64decode("".join((value.text or "").split()), validate=True)
        expected = base64.b64decode("".join((digest_value.text or "").split()), validate=True)
    except (ValueError, binascii.Error):
        raise _bad_form("chứng thư, giá trị chữ ký hoặc giá trị băm không đọc được") from None
    try:
        key = cert.public_key()
    except (ValueError, UnsupportedAlgorithm):
        key = None
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
        raise Refusal("125", "signature_algorithm", "Chữ ký số: chỉ chấp nhận khóa RSA từ 2048 bit")
    signed_info_c14n = etree.tostring(signed_info, method="c14n")
    slot.remove(signature)  # the enveloped-signature transform
    if digest(etree.tostring(root, method="c14n")).digest() != expected:
        raise Refusal(
            "125", "digest_mismatch", "Chữ ký số không hợp lệ: hồ sơ đã bị sửa sau khi ký"
        )
    try:
        key.verify(raw_value, signed_info_c14n, padding.PKCS1v15(), hash_class())
    except InvalidSignature:
        raise Refusal(
            "125", "signature_mismatch", "Chữ ký số không hợp lệ: giá trị chữ ký không khớp"
        ) from None
    return cert


# --- the signer's certificate ------------------------------------------------------------------


def check_key_usage(cert: x509.Certificate) -> None:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except (x509.ExtensionNotFound, ValueError):  # absent, or extensions that do not parse
        usage = None
    if usage is None or not (usage.digital_signature or usage.content_commitment):
        raise Refusal(
            "125",
            "certificate_key_usage",
            "Chứng thư số không được phép ký số (thiếu keyUsage digitalSignature/nonRepudiation)",
        )


def check_validity(cert: x509.Certificate, signed_at: str, kind: str) -> None:
    """Valid when the signed data says it was signed, not at "now" (a file signed in time
    stays valid after the certificate ends): at some moment of the local day of NGAYLAP; for a
    check-in, which records no signing time, between the day of its latest time and now."""
    try:
        day = datetime.strptime(signed_at[:8], "%Y%m%d").replace(tzinfo=VN)
    except ValueError:
        raise Refusal(
            "400", "signing_time_missing", "Hồ sơ không ghi ngày lập (NGAYLAP/NGAY_VAO) hợp lệ"
        ) from None
    end = day + timedelta(days=1)
    if kind == "checkin":
        end = max(end, datetime.now(UTC))
    if cert.not_valid_after_utc < day:
        raise Refusal(
            "125",
            "certificate_expired_at_signing",
            f"Chứng thư số đã hết hạn ngày {cert.not_valid_after_utc.astimezone(VN):%d/%m/%Y}, "
            f"trước ngày ký {day:%d/%m/%Y}",
        )
    if cert.not_valid_before_utc >= end:
        raise Refusal(
            "125",
            "certificate_not_yet_valid_at_signing",
            f"Chứng thư số chỉ có hiệu lực từ ngày "
            f"{cert.not_valid_before_utc.astimezone(VN):%d/%m/%Y}, sau ngày ký {day:%d/%m/%Y}",
        )


# --- schema and content -----------------------------------------------------------------------


def _tables(signed: etree._Element) -> dict[str, etree._Element]:
    hosos = signed.findall("THONGTINHOSO/DANHSACHHOSO/HOSO")
    if len(hosos) != 1 or (signed.findtext("THONGTINHOSO/SOLUONGHOSO") or "").strip() != "1":
        raise Refusal("400", "one_hoso", "Mỗi tệp chỉ được chứa một hồ sơ (HOSO), SOLUONGHOSO = 1")
    tables: dict[str, etree._Element] = {}
    for f in hosos[0].iterfind("FILEHOSO"):
        code = (f.findtext("LOAIHOSO") or "").strip()
        if code in tables:
            raise Refusal("400", "duplicate_table", f"Bảng {code} có hai lần trong một hồ sơ")
        try:
            raw = base64.b64decode(
                "".join((f.findtext("NOIDUNGFILE") or "").split()), validate=True
            )
        except (binascii.Error, ValueError):
            raise Refusal(
                "400", "not_base64", f"NOIDUNGFILE của {code} không phải base64"
            ) from None
        tables[code] = parse(raw, where=f"Bảng {code}")
    if "XML1" not in tables:
        raise Refusal("400", "missing_xml1", "Hồ sơ thiếu bảng XML1")
    return tables


def _checkin_signed_at(record: etree._Element | None) -> str:
    times = [
        (record.findtext(name) or "").strip() if record is not None else ""
        for name in ("NGAY_VAO", "NGAY_VAO_NOI_TRU", "NGAY_YL")
    ]
    return max((t for t in times if re.fullmatch(r"[0-9]{12}", t)), default="")


def _version(regulation: versions.Regulation, ngay_vao: str) -> versions.Version:
    """The version the file is judged under; a visit the endpoint's regulation does not cover
    was built under the other one and is refused."""
    day = versions.admission_day(ngay_vao)
    if not regulation.covers(day):
        right = versions.regulation_for(day)
        raise Refusal(
            "400",
            "wrong_regulation",
            f"Hồ sơ có NGAY_VAO {day:%d/%m/%Y}: thuộc QĐ {right.code}, phải gửi tới "
            f"{right.endpoints}, không gửi tới điểm nhận QĐ {regulation.code}",
        )
    return regulation.version_for(day)


def _content_refusal(errors: list[dict], version: versions.Version) -> Refusal:
    text = "; ".join(
        f"{e['bang']}: {e['loi']}" + (f" [{e['ma_loi']}]" if e.get("ma_loi") else "")
        for e in errors[:20]
    )
    return Refusal(
        "400", "content", f"Hồ sơ không hợp lệ theo {version.title}: {text}", errors[:50]
    )


def examine(data: bytes, kind: str, facility: str, registered, regulation: str) -> Received:
    """Every check of a received file, in the portal's order; Refusal on the first that fails.
    `registered(facility, fingerprint)` asks the portal's certificate list (the database);
    `regulation` is the one the endpoint names ("4750" or "3176")."""
    sent_under = versions.REGULATIONS[regulation]
    root = parse(data)
    if root.tag != ROOTS[kind]:
        raise Refusal("400", "wrong_kind", "Loại hồ sơ không đúng điểm nhận")
    cert = verify_signature(root)  # root is now the signed data, and only it is read
    fingerprint = cert.fingerprint(hashes.SHA256()).hex()
    if not registered(facility, fingerprint):
        raise Refusal(
            "125",
            "certificate_not_registered",
            "Chữ ký số không hợp lệ: chứng thư chưa đăng ký cho cơ sở này",
        )
    check_key_usage(cert)
    if kind == "checkin":
        record = root.find("DSACH_TRANG_THAI_KCB/TRANG_THAI_KCB")
        signed_at = _checkin_signed_at(record)
    else:
        signed_at = (root.findtext("THONGTINHOSO/NGAYLAP") or "").strip()
    check_validity(cert, signed_at, kind)
    if kind == "checkin":
        ngay_vao = root.findtext("DSACH_TRANG_THAI_KCB/TRANG_THAI_KCB/NGAY_VAO") or ""
        version = _version(sent_under, ngay_vao)
        errors = versions.xsd_errors(version, "XML0", root)
        ma_cskcb = (root.findtext("DSACH_TRANG_THAI_KCB/TRANG_THAI_KCB/MA_CSKCB") or "").strip()
        ma_lk = (root.findtext("DSACH_TRANG_THAI_KCB/TRANG_THAI_KCB/MA_LK") or "").strip()
        content = etree.tostring(root, method="c14n")
    else:
        ma_cskcb = (root.findtext("THONGTINDONVI/MACSKCB") or "").strip()
        # The envelope is the same in every version: the regulation's first one judges it.
        if errors := versions.xsd_errors(sent_under.versions[0], "GIAMDINHHS", root):
            raise Refusal("400", "xsd", "Hồ sơ không đúng lược đồ XSD", errors[:50])
        tables = _tables(root)
        version = _version(sent_under, tables["XML1"].findtext("NGAY_VAO") or "")
        for code, table in tables.items():
            errors.extend(versions.xsd_errors(version, code, table))
        errors.extend(rules.check(tables, ma_cskcb))
        ma_lk = (tables["XML1"].findtext("MA_LK") or "").strip()
        content = b"".join(
            code.encode() + b"\0" + etree.tostring(t, method="c14n") + b"\0"
            for code, t in tables.items()
        )
    if errors:
        raise _content_refusal(errors, version)
    if ma_cskcb != facility:
        raise Refusal("400", "facility_mismatch", "MA_CSKCB trong hồ sơ khác maCSKCB")
    return Received(
        kind=kind,
        ma_cskcb=ma_cskcb,
        ma_lk=ma_lk,
        certificate=cert,
        fingerprint=fingerprint,
        signed_at=signed_at,
        content_hash=hashlib.sha256(content).hexdigest(),
    )
