"""Certificates from the fixtures file: "certificates": [{"facility_code", "pem" | "pem_file"}]."""

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from portalsim.receiving.models import RegisteredCertificate


def register(facility_code: str, pem: str) -> RegisteredCertificate:
    cert = x509.load_pem_x509_certificate(pem.encode())
    fingerprint = cert.fingerprint(hashes.SHA256()).hex()
    row, _ = RegisteredCertificate.objects.update_or_create(
        fingerprint=fingerprint, defaults={"facility_code": facility_code, "pem": pem}
    )
    return row


def load(data: dict) -> None:
    """Certificates of the fixtures file, then every <MA_CSKCB>.pem in DATA_DIR/certs (where
    kcb06's demo seed writes the demo facility certificate)."""
    from django.conf import settings

    for path in sorted((Path(settings.DATA_DIR) / "certs").glob("*.pem")):
        if len(path.stem) == 5:
            register(path.stem, path.read_text())
    for item in data.get("certificates", []):
        pem = item.get("pem") or ""
        if not pem and item.get("pem_file") and Path(item["pem_file"]).is_file():
            pem = Path(item["pem_file"]).read_text()
        if pem:
            register(item["facility_code"], pem)
