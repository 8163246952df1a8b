"""References survive what banking apps do to messages; the webhook refuses what it must."""

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kcb06.payments.models import BankNotification, Payment
from kcb06.payments.reference import (
    ALPHABET,
    candidate_references,
    new_reference,
    transfer_message,
)
from kcb06.payments.signature import sign
from tests.payments.banksim_process import SECRET, WEBHOOK_PATH

ACCENTED = {"A": "Ấ", "E": "Ề", "O": "Ộ", "U": "Ữ", "D": "Đ", "Y": "Ỹ", "I": "Ị"}


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=ALPHABET, min_size=6, max_size=6),
    st.lists(st.sampled_from(["", " ", "  ", "-", "."]), min_size=20, max_size=20),
    st.booleans(),
    st.booleans(),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz .", max_size=20),
)
def test_reference_is_found_whatever_the_app_did(code, seps, lower, accents, prefix):
    reference = "KCB" + code
    message = transfer_message(reference)
    if accents:
        message = "".join(ACCENTED.get(c, c) for c in message)
    if lower:
        message = message.lower()
    spaced = "".join(c + seps[i % len(seps)] for i, c in enumerate(message.replace(" ", "")))
    assert reference in candidate_references(prefix + " " + spaced)


def test_new_references_fit_the_qr_purpose_and_differ():
    refs = {new_reference() for _ in range(1000)}
    assert len(refs) == 1000
    assert all(len(transfer_message(r)) <= 25 for r in refs)


@pytest.fixture
def post(client, settings):
    settings.KCB06_BANK_WEBHOOK_SECRET = SECRET

    def _post(body: dict, *, ts=None, secret=SECRET, signature=None):
        raw = json.dumps(body).encode()
        ts = str(int(time.time())) if ts is None else ts
        headers = {"HTTP_X_BANK_TIMESTAMP": ts}
        headers["HTTP_X_BANK_SIGNATURE"] = signature or sign(secret, ts, raw)
        return client.post(WEBHOOK_PATH, raw, content_type="application/json", **headers)

    return _post


BODY = {
    "notification_id": "n-1",
    "transaction_id": "FT1",
    "amount": 10_000,
    "message": "no reference here",
}


@pytest.mark.django_db
def test_replayed_call_is_refused_and_pays_nothing_more(post):
    assert post(BODY).json()["outcome"] == "unmatched"
    again = post(BODY)
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "webhook_replayed"
    assert Payment.objects.count() == 1 and BankNotification.objects.count() == 1


@pytest.mark.django_db
def test_signature_over_another_body_is_refused(post):
    forged = sign(SECRET, str(int(time.time())), b"{}")
    resp = post(BODY, signature=forged)
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "webhook_signature"
    assert not BankNotification.objects.exists()


@pytest.mark.django_db
def test_missing_headers_and_future_timestamp_are_refused(client, post, settings):
    settings.KCB06_BANK_WEBHOOK_SECRET = SECRET
    resp = client.post(WEBHOOK_PATH, b"{}", content_type="application/json")
    assert (resp.status_code, resp.json()["error"]["code"]) == (401, "webhook_unsigned")
    resp = post(BODY, ts=str(int(time.time()) + 3600))
    assert (resp.status_code, resp.json()["error"]["code"]) == (401, "webhook_stale")


@pytest.mark.django_db
def test_without_a_configured_secret_nothing_is_accepted(client, post, settings):
    settings.KCB06_BANK_WEBHOOK_SECRET = ""
    resp = post(BODY, secret="")
    assert resp.status_code == 503
    assert resp.json()["error"]["code"] == "webhook_not_configured"


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"notification_id": 5}'])
def test_malformed_body_is_a_clear_400(client, settings, body):
    settings.KCB06_BANK_WEBHOOK_SECRET = SECRET
    ts = str(int(time.time()))
    resp = client.post(
        WEBHOOK_PATH,
        body,
        content_type="application/json",
        HTTP_X_BANK_TIMESTAMP=ts,
        HTTP_X_BANK_SIGNATURE=sign(SECRET, ts, body),
    )
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] in {"webhook_body", "webhook_field"}
