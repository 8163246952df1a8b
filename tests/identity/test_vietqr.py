"""VietQR (EMVCo) builder/parser: the published examples' CRCs, round trips, and fuzzing."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kcb06.identity import IdentityError
from kcb06.identity.vietqr import (
    VietQr,
    build_vietqr,
    crc16_ccitt_false,
    parse_vietqr,
    read_vietqr,
)

# docs/specs/vietqr.md#examples: two published examples and one synthetic kiosk example,
# CRCs AE9F / 53E6 / 7E44.
STATIC = (
    "00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN6304AE9F"
)
WITH_AMOUNT = (
    "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA5303704540510000"
    "5802VN62150811Chuyen tien630453E6"
)
KIOSK = (
    "00020101021238540010A00000072701240006970436011001234567890208QRIBFTTA5303704540615000"
    "05802VN62330108HD0001230817VIEN PHI HD00012363047E44"
)


def test_crc_check_value():
    assert crc16_ccitt_false(b"123456789") == 0x29B1


@pytest.mark.parametrize("text, crc", [(STATIC, "AE9F"), (WITH_AMOUNT, "53E6"), (KIOSK, "7E44")])
def test_published_examples_crc(text, crc):
    assert f"{crc16_ccitt_false(text[:-4].encode()):04X}" == crc == text[-4:]


def test_static_example_decodes():
    qr = parse_vietqr(STATIC)
    assert (qr.bank_bin, qr.account, qr.service, qr.amount, qr.is_dynamic) == (
        "970416",
        "257678859",
        "QRIBFTTA",
        None,
        False,
    )


def test_kiosk_example_is_built_exactly():
    qr = VietQr(
        bank_bin="970436",
        account="0123456789",
        amount=150_000,
        bill_number="HD000123",
        purpose="VIEN PHI HD000123",
    )
    assert build_vietqr(qr) == KIOSK
    assert parse_vietqr(KIOSK) == VietQr(
        "970436",
        "0123456789",
        amount=150_000,
        purpose="VIEN PHI HD000123",
        bill_number="HD000123",
        dynamic=True,
    )


@pytest.mark.parametrize("text", [STATIC, WITH_AMOUNT, KIOSK])
def test_parse_then_build_gives_the_same_text(text):
    assert build_vietqr(parse_vietqr(text)) == text


def test_purpose_diacritics_are_folded():
    text = build_vietqr(VietQr("970436", "0123456789", amount=50_000, purpose="Viện phí"))
    assert parse_vietqr(text).purpose == "Vien phi"


def test_damaged_qr_fails_crc():
    damaged = STATIC.replace("257678859", "257678858")
    with pytest.raises(IdentityError) as info:
        parse_vietqr(damaged)
    assert info.value.code == "vietqr_crc"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"bank_bin": "97043", "account": "1"},
        {"bank_bin": "970436", "account": ""},
        {"bank_bin": "970436", "account": "1", "amount": 0},
        {"bank_bin": "970436", "account": "1", "purpose": "x" * 26},
        {"bank_bin": "970436", "account": "1", "service": "NOPE"},
    ],
)
def test_builder_refuses_bad_values(kwargs):
    with pytest.raises(IdentityError) as info:
        build_vietqr(VietQr(**kwargs))
    assert info.value.code == "vietqr_value"


ascii_text = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=25
).filter(lambda s: s.strip() == s and "  " not in s)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet="0123456789ABCDEF", min_size=1, max_size=19),
    st.none() | st.integers(1, 10**12),
    st.none() | ascii_text,
    st.none() | ascii_text,
)
def test_build_parse_round_trip(bank_bin, account, amount, purpose, bill):
    qr = VietQr(bank_bin, account, amount=amount, purpose=purpose, bill_number=bill)
    parsed = parse_vietqr(build_vietqr(qr))
    assert (parsed.bank_bin, parsed.account, parsed.amount) == (bank_bin, account, amount)
    assert (parsed.purpose, parsed.bill_number) == (purpose, bill)
    assert parsed.is_dynamic == (amount is not None)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=200) | st.integers(0, len(KIOSK)).map(lambda n: KIOSK[:n]))
def test_random_text_raises_only_identity_error(text):
    try:
        parse_vietqr(text)
    except IdentityError as exc:
        assert exc.code.startswith("vietqr_")


def test_reading_reports_a_wrong_crc_with_the_fields():
    damaged = KIOSK[:-4] + "0000"
    reading = read_vietqr(damaged)
    assert reading.crc_valid is False
    assert (reading.crc, reading.crc_expected) == ("0000", "7E44")
    assert reading.qr.amount == 150_000 and reading.qr.purpose == "VIEN PHI HD000123"


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet="0123456789ABCDEF", min_size=1, max_size=19),
    st.none() | st.integers(1, 10**12),
    st.none() | ascii_text,
)
def test_read_round_trip_has_a_valid_crc(bank_bin, account, amount, purpose):
    text = build_vietqr(VietQr(bank_bin, account, amount=amount, purpose=purpose))
    reading = read_vietqr(text)
    assert reading.crc_valid
    assert reading.qr == parse_vietqr(text)
    assert (reading.qr.bank_bin, reading.qr.account, reading.qr.amount) == (
        bank_bin,
        account,
        amount,
    )
    assert reading.qr.purpose == purpose


@settings(max_examples=500, deadline=None)
@given(
    st.text(max_size=200)
    | st.integers(0, len(KIOSK)).map(lambda n: KIOSK[:n])
    | st.tuples(st.integers(0, len(KIOSK) - 1), st.characters()).map(
        lambda t: KIOSK[: t[0]] + t[1] + KIOSK[t[0] + 1 :]
    )
)
def test_reading_any_text_gives_a_value_or_identity_error(text):
    try:
        reading = read_vietqr(text)
    except IdentityError as exc:
        assert exc.code == "vietqr_format"
    else:
        assert isinstance(reading.as_dict()["crc_valid"], bool)
