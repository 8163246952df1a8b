"""Sending a file to portalsim as a facility's software does, for the receiving tests."""

import base64
import hashlib

from kcb06.interchange.core import certs, versions

MD5 = hashlib.md5(b"demo-portal").hexdigest().upper()  # noqa: S324 - the portal's scheme
LOAI_HO_SO = {"claim": "130", "checkin": "0"}


def register(ps, facility, cert):
    r = ps.post(
        "/_control/receiving/certificates",
        json={"facility_code": facility, "pem": certs.cert_pem(cert)},
    )
    assert r.status_code == 200


def token(ps, password=MD5):
    return ps.post("/api/token/take", data={"username": "27901_BV", "password": password}).json()


def send(
    ps, data: bytes, kind="claim", password_hash=MD5, tok=None, version=versions.LATEST
) -> dict:
    """POST to the endpoint of `version` (the samples are dated in the latest one)."""
    tok = tok or token(ps)
    r = ps.post(
        version.claim_path if kind == "claim" else version.checkin_path,
        headers={
            "accessToken": tok["APIKey"]["access_token"],
            "tokenId": tok["APIKey"]["id_token"],
            "passwordHash": password_hash,
        },
        data={
            "username": "27901_BV",
            "loaiHoSo": LOAI_HO_SO[kind],
            "maTinh": "24",
            "maCSKCB": "27901",
            "fileHSBase64": base64.b64encode(data).decode(),
        },
    )
    assert r.status_code == 200, r.text[:300]
    return r.json()


def outcome(answer):
    return answer["maKetQua"], answer["maLyDo"]
