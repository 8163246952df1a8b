"""The trust registry: a facility's signing certificates, installed by its admin, and the
answer to "may this certificate sign this facility's files?".

Installing checks, before anything is kept: the PKCS#12 password (clear message when wrong),
that the certificate names this facility (its MA_CSKCB in the subject — a certificate of
another facility is refused), that its key usage allows signing and that it has not expired.
The key then lives only in this process's memory; the database keeps the certificate's subject,
serial, fingerprint and dates (never the password). A certificate alone (PEM, no key: a
PKCS#11 token's, or one whose key lives on another machine) can be registered too.
"""

from cryptography import x509
from django.conf import settings
from django.db import transaction

from kcb06.errors import DomainError
from kcb06.interchange.core import signing, trust
from kcb06.interchange.models import FacilityCertificate


def register(
    facility, signer: signing.Signer, *, p12_path: str = "", user=None, demo_password: str = ""
):
    row = register_certificate(
        facility,
        signer.cert,
        source=signer.source,
        p12_path=p12_path,
        user=user,
        demo_password=demo_password,
    )
    signing.install(facility.code, signer)
    return row


def register_certificate(
    facility,
    cert: x509.Certificate,
    *,
    source: str = "pem",
    p12_path: str = "",
    user=None,
    demo_password: str = "",
):
    """Put a certificate on the facility's trust list (no key needed)."""
    info = signing.CertInfo.of(cert)
    if not trust.names_facility(cert, facility.code):
        raise DomainError(
            "certificate_other_facility",
            f"Chứng thư số ({info.subject}) không phải của cơ sở {facility.code}: không cài đặt.",
            f"The certificate does not belong to facility {facility.code}.",
        )
    if info.expired:
        raise DomainError(
            "certificate_expired",
            f"Chứng thư số đã hết hạn ngày {info.not_after:%d/%m/%Y}.",
            "The certificate has expired.",
        )
    if not trust.may_sign(cert):
        raise DomainError(
            "certificate_key_usage",
            "Chứng thư số không được phép dùng để ký (thiếu keyUsage digitalSignature hoặc "
            "nonRepudiation): không cài đặt.",
            "The certificate's key usage does not allow signing.",
        )
    with transaction.atomic():
        row, _ = FacilityCertificate.objects.update_or_create(
            fingerprint=info.fingerprint,
            defaults={
                "facility": facility,
                "subject": info.subject,
                "serial_hex": info.serial_hex,
                "not_before": info.not_before,
                "not_after": info.not_after,
                "source": source,
                "p12_path": p12_path,
                "demo_password": demo_password,
                "active": True,
                "registered_by": user,
            },
        )
    return row


def install_pem(facility, pem: bytes, user=None):
    try:
        cert = x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        raise DomainError(
            "certificate_unreadable",
            "Tệp không phải chứng thư số dạng PEM.",
            "Not a PEM certificate.",
        ) from exc
    return register_certificate(facility, cert, user=user)


def trust_check(cert: x509.Certificate, facility_code: str, day) -> trust.TrustDecision:
    """`kcb06 xml verify --facility`: trusted when the certificate is registered (and active)
    for that facility, or issued by a CA in KCB06_SIGNING_CA_FILE and naming the facility.
    Key usage and validity on the signing day are checked for every file regardless."""
    fingerprint = signing.CertInfo.of(cert).fingerprint
    mine = FacilityCertificate.objects.filter(fingerprint=fingerprint, active=True).first()
    if mine is not None and mine.facility.code == facility_code:
        return trust.TrustDecision(
            True,
            True,
            "registered",
            facility_code,
            f"Chứng thư số đã đăng ký cho cơ sở {facility_code}.",
            f"The certificate is registered for facility {facility_code}.",
        )
    if mine is None and trust.names_facility(cert, facility_code):
        ca = trust.issued_by_anchor(cert, trust.load_anchors(settings.KCB06_SIGNING_CA_FILE), day)
        if ca is not None:
            return trust.TrustDecision(
                True,
                True,
                "ca",
                facility_code,
                f"Chứng thư số do CA tin cậy cấp ({ca.subject.rfc4514_string()}).",
                f"The certificate was issued by a trusted CA ({ca.subject.rfc4514_string()}).",
            )
    other = f" (đăng ký cho cơ sở {mine.facility.code})" if mine is not None else ""
    other_en = f" (registered for facility {mine.facility.code})" if mine is not None else ""
    return trust.TrustDecision(
        True,
        False,
        "refused",
        facility_code,
        f"Chứng thư số không được đăng ký cho cơ sở {facility_code}{other} và không do CA tin "
        "cậy cấp.",
        f"The certificate is not registered for facility {facility_code}{other_en} nor issued "
        "by a trusted CA.",
    )


def install_pkcs12(facility, data: bytes, password: str, user=None):
    return register(facility, signing.load_pkcs12(data, password), user=user)


def status(facility) -> dict:
    """What the admin page shows: registered certificates with expiry warnings, and whether
    this process holds a usable key."""
    rows = []
    for c in FacilityCertificate.objects.filter(facility=facility, active=True).order_by(
        "-not_after"
    ):
        info = signing.CertInfo(c.subject, c.serial_hex, c.fingerprint, c.not_before, c.not_after)
        rows.append(
            {
                "subject": c.subject,
                "serial": c.serial_hex,
                "not_after": c.not_after,
                "days_left": info.days_left(),
                "expired": info.expired,
                "expiring_soon": info.expiring_soon,
                "source": c.source,
            }
        )
    loaded = None
    error = ""
    try:
        loaded = signing.signer_for(facility.code).info
    except DomainError as exc:
        error = exc.message_vi
    return {"certificates": rows, "loaded": loaded, "error": error}


def registered_p12(facility_code: str) -> tuple[str, str] | None:
    """The newest active registered PKCS#12 file of a facility: (path, demo password)."""
    reg = (
        FacilityCertificate.objects.filter(facility__code=facility_code, active=True)
        .exclude(p12_path="")
        .order_by("-registered_at")
        .first()
    )
    return None if reg is None else (reg.p12_path, reg.demo_password)
