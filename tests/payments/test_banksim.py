"""banksim on its own: what it refuses, and that it signs the way docs/payments.md says."""

import hashlib
import hmac

import httpx


def test_damaged_or_foreign_qr_is_refused(banksim_server):
    from kcb06.identity.vietqr import VietQr, build_vietqr

    good = build_vietqr(VietQr("970436", "0123456789", amount=5000, purpose="VIEN PHI KCBAAAAAA"))
    for text in ["", "hello", good[:-4] + "0000"]:
        resp = banksim_server.post("/api/qr-payments", json={"qr": text})
        assert resp.status_code == 400, text
    resp = banksim_server.post("/api/qr-payments", json={"qr": good, "scenario": {"nope": 1}})
    assert resp.status_code == 400 and "nope" in resp.json()["error"]


def test_signature_is_hmac_sha256_over_timestamp_dot_body():
    from banksim.server import sign
    from kcb06.payments.signature import sign as our_sign

    expected = "sha256=" + hmac.new(b"s3cret", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert (
        sign("s3cret", "1700000000", b"{}") == our_sign("s3cret", "1700000000", b"{}") == expected
    )


def test_demo_page_pays_a_pasted_qr(banksim_server):
    from kcb06.identity.vietqr import VietQr, build_vietqr

    qr = build_vietqr(VietQr("970436", "0123456789", amount=5000, purpose="VIEN PHI KCBAAAAAA"))
    assert "Thanh toán" in httpx.get(banksim_server.url + "/", timeout=5).text
    resp = banksim_server.post("/pay", data={"qr": qr, "alter": "case", "lose": "1"})
    assert resp.status_code == 200
    assert "Đã chuyển 5000 đ" in resp.text and "vien phi kcbaaaaaa" in resp.text
    resp = banksim_server.post("/pay", data={"qr": "không phải mã"})
    assert resp.status_code == 400 and "Lỗi" in resp.text
