"""XML-DSig enveloped signatures in CHUKYDONVI (docs/specs/xml-tables.md#signature).

Form (as implementers whose files the portal accepted): Reference URI="" over the whole
document, transform enveloped-signature, C14N 1.0 (inclusive, no comments), RSA-SHA256,
SHA-256 digest, the full X509Certificate in KeyInfo, the <Signature> placed inside
<CHUKYDONVI> (the last child of the root). Nothing is changed after signing (code 125 otherwise).

The signature is assembled here rather than by signxml because it is on the hot path (≥ 500
visits/s on one core): one C14N pass of the document, one SHA-256, one RSA operation with a key
loaded once per process. Verification (verify_document) uses signxml (independent
implementation) on files whose markup and signature shape structure.py has accepted, and hands
back signxml's signed data, the only part of a file anything reads; the tests also verify with
Debian's xmlsec1, and portalsim verifies with its own code.

Keys: a PKCS#12 file (path + password from the environment, or typed once by the facility
admin; kept only in process memory) or a PKCS#11 token/HSM (python-pkcs11, tested with SoftHSM2).
"""

import base64
import hashlib
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import pkcs12
from lxml import etree

from kcb06.errors import DomainError
from kcb06.interchange.core import trust

log = logging.getLogger("kcb06.interchange.core.signing")

DS = "http://www.w3.org/2000/09/xmldsig#"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
EXPIRY_WARN_DAYS = 30

# SignedInfo in its canonical form (C14N 1.0 of the subset: the ds namespace declaration is
# rendered on SignedInfo, empty elements as start/end pairs). The documents we sign declare no
# namespaces on their root, so nothing else is in scope. The "ds:" prefix (rather than a default
# namespace) keeps libxml2's subset canonicalisation from emitting xmlns="" on the children,
# which made verifiers built on lxml (signxml) compute a different SignedInfo.
SIGNED_INFO = (
    '<ds:SignedInfo xmlns:ds="' + DS + '">'
    '<ds:CanonicalizationMethod Algorithm="' + C14N + '"></ds:CanonicalizationMethod>'
    '<ds:SignatureMethod Algorithm="' + RSA_SHA256 + '"></ds:SignatureMethod>'
    '<ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="' + ENVELOPED + '">'
    "</ds:Transform></ds:Transforms>"
    '<ds:DigestMethod Algorithm="' + SHA256 + '"></ds:DigestMethod>'
    "<ds:DigestValue>{digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>"
)


class SigningError(DomainError):
    status = 400


@dataclass
class CertInfo:
    subject: str
    serial_hex: str
    fingerprint: str  # SHA-256 hex of the DER certificate
    not_before: datetime
    not_after: datetime

    @classmethod
    def of(cls, cert: x509.Certificate) -> "CertInfo":
        return cls(
            subject=cert.subject.rfc4514_string(),
            serial_hex=format(cert.serial_number, "X"),
            fingerprint=cert.fingerprint(hashes.SHA256()).hex(),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
        )

    def days_left(self, now: datetime | None = None) -> int:
        return (self.not_after - (now or datetime.now(UTC))).days

    @property
    def expired(self) -> bool:
        return self.not_after <= datetime.now(UTC)

    @property
    def expiring_soon(self) -> bool:
        return not self.expired and self.not_after - datetime.now(UTC) <= timedelta(
            days=EXPIRY_WARN_DAYS
        )

    def mentions_facility(self, code: str) -> bool:
        return code in self.subject


class Signer:
    """A loaded key + certificate. sign() puts the signature into CHUKYDONVI in place."""

    source = "pkcs12"

    def __init__(self, key, cert: x509.Certificate):
        self._key = key
        self.cert = cert
        self.info = CertInfo.of(cert)
        self._cert_b64 = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
        self.may_sign = trust.may_sign(cert)  # key usage: digitalSignature / nonRepudiation
        self._facilities: dict[str, bool] = {}  # MA_CSKCB -> named in the subject

    def raw_sign(self, data: bytes) -> bytes:
        return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def check_usable(self, ma_cskcb: str | None = None) -> None:
        """Refuse to sign with a certificate that is expired or not yet valid now, whose key
        usage does not allow signing, or (given the facility) that names another facility."""
        now = datetime.now(UTC)
        if self.info.expired:
            raise SigningError(
                "certificate_expired",
                f"Chứng thư số đã hết hạn ngày {self.info.not_after:%d/%m/%Y}: không ký, không gửi.",
                "The signing certificate has expired; nothing is signed or sent.",
            )
        if self.info.not_before > now:
            raise SigningError(
                "certificate_not_yet_valid",
                f"Chứng thư số chỉ có hiệu lực từ ngày {self.info.not_before:%d/%m/%Y}: "
                "không ký, không gửi.",
                "The signing certificate is not valid yet; nothing is signed or sent.",
            )
        if not self.may_sign:
            raise SigningError(
                "certificate_key_usage",
                "Chứng thư số không được phép dùng để ký (thiếu keyUsage digitalSignature hoặc "
                "nonRepudiation): không ký, không gửi.",
                "The certificate's key usage does not allow signing; nothing is signed or sent.",
            )
        if ma_cskcb is not None and not self._names(ma_cskcb):
            raise SigningError(
                "certificate_other_facility",
                f"Chứng thư số ({self.info.subject}) không phải của cơ sở {ma_cskcb}: "
                "không ký, không gửi.",
                f"The certificate does not belong to facility {ma_cskcb}; nothing is signed.",
            )

    def _names(self, ma_cskcb: str) -> bool:
        known = self._facilities.get(ma_cskcb)
        if known is None:
            known = self._facilities[ma_cskcb] = trust.names_facility(self.cert, ma_cskcb)
        return known

    def sign(self, root: etree._Element, ma_cskcb: str | None = None) -> etree._Element:
        """Sign in place; `ma_cskcb`: the facility whose file this is (its certificate only)."""
        self.check_usable(ma_cskcb)
        slot = root.find("CHUKYDONVI")
        if slot is None:
            slot = etree.SubElement(root, "CHUKYDONVI")
        for child in list(slot):
            slot.remove(child)
        slot.text = None
        digest = base64.b64encode(
            hashlib.sha256(etree.tostring(root, method="c14n")).digest()
        ).decode()
        signed_info = SIGNED_INFO.format(digest=digest)
        value = base64.b64encode(self.raw_sign(signed_info.encode())).decode()
        signature = (
            '<ds:Signature xmlns:ds="'
            + DS
            + '">'
            + signed_info
            + "<ds:SignatureValue>"
            + value
            + "</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>"
            + self._cert_b64
            + "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>"
        )
        slot.append(etree.fromstring(signature))
        return root


class Pkcs11Signer(Signer):
    """Key on a PKCS#11 token (USB token, HSM, SoftHSM2). The session stays open for the
    process, so the PIN is given once."""

    source = "pkcs11"

    def __init__(self, lib_path: str, token_label: str, pin: str, key_label: str):
        import pkcs11

        try:
            lib = pkcs11.lib(lib_path)
            token = lib.get_token(token_label=token_label)
            self._session = token.open(user_pin=pin)
        except (pkcs11.exceptions.PinIncorrect, pkcs11.exceptions.PinLenRange) as exc:
            raise SigningError(
                "pkcs11_pin", "Mã PIN của token/HSM không đúng.", "Wrong PKCS#11 PIN."
            ) from exc
        except (pkcs11.exceptions.PKCS11Error, RuntimeError, OSError) as exc:
            log.warning("PKCS#11 token could not be opened: %s", type(exc).__name__)
            raise SigningError(
                "pkcs11_unavailable",
                f"Không mở được token/HSM ({type(exc).__name__}).",
                "The PKCS#11 token could not be opened.",
            ) from exc
        self._pkcs11 = pkcs11
        self._lock = threading.Lock()
        self._priv = self._session.get_key(
            object_class=pkcs11.ObjectClass.PRIVATE_KEY, label=key_label
        )
        der = next(
            self._session.get_objects(
                {
                    pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE,
                    pkcs11.Attribute.LABEL: key_label,
                }
            )
        )[pkcs11.Attribute.VALUE]
        super().__init__(None, x509.load_der_x509_certificate(der))

    def raw_sign(self, data: bytes) -> bytes:
        with self._lock:
            return self._priv.sign(data, mechanism=self._pkcs11.Mechanism.SHA256_RSA_PKCS)

    def close(self) -> None:
        """Log out and close the session (key rotation, tests)."""
        with self._lock:
            self._session.close()


def load_pkcs12(data: bytes, password: str | None) -> Signer:
    """Signer from PKCS#12 bytes; a wrong password or a broken file gives a clear message."""
    try:
        key, cert, _extra = pkcs12.load_key_and_certificates(
            data, password.encode() if password else None
        )
    except ValueError as exc:
        raise SigningError(
            "pkcs12_password",
            "Mật khẩu tệp chứng thư số (PKCS#12) không đúng, hoặc tệp bị hỏng.",
            "Wrong PKCS#12 password or damaged file.",
        ) from exc
    if key is None or cert is None:
        raise SigningError(
            "pkcs12_incomplete",
            "Tệp PKCS#12 không chứa cả khóa bí mật và chứng thư số.",
            "The PKCS#12 file lacks the private key or the certificate.",
        )
    return Signer(key, cert)


def load_pkcs12_file(path: str | Path, password: str | None) -> Signer:
    p = Path(path)
    if not p.is_file():
        raise SigningError(
            "certificate_missing",
            f"Không tìm thấy tệp chứng thư số {p.name}: không gửi dữ liệu chưa ký.",
            "Certificate file not found; nothing unsigned is sent.",
        )
    return load_pkcs12(p.read_bytes(), password)


# --- per-process key store -------------------------------------------------------------------
# facility code -> Signer. Filled by the admin form (password typed once, never stored) or from
# the environment on first use. Loading is slow (docs/measurements.md#loading-a-signing-key), so
# it happens once per process.
_SIGNERS: dict[str, Signer] = {}
_LOCK = threading.Lock()


def install(facility_code: str, signer: Signer) -> None:
    with _LOCK:
        _SIGNERS[facility_code] = signer


def forget(facility_code: str | None = None) -> None:
    with _LOCK:
        if facility_code is None:
            _SIGNERS.clear()
        else:
            _SIGNERS.pop(facility_code, None)


def _no_registry(facility_code: str) -> tuple[str, str] | None:
    return None


# How to find a facility's registered PKCS#12 file (path, demo password). The core knows no
# database: interchange's Django side installs the lookup (certificates.registered_p12) when the
# app is ready, so the pure core stays importable and testable on its own.
_registered_p12: Callable[[str], tuple[str, str] | None] = _no_registry


def set_registry_lookup(lookup: Callable[[str], tuple[str, str] | None]) -> None:
    global _registered_p12
    _registered_p12 = lookup


def _from_environment(facility_code: str) -> Signer | None:
    """KCB06_SIGNING_P12 (a path, may contain {code}) + KCB06_SIGNING_P12_PASSWORD, or
    KCB06_PKCS11_LIB + KCB06_PKCS11_TOKEN + KCB06_PKCS11_PIN + KCB06_PKCS11_KEY_LABEL, or the
    facility's registered PKCS#12 path (FacilityCertificate) with the environment password."""
    lib = os.environ.get("KCB06_PKCS11_LIB")
    if lib:
        return Pkcs11Signer(
            lib,
            os.environ.get("KCB06_PKCS11_TOKEN", ""),
            os.environ.get("KCB06_PKCS11_PIN", ""),
            os.environ.get("KCB06_PKCS11_KEY_LABEL", facility_code),
        )
    password = os.environ.get("KCB06_SIGNING_P12_PASSWORD")
    path = os.environ.get("KCB06_SIGNING_P12", "")
    if not path:
        registered = _registered_p12(facility_code)
        if registered is None:
            return None
        path, demo_password = registered
        if password is None and demo_password:
            password = demo_password
    return load_pkcs12_file(path.format(code=facility_code), password)


def signer_for(facility_code: str) -> Signer:
    """The loaded signer of a facility, or SigningError saying why nothing can be signed."""
    signer = _SIGNERS.get(facility_code)
    if signer is None:
        signer = _from_environment(facility_code)
        if signer is None:
            raise SigningError(
                "certificate_missing",
                "Chưa cài chứng thư số của cơ sở: kcb06 không gửi dữ liệu chưa ký.",
                "No signing certificate installed for this facility; nothing unsigned is sent.",
            )
        install(facility_code, signer)
    return signer


# --- verification ----------------------------------------------------------------------------

RSA_METHODS = ("RSA_SHA256", "RSA_SHA384", "RSA_SHA512")
DIGESTS = ("SHA256", "SHA384", "SHA512")


@dataclass
class Verification:
    """status "ok" (then `signed` is the signed data: the document as the signature covers
    it, Signature removed, read from the canonical bytes — nothing else is to be read),
    "unsigned" (empty CHUKYDONVI, portal code 123) or "invalid" (`error` says why)."""

    status: str
    cert: x509.Certificate | None = None
    signed: etree._Element | None = None
    error: dict | None = None


def _invalid(code: str, message_vi: str, message: str, cert=None) -> Verification:
    return Verification(
        "invalid",
        cert,
        None,
        {
            "table": "CHUKYDONVI",
            "field": "Signature",
            "code": code,
            "message_vi": message_vi,
            "message": message,
        },
    )


def embedded_certificate(root: etree._Element) -> x509.Certificate | None:
    el = root.find(
        f"CHUKYDONVI/{{{DS}}}Signature/{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate"
    )
    if el is None or not (el.text or "").strip():
        return None
    return x509.load_der_x509_certificate(base64.b64decode("".join(el.text.split())))


def verify_document(data: bytes, root: etree._Element) -> Verification:
    """Verify the enveloped signature of `data`, whose parse `root` has passed
    structure.check_markup. Raises structure.StructureError for a signature holding anything
    but SignedInfo, SignatureValue and KeyInfo/X509Data/X509Certificate.

    signxml does the cryptography with the embedded certificate and returns the signed data.
    Its check of the certificate's validity against the clock is switched off (verification
    time = the certificate's own start): validity is judged at the signing time recorded in the
    signed data, by trust.certificate_errors."""
    from signxml import InvalidSignature, XMLVerifier
    from signxml.algorithms import DigestAlgorithm, SignatureMethod
    from signxml.exceptions import InvalidDigest
    from signxml.verifier import SignatureConfiguration

    from kcb06.interchange.core import structure

    if structure.signature_of(root) is None:
        return Verification("unsigned")
    try:
        cert = embedded_certificate(root)
    except ValueError:
        cert = None
    if cert is None:
        return _invalid(
            "certificate_unreadable",
            "Không đọc được chứng thư số trong chữ ký (X509Certificate).",
            "The embedded X509Certificate cannot be read.",
        )
    config = SignatureConfiguration(
        require_x509=True,
        location="./CHUKYDONVI/",
        expect_references=1,
        signature_methods=frozenset(SignatureMethod[m] for m in RSA_METHODS),
        digest_algorithms=frozenset(DigestAlgorithm[d] for d in DIGESTS),
        verification_time=cert.not_valid_before_utc,
    )
    try:
        result = XMLVerifier().verify(data, x509_cert=cert, expect_config=config)
    except (InvalidDigest, InvalidSignature) as exc:
        log.debug("signature refused: %s", type(exc).__name__)
        return _invalid(
            "signature_invalid",
            "Chữ ký số không hợp lệ: tệp có thể đã bị sửa sau khi ký.",
            "The signature does not verify: the file may have been changed after signing.",
            cert,
        )
    except Exception as exc:  # noqa: BLE001 - signxml on hostile input: InvalidInput, and
        # also TypeError/KeyError/... (an empty SignatureValue reaches b64decode(None))
        log.debug("signature refused: %s", type(exc).__name__)
        return _invalid(
            "signature_form",
            'Chữ ký số không đúng dạng được chấp nhận (Reference URI="", enveloped, C14N, '
            "RSA-SHA256 trở lên).",
            'The signature is not in the accepted form (Reference URI="", enveloped, C14N, '
            "RSA-SHA256 or stronger).",
            cert,
        )
    signed = result.signed_xml
    if signed is None or result.signed_data is None:
        return _invalid(
            "signature_form",
            "Chữ ký số không bao trùm toàn bộ hồ sơ.",
            "The signature does not cover the whole document.",
            cert,
        )
    return Verification("ok", cert, signed)


def verify(
    data: bytes, cert: x509.Certificate | None = None, root: etree._Element | None = None
) -> tuple[str, x509.Certificate | None]:
    """(status, certificate) of a document's signature; with `cert`, the signature must be by
    that certificate. Structure refusals count as "invalid"."""
    from kcb06.interchange.core import structure

    try:
        if root is None:
            root = structure.parse(data)
        else:
            structure.check_markup(root)
        result = verify_document(data, root)
    except structure.StructureError:
        return "invalid", None
    if cert is not None and result.cert is not None and result.cert != cert:
        return "invalid", result.cert
    return result.status, result.cert
