"""Demo and test certificates (cryptography). Real facilities get theirs from a licensed CA;
these exist so the demo and the tests sign real XML-DSig with a real RSA-2048 key."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

# Signing (digitalSignature, nonRepudiation) and nothing else.
SIGNING_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=True,
    **dict.fromkeys(
        "key_encipherment data_encipherment key_agreement key_cert_sign crl_sign encipher_only "
        "decipher_only".split(),
        False,
    ),
)


def make_certificate(
    facility_code: str,
    facility_name: str = "Cơ sở KCB",
    *,
    days: int = 730,
    not_before: datetime | None = None,
    key_usage: x509.KeyUsage | None = SIGNING_USAGE,
    issuer: tuple[rsa.RSAPrivateKey, x509.Certificate] | None = None,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A facility certificate: self-signed, or issued by `issuer` (a CA from make_ca).
    `key_usage=None` leaves the extension out (tests of refusals)."""
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
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer[1].subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    )
    if key_usage is not None:
        builder = builder.add_extension(key_usage, critical=True)
    cert = builder.sign(issuer[0] if issuer else key, hashes.SHA256())
    return key, cert


def make_ca(name: str = "CA thử nghiệm kcb06", days: int = 3650):
    """A self-signed CA (tests and demos of KCB06_SIGNING_CA_FILE)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    start = datetime.now(UTC) - timedelta(days=365)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
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
