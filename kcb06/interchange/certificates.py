"""Installing a facility's signing certificate and reporting its state to the admin.

Installing checks, before anything is kept: the PKCS#12 password (clear message when wrong),
that the certificate names this facility (its MA_CSKCB in the subject — a certificate of
another facility is refused) and that it has not expired. The key then lives only in this
process's memory; the database keeps the certificate's subject, serial, fingerprint and dates
(never the password).
"""

from django.db import transaction

from kcb06.errors import DomainError
from kcb06.interchange import signing
from kcb06.interchange.models import FacilityCertificate


def register(
    facility, signer: signing.Signer, *, p12_path: str = "", user=None, demo_password: str = ""
):
    info = signer.info
    if not info.mentions_facility(facility.code):
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
    with transaction.atomic():
        row, _ = FacilityCertificate.objects.update_or_create(
            fingerprint=info.fingerprint,
            defaults={
                "facility": facility,
                "subject": info.subject,
                "serial_hex": info.serial_hex,
                "not_before": info.not_before,
                "not_after": info.not_after,
                "source": signer.source,
                "p12_path": p12_path,
                "demo_password": demo_password,
                "active": True,
                "registered_by": user,
            },
        )
    signing.install(facility.code, signer)
    return row


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
