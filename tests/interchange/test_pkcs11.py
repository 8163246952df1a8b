"""Signing with a key on a PKCS#11 token (SoftHSM2 from Debian's softhsm2 package): the file
verifies with signxml and xmlsec1, a wrong PIN gives a clear message."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from kcb06.interchange.core import certs, package, signing
from kcb06.interchange.core.samples import outpatient_visit

LIB = "/usr/lib/softhsm/libsofthsm2.so"
pytestmark = pytest.mark.skipif(
    not (Path(LIB).exists() and shutil.which("softhsm2-util")), reason="softhsm2 not installed"
)


@pytest.fixture(scope="module")
def token(tmp_path_factory):
    base = tmp_path_factory.mktemp("softhsm")
    (base / "tokens").mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\n")
    old = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    env = dict(os.environ)
    run = lambda *a: subprocess.run(["softhsm2-util", *a], env=env, check=True, capture_output=True)  # noqa: E731
    run("--init-token", "--free", "--label", "kcb06", "--so-pin", "5678", "--pin", "1234")
    key, cert = certs.make_certificate("27901", "TTYT token")
    pem = base / "key.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    run("--import", str(pem), "--token", "kcb06", "--label", "27901", "--id", "01", "--pin", "1234")
    pem.unlink()
    import pkcs11

    lib = pkcs11.lib(LIB)
    with lib.get_token(token_label="kcb06").open(rw=True, user_pin="1234") as session:
        session.create_object(
            {
                pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE,
                pkcs11.Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
                pkcs11.Attribute.TOKEN: True,
                pkcs11.Attribute.LABEL: "27901",
                pkcs11.Attribute.ID: b"\x01",
                pkcs11.Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
                pkcs11.Attribute.SUBJECT: cert.subject.public_bytes(),
            }
        )
    yield cert
    if old is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = old


def test_envelope_signed_on_the_token_verifies(token, tmp_path):
    signer = signing.Pkcs11Signer(LIB, "kcb06", "1234", "27901")
    assert signer.info.fingerprint == signing.CertInfo.of(token).fingerprint
    try:
        data = package.sign_claim("27901", package.build_claim(outpatient_visit())[0], signer)
    finally:
        signer.close()
    report = package.check_file(data)
    assert report["valid"], report["errors"]
    assert signing.verify(data, token)[0] == "ok"
    if shutil.which("xmlsec1"):
        path = tmp_path / "t.xml"
        path.write_bytes(data)
        done = subprocess.run(
            ["xmlsec1", "--verify", "--insecure", "--enabled-key-data", "x509", str(path)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr


def test_wrong_pin_is_a_clear_message(token):
    with pytest.raises(signing.SigningError) as exc:
        signing.Pkcs11Signer(LIB, "kcb06", "0000", "27901")
    assert exc.value.code == "pkcs11_pin"
    assert "PIN" in exc.value.message_vi
