"""May this certificate sign this facility's files, at the time the file says it was signed?

Pure (cryptography + lxml): the registry lookup that answers "is it registered for the
facility" is Django's and lives in certificates.py; it is handed in as a function.

- Key usage: the certificate must carry the KeyUsage extension with digitalSignature or
  nonRepudiation (contentCommitment). A certificate without the extension is refused too: every
  certificate a Vietnamese CA issues for signing carries it, and "no restriction" is not what a
  signing certificate should say.
- Facility: the facility's MA_CSKCB must appear in the subject as a whole value or word (not
  inside a longer number), as registration already required.
- Time: the signed data records when it was made — NGAYLAP (yyyyMMdd, local) in GIAMDINHHS:
  the certificate must be valid at some moment of that local day. A check-in file records no
  signing time; it is signed after its latest recorded moment (NGAY_VAO, NGAY_VAO_NOI_TRU,
  NGAY_YL) and before it is checked, so the certificate must be valid at some moment between
  the start of that day and now. Judging at "now" alone would turn a file signed while the
  certificate was valid into an invalid one after it expires.
"""

import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from lxml import etree

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CHECKIN_TIMES = ("NGAY_VAO", "NGAY_VAO_NOI_TRU", "NGAY_YL")


def error(code: str, message_vi: str, message: str, field: str = "X509Certificate") -> dict:
    return {
        "table": "CHUKYDONVI",
        "field": field,
        "code": code,
        "message_vi": message_vi,
        "message": message,
    }


def key_usages(cert: x509.Certificate) -> list[str] | None:
    """Names of the key usages the certificate allows, or None without the extension."""
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except (x509.ExtensionNotFound, ValueError):  # absent, or extensions that do not parse
        return None
    names = [
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
    ]
    return [n for n in names if getattr(ku, n)]


def may_sign(cert: x509.Certificate) -> bool:
    usages = key_usages(cert) or []
    return "digital_signature" in usages or "content_commitment" in usages


def names_facility(cert: x509.Certificate, code: str) -> bool:
    if not code:
        return False
    pattern = re.compile(rf"(?<![0-9A-Za-z]){re.escape(code)}(?![0-9A-Za-z])")
    return any(pattern.search(str(attr.value)) for attr in cert.subject)


def describe(cert: x509.Certificate) -> dict:
    """The signer as the JSON report shows it."""
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "serial": format(cert.serial_number, "X"),
        "fingerprint_sha256": cert.fingerprint(hashes.SHA256()).hex(),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "key_usage": key_usages(cert),
    }


@dataclass(frozen=True)
class SigningDay:
    """When the signed data says it was signed, as an interval [start, end): the local day of
    NGAYLAP, or for a check-in from the day of its latest time until now."""

    recorded: str  # the value as written (yyyyMMdd or yyyyMMddHHmm)
    source: str  # the element it came from
    start: datetime
    end: datetime

    def as_dict(self) -> dict:
        return {
            "recorded": self.recorded,
            "source": self.source,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
        }


def signing_day(signed: etree._Element, now: datetime | None = None) -> SigningDay | None:
    if signed.tag == "GIAMDINHHS":
        value, source = (signed.findtext("THONGTINHOSO/NGAYLAP") or "").strip(), "NGAYLAP"
    elif signed.tag == "CHI_TIEU_TRANG_THAI_KCB":
        record = signed.find("DSACH_TRANG_THAI_KCB/TRANG_THAI_KCB")
        stamps = []
        if record is not None:
            for name in CHECKIN_TIMES:
                text = (record.findtext(name) or "").strip()
                if re.fullmatch(r"[0-9]{12}", text):
                    stamps.append((text, name))
        value, source = max(stamps) if stamps else ("", "NGAY_VAO")
    else:
        return None
    try:
        day = datetime.strptime(value[:8], "%Y%m%d").replace(tzinfo=VN)
    except ValueError:
        return None
    end = day + timedelta(days=1)
    if signed.tag == "CHI_TIEU_TRANG_THAI_KCB":
        end = max(end, now or datetime.now(UTC))
    return SigningDay(value, source, day, end)


def certificate_errors(cert: x509.Certificate, day: SigningDay | None, ma_cskcb: str) -> list[dict]:
    """What is wrong with the signer regardless of any trust list: key usage, facility named
    in the subject, validity on the signing day."""
    out = []
    if not may_sign(cert):
        out.append(
            error(
                "certificate_key_usage",
                "Chứng thư số không được phép dùng để ký (thiếu keyUsage digitalSignature hoặc "
                "nonRepudiation).",
                "The certificate's key usage does not allow signing (digitalSignature or "
                "nonRepudiation required).",
            )
        )
    if not names_facility(cert, ma_cskcb):
        out.append(
            error(
                "certificate_other_facility",
                f"Chứng thư số ({cert.subject.rfc4514_string()}) không phải của cơ sở "
                f"{ma_cskcb or '(không rõ)'}.",
                f"The certificate does not belong to facility {ma_cskcb or '(unknown)'}.",
            )
        )
    if day is None:
        out.append(
            error(
                "signing_time_missing",
                "Không xác định được thời điểm ký (NGAYLAP / NGAY_VAO) trong dữ liệu đã ký.",
                "The signed data records no usable signing date (NGAYLAP / NGAY_VAO).",
                "NGAYLAP",
            )
        )
    elif cert.not_valid_after_utc < day.start:
        out.append(
            error(
                "certificate_expired_at_signing",
                f"Chứng thư số đã hết hạn ngày {cert.not_valid_after_utc.astimezone(VN):%d/%m/%Y}"
                f", trước thời điểm ký ghi trong hồ sơ ({day.source} {day.start:%d/%m/%Y}).",
                f"The certificate had expired before the signing day recorded in {day.source}.",
            )
        )
    elif cert.not_valid_before_utc >= day.end:
        out.append(
            error(
                "certificate_not_yet_valid_at_signing",
                f"Chứng thư số chỉ có hiệu lực từ ngày "
                f"{cert.not_valid_before_utc.astimezone(VN):%d/%m/%Y}, sau thời điểm ký ghi "
                f"trong hồ sơ ({day.source} {day.start:%d/%m/%Y}).",
                f"The certificate was not yet valid on the signing day recorded in {day.source}.",
            )
        )
    return out


@dataclass
class TrustDecision:
    """Whether the signer was checked against a trust list, and the verdict."""

    checked: bool
    trusted: bool
    basis: str  # registered | ca | refused | not_checked
    facility: str
    message_vi: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


NOT_CHECKED = TrustDecision(
    checked=False,
    trusted=False,
    basis="not_checked",
    facility="",
    message_vi="Người ký chưa được đối chiếu với danh sách chứng thư tin cậy (không có --facility).",
    message="The signer was not checked against a trust list (no --facility given).",
)


def load_anchors(path: str | Path | None) -> list[x509.Certificate]:
    """CA certificates the operator trusts (a PEM bundle), [] when none is configured."""
    if not path:
        return []
    return x509.load_pem_x509_certificates(Path(path).read_bytes())


def issued_by_anchor(
    cert: x509.Certificate, anchors: list[x509.Certificate], day: SigningDay | None
) -> x509.Certificate | None:
    """The configured CA that issued `cert` directly (signature checked, CA flag and
    keyCertSign set, valid on the signing day), or None. Intermediates go in the bundle too:
    every certificate in it is an anchor the operator chose."""
    for ca in anchors:
        if ca.subject != cert.issuer:
            continue
        try:
            bc = ca.extensions.get_extension_for_class(x509.BasicConstraints).value
        except (x509.ExtensionNotFound, ValueError):
            continue
        if not bc.ca or "key_cert_sign" not in (key_usages(ca) or ["key_cert_sign"]):
            continue
        if day is not None and (
            ca.not_valid_after_utc < day.start or ca.not_valid_before_utc >= day.end
        ):
            continue
        try:
            cert.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return ca
    return None
