"""Demo seed of interchange: a demo signing certificate for 27901 (PKCS#12 under
KCB06_DATA_DIR/certs/, password = the demo password), registered in kcb06 and — through
KCB06_DATA_DIR/certs/27901.pem, which portalsim loads at start — on the simulated portal.
Closed visits of the last 7 days come from the health-book seed (their closing wrote the
outbox rows, stamped with the time of seeding); the visits the health-book seed dated back get
their claims rebuilt here in arrival order, so NGAY_YL/NGAY_RA fall on the visit's day and an
earlier claim's co-payment counts for the next (the exempt demo patient). Any closed visit without
a claim row gets one. Idempotent."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings

from kcb06.interchange import certificates, outbox
from kcb06.interchange.core import certs, signing
from kcb06.interchange.models import FacilityCertificate, OutboxItem, OutboxKind

DEMO_FACILITY = "27901"


def cert_dir() -> Path:
    return Path(settings.DATA_DIR) / "certs"


def seed(context: dict | None = None) -> dict:
    from kcb06.demo import DEMO_PASSWORD
    from kcb06.facilities.models import Facility
    from kcb06.visits.models import Visit, VisitStatus

    facility = Facility.objects.get(code=DEMO_FACILITY)
    p12 = cert_dir() / f"{DEMO_FACILITY}.p12"
    pem = cert_dir() / f"{DEMO_FACILITY}.pem"
    if not p12.is_file():
        # Valid from 30 days back: the seeded visits of the last week are checked in (and
        # their check-ins judged) on days inside the certificate's validity.
        key, cert = certs.make_certificate(
            DEMO_FACILITY, facility.name, not_before=datetime.now(UTC) - timedelta(days=30)
        )
        certs.write_pkcs12(p12, key, cert, DEMO_PASSWORD)
    signer = signing.load_pkcs12_file(p12, DEMO_PASSWORD)
    pem.write_text(certs.cert_pem(signer.cert))
    if not FacilityCertificate.objects.filter(fingerprint=signer.info.fingerprint).exists():
        certificates.register(facility, signer, p12_path=str(p12), demo_password=DEMO_PASSWORD)
    redated = (context or {}).get("healthbook", {}).get("redate") or []
    for visit in Visit.objects.filter(pk__in=redated).order_by("arrived_at", "pk"):
        outbox.enqueue_claim(visit)
    queued = 0
    closed = Visit.objects.filter(facility=facility, status=VisitStatus.CLOSED)
    for visit in closed.exclude(outbox__kind=OutboxKind.CLAIM):
        outbox.enqueue_claim(visit)
        queued += 1
    return {
        "interchange_certificate": str(p12),
        "interchange_outbox": OutboxItem.objects.filter(facility=facility).count(),
        "interchange_queued_now": queued,
    }
