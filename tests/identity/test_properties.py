"""Property tests (hypothesis): our own formatter round-trips, and nothing but IdentityError
ever escapes the parsers, whatever a scanner sends."""

from datetime import date, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kcb06.identity import (
    CccdQr,
    IdentityError,
    format_cccd_qr,
    normalize_scan,
    parse_bhxh_number,
    parse_bhyt_card,
    parse_cccd_qr,
    parse_id_number,
    parse_scan,
)
from kcb06.identity.codes import BHYT_OBJECT_CODES, BHYT_PROVINCE_CODES, PROVINCE_BIRTH_CODES

TODAY = date(2026, 11, 23)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Vietnamese syllables with every kind of diacritic, as names are written on cards.
SYLLABLES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Văn",
    "Thị",
    "Đức",
    "Ngọc",
    "Minh",
    "Thanh",
    "Hữu",
    "Quốc",
    "Thùy",
    "Ánh",
    "Ơn",
    "Ưng",
    "Ỷ",
    "Yến",
    "Khuê",
    "Nguyệt",
    "Tuấn",
    "Hạnh",
    "Phượng",
    "Ẩn",
]
ADDRESS_WORDS = SYLLABLES + ["Số", "12", "Đường", "Phường", "Xã", "Thôn", "Ấp", "Tổ", "7", "Q.1"]

names = st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=5).map(" ".join)
address_parts = st.lists(st.sampled_from(ADDRESS_WORDS), min_size=1, max_size=4).map(" ".join)
addresses = st.lists(address_parts, min_size=1, max_size=5).map(", ".join)
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
provinces = st.sampled_from(sorted(PROVINCE_BIRTH_CODES))
digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@st.composite
def cccd_values(draw) -> CccdQr:
    dob = draw(birth_dates)
    sex = draw(st.sampled_from(["male", "female"]))
    consistent = draw(st.booleans())
    if consistent:
        digit = (dob.year - 1900) // 100 * 2 + (sex == "female")
        year = dob.year % 100
        province = draw(provinces)
    else:
        digit = draw(st.integers(0, 9))
        year = draw(st.integers(0, 99))
        province = draw(st.integers(0, 999).map(lambda n: f"{n:03d}"))
    number = f"{province}{digit}{year:02d}{draw(st.integers(0, 999_999)):06d}"
    old = draw(st.none() | st.integers(0, 10**9 - 1).map(lambda n: f"{n:09d}"))
    others = tuple(
        draw(st.lists(st.integers(0, 10**12 - 1).map(lambda n: f"{n:012d}"), max_size=2))
    )
    issue = draw(st.none() | st.dates(min_value=date(2016, 1, 1), max_value=TODAY))
    return CccdQr(
        id_number=number,
        old_id_number=old,
        full_name=draw(names),
        date_of_birth=dob,
        sex=sex,
        address=draw(addresses),
        issue_date=issue,
        other_id_numbers=others,
    )


@FAST
@given(cccd_values())
def test_formatted_qr_parses_back_to_the_same_fields(value):
    parsed = parse_cccd_qr(format_cccd_qr(value), today=TODAY)
    assert (
        parsed.id_number,
        parsed.old_id_number,
        parsed.full_name,
        parsed.date_of_birth,
        parsed.sex,
        parsed.address,
        parsed.issue_date,
        parsed.other_id_numbers,
    ) == (
        value.id_number,
        value.old_id_number,
        value.full_name,
        value.date_of_birth,
        value.sex,
        value.address,
        value.issue_date,
        value.other_id_numbers,
    )
    # and the parsed value (with its warnings) is a fixed point of format -> parse
    assert parse_cccd_qr(format_cccd_qr(parsed), today=TODAY) == parsed


@FAST
@given(cccd_values())
def test_consistent_values_give_no_id_warnings(value):
    parsed = parse_scan(format_cccd_qr(value), today=TODAY)
    digit = int(value.id_number[3])
    if (
        value.id_number[:3] in PROVINCE_BIRTH_CODES
        and 1900 + digit // 2 * 100 <= value.date_of_birth.year < 2000 + digit // 2 * 100
        and (digit % 2 == 1) == (value.sex == "female")
        and int(value.id_number[4:6]) == value.date_of_birth.year % 100
    ):
        codes = {w.code for w in parsed.warnings}
        assert not codes & {
            "id_sex_mismatch",
            "id_century_mismatch",
            "id_year_mismatch",
            "id_province_unknown",
        }


@FAST
@given(cccd_values(), st.sampled_from(["\r\n", "\n", "\t", " ", "\x00"]), st.booleans())
def test_scanner_noise_does_not_change_the_result(value, suffix, bom):
    text = format_cccd_qr(value)
    noisy = ("\ufeff" if bom else "") + text + suffix
    assert parse_scan(noisy, today=TODAY) == parse_scan(text, today=TODAY)


PARSERS = [parse_scan, parse_cccd_qr, parse_id_number, parse_bhyt_card, parse_bhxh_number]


def only_identity_errors(text: str) -> None:
    for parser in PARSERS:
        try:
            result = parser(text)
        except IdentityError as exc:
            assert exc.code and exc.message_vi and exc.message_en
        else:
            assert result.as_dict()["kind"]


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=300))
@example("|" * 6)
@example("0" * 12 + "|" * 6)
@example("\ufeff")
@example("Ã\x00©")
def test_random_text_raises_only_identity_error(text):
    only_identity_errors(text)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_decoded_raise_only_identity_error(raw):
    only_identity_errors(raw.decode("utf-8", errors="replace"))
    only_identity_errors(raw.decode("latin-1"))


@st.composite
def mutated_qrs(draw) -> str:
    text = format_cccd_qr(draw(cccd_values()))
    op = draw(st.sampled_from(["truncate", "pipe", "delete", "replace", "duplicate"]))
    pos = draw(st.integers(0, len(text)))
    if op == "truncate":
        return text[:pos]
    if op == "pipe":
        return text[:pos] + "|" + text[pos:]
    if op == "delete":
        return text[:pos] + text[pos + 1 :]
    if op == "replace":
        return text[:pos] + draw(st.characters()) + text[pos + 1 :]
    return text + draw(st.sampled_from(["", "\r\n", " "])) + text[:pos]


@settings(max_examples=500, deadline=None)
@given(mutated_qrs())
def test_mutated_qr_raises_only_identity_error(text):
    only_identity_errors(text)


@FAST
@given(cccd_values(), st.data())
def test_truncated_qr_is_reported_as_truncated(value, data):
    text = format_cccd_qr(value)
    last_pipe = text.rindex("|")
    cut = data.draw(st.integers(13, last_pipe - 1))  # keeps the ID field, loses >= 1 field
    try:
        parse_scan(text[:cut], today=TODAY)
    except IdentityError as exc:
        assert exc.code == "qr_truncated"
    else:
        raise AssertionError("half a QR was accepted")


@settings(max_examples=500, deadline=None)
@given(
    st.text(max_size=200)
    | mutated_qrs()
    | st.binary(max_size=200).map(lambda b: b.decode("latin-1"))
)
@example("Ã\x00©")
@example("  a  |  b  ")
@example("a\r\nb\r\nb")
def test_normalize_scan_is_idempotent(text):
    once = normalize_scan(text)
    assert normalize_scan(once) == once


@FAST
@given(
    st.sampled_from(sorted(BHYT_OBJECT_CODES)),
    st.integers(1, 5),
    st.sampled_from(sorted(BHYT_PROVINCE_CODES)),
    st.integers(0, 10**10 - 1),
)
def test_every_valid_card_code_parses(code, level, province, number):
    card_number = f"{code}{level}{province}{number:010d}"
    card = parse_bhyt_card(card_number)
    assert (card.object_code, card.benefit_level, card.province_code) == (code, level, province)
    assert card.bhxh_number == f"{number:010d}"
    assert parse_scan(card_number.lower()) == card  # Caps Lock


@FAST
@given(birth_dates, st.sampled_from(["male", "female"]), provinces, st.integers(0, 999_999))
def test_id_number_digits_give_the_birth_year_and_sex(dob, sex, province, serial):
    digit = (dob.year - 1900) // 100 * 2 + (sex == "female")
    result = parse_id_number(f"{province}{digit}{dob.year % 100:02d}{serial:06d}")
    assert result.sex == sex
    assert result.birth_year_from == result.birth_year_to == dob.year


def test_future_is_relative_to_today():
    value = CccdQr("001095000001", None, "Nguyễn Văn A", date(2026, 11, 24), "male", "x", None)
    text = format_cccd_qr(value)
    assert parse_cccd_qr(text, today=date(2026, 11, 24)).date_of_birth == date(2026, 11, 24)
    try:
        parse_cccd_qr(text, today=date(2026, 11, 24) - timedelta(days=1))
    except IdentityError as exc:
        assert exc.code == "dob_in_future"
    else:
        raise AssertionError("a birth date in the future was accepted")
