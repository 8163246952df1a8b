"""Demo and test certificates (cryptography). Real facilities get theirs from a licensed CA;
these exist so the demo and the tests sign real XML-DSig with a real RSA-2048 key."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


def make_certificate(
    facility_code: str,
    facility_name: str = "Cơ sở KCB",
    *,
    days: int = 730,
    not_before: datetime | None = None,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, facility_name),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"MA_CSKCB:{facility_code}"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{facility_name} ({facility_code})"),
        ]
    )
    start = not_before or datetime.now(UTC) - timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def pkcs12_bytes(key, cert, password: str, name: str = "kcb06") -> bytes:
    return pkcs12.serialize_key_and_certificates(
        name.encode(),
        key,
        cert,
        None,
        serialization.BestAvailableEncryption(password.encode()),
    )


def write_pkcs12(path: Path, key, cert, password: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pkcs12_bytes(key, cert, password))
    path.chmod(0o600)
    return path


def cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()
