"""Table tests: every format parse_scan recognises and every error code it can give.

All numbers and names are synthetic (the examples of docs/specs/qr-codes.md or invented).
"""

from datetime import date

import pytest

from kcb06.identity import (
    BhxhNumber,
    BhytCard,
    CccdQr,
    IdentityError,
    IdNumber,
    VneidQr,
    parse_bhxh_number,
    parse_bhyt_card,
    parse_cccd_qr,
    parse_id_number,
    parse_scan,
)

TODAY = date(2026, 11, 23)
QR_A = "001095000001|123456789|Nguyễn Văn A|15081995|Nam|Thôn 2, Xã C, Thành phố Hà Nội|20062021"
QR_B = "079301000002||Trần Thị B|01012001|Nữ|Số 1 Đường A, Phường B, Thành phố Hồ Chí Minh|10072024"


def scan(text):
    return parse_scan(text, today=TODAY)


def error_code(text, parser=scan):
    with pytest.raises(IdentityError) as info:
        parser(text)
    err = info.value
    assert err.message_vi and err.message_en
    assert err.as_dict() == {
        "code": err.code,
        "message_vi": err.message_vi,
        "message_en": err.message_en,
    }
    return err.code


def warning_codes(qr: CccdQr) -> list[str]:
    return [w.code for w in qr.warnings]


def test_cccd_qr_with_old_id():
    qr = scan(QR_A)
    assert isinstance(qr, CccdQr)
    assert qr.as_dict() == {
        "kind": "cccd_qr",
        "id_number": "001095000001",
        "old_id_number": "123456789",
        "full_name": "Nguyễn Văn A",
        "date_of_birth": "1995-08-15",
        "sex": "male",
        "address": "Thôn 2, Xã C, Thành phố Hà Nội",
        "issue_date": "2021-06-20",
        "other_id_numbers": [],
        "warnings": [],
    }


def test_cccd_qr_without_old_id_female():
    qr = scan(QR_B)
    assert qr.old_id_number is None
    assert qr.sex == "female"
    assert qr.date_of_birth == date(2001, 1, 1)
    assert qr.issue_date == date(2024, 7, 10)
    assert qr.warnings == ()


@pytest.mark.parametrize("word", ["Nữ", "NỮ", "nữ", "Nu", "NU", "nu", "Nu\u0303"])
def test_sex_female_spellings(word):
    assert scan(QR_B.replace("|Nữ|", f"|{word}|")).sex == "female"


def test_sex_unreadable_is_error():
    assert error_code(QR_B.replace("|Nữ|", "|X|")) == "sex_invalid"


def test_2024_card_with_several_old_numbers_keeps_first_nine_digit():
    qr = scan(QR_A.replace("|123456789|", "|001095000009,123456789|"))
    assert qr.old_id_number == "123456789"
    assert qr.other_id_numbers == ("001095000009",)
    assert qr.warnings == ()


def test_unreadable_old_id_is_warning_not_error():
    qr = scan(QR_A.replace("|123456789|", "|12345|"))
    assert qr.old_id_number is None
    assert warning_codes(qr) == ["old_id_invalid"]


def test_empty_issue_date_is_none():
    assert scan(QR_B[: -len("10072024")]).issue_date is None


@pytest.mark.parametrize(
    "replace, expected",
    [
        # digit 4 = 0 (male, 1900s) but card says Nữ
        (("|Nam|", "|Nữ|"), ["id_sex_mismatch"]),
        # born 2001 while digits say 1995 (same century): year digits mismatch
        (("|15081995|", "|15082001|"), ["id_century_mismatch", "id_year_mismatch"]),
        (("|15081995|", "|15081996|"), ["id_year_mismatch"]),
        (("001095000001|", "999095000001|"), ["id_province_unknown"]),
        (("|20062021", "|20061990"), ["issue_before_birth"]),
        (("|20062021", "|20062027"), ["issue_in_future"]),
        (("|Thôn 2, Xã C, Thành phố Hà Nội|", "||"), ["address_missing"]),
    ],
)
def test_consistency_problems_are_warnings(replace, expected):
    qr = scan(QR_A.replace(*replace))
    assert isinstance(qr, CccdQr)
    assert warning_codes(qr) == expected
    assert all(w.message_vi and w.message_en for w in qr.warnings)


def test_century_digit_for_2000s():
    qr = scan(QR_B)  # digit 4 = 3: female, born 2000-2099
    assert qr.warnings == ()
    assert warning_codes(scan(QR_B.replace("|01012001|", "|01011901|"))) == [
        "id_century_mismatch",
        "dob_very_old",
    ]


@pytest.mark.parametrize("dob", ["31022001", "00012001", "01132001", "0101200", "abcdefgh"])
def test_impossible_dates_are_errors(dob):
    assert error_code(QR_B.replace("|01012001|", f"|{dob}|")) == "date_invalid"


def test_impossible_issue_date_is_error():
    assert error_code(QR_B.replace("|10072024", "|32072024")) == "date_invalid"


def test_dob_in_future_is_error():
    assert error_code(QR_B.replace("|01012001|", "|01012030|")) == "dob_in_future"


def test_missing_name_is_error():
    assert error_code(QR_B.replace("|Trần Thị B|", "| |")) == "name_missing"


@pytest.mark.parametrize("cut", [13, 30, 50, 70])
def test_half_a_qr_is_truncated(cut):
    text = QR_A[:cut]
    assert text.count("|") < 6
    assert error_code(text) == "qr_truncated"


def test_too_many_fields():
    assert error_code(QR_A + "|x") == "qr_fields"


def test_qr_with_bad_id_field():
    assert error_code("00109500000|" + QR_A.split("|", 1)[1]) == "id_number_length"
    assert error_code("00109500000X|" + QR_A.split("|", 1)[1]) == "id_number_digits"


def test_id_number():
    result = scan("001095000001")
    assert isinstance(result, IdNumber)
    assert result.as_dict() == {
        "kind": "id_number",
        "id_number": "001095000001",
        "birth_province_code": "001",
        "birth_province_name": "Hà Nội",
        "sex": "male",
        "birth_year_from": 1995,
        "birth_year_to": 1995,
    }


@pytest.mark.parametrize(
    "number, sex, year",
    [
        ("079301000002", "female", 2001),
        ("079200000003", "male", 2000),
        ("079199000004", "female", 1999),
        ("079499000005", "male", 2199),
        ("079900000006", "female", 2300),
    ],
)
def test_id_number_century_sex_digit(number, sex, year):
    result = parse_id_number(number)
    assert (result.sex, result.birth_year_from, result.birth_year_to) == (sex, year, year)


def test_id_number_unknown_province_is_error_on_the_id_path():
    assert error_code("003095000001") == "id_number_province"
    assert error_code("999095000001", parse_id_number) == "id_number_province"


@pytest.mark.parametrize("text", ["00109500000", "123456789", "0010950000011"])
def test_id_number_wrong_length(text):
    assert error_code(text, parse_id_number) == "id_number_length"


def test_id_number_letters():
    assert error_code("00109500000A", parse_id_number) == "id_number_digits"


def test_mistyped_ids_by_length():
    assert error_code("00109500000") == "id_number_length"  # 11 digits
    assert error_code("123456789") == "id_number_length"  # old 9-digit CMND typed


def test_bhyt_card():
    card = scan("DN4010123456789")
    assert isinstance(card, BhytCard)
    assert card.as_dict() == {
        "kind": "bhyt_card",
        "card_number": "DN4010123456789",
        "object_code": "DN",
        "benefit_level": 4,
        "province_code": "01",
        "bhxh_number": "0123456789",
        "object_name_vi": "Người lao động làm việc trong doanh nghiệp",
        "warnings": [],
    }


def test_temporary_newborn_card():
    card = scan("TE1790000000123")
    assert (card.object_code, card.benefit_level, card.province_code) == ("TE", 1, "79")


def test_cb_is_level_two_and_other_level_is_only_a_warning():
    assert scan("CB2010123456789").warnings == ()
    card = scan("CB4010123456789")
    assert card.benefit_level == 4
    assert [w.code for w in card.warnings] == ["bhyt_level_unusual"]


def test_unknown_object_code_lists_allowed_codes():
    with pytest.raises(IdentityError) as info:
        scan("XX4010123456789")
    assert info.value.code == "bhyt_object_code"
    assert "DN" in info.value.message_vi and "TE" in info.value.message_vi
    assert "XX" in info.value.message_vi


@pytest.mark.parametrize("digit", ["0", "6", "9"])
def test_benefit_level_out_of_range(digit):
    assert error_code(f"DN{digit}010123456789") == "bhyt_benefit_level"


def test_unknown_bhyt_province():
    assert error_code("DN4990123456789") == "bhyt_province"
    assert error_code("DN4030123456789") == "bhyt_province"


def test_card_of_2025_province_codes_accepted():
    assert scan("DN4910123456789").province_code == "91"


def test_bhyt_wrong_length():
    assert error_code("DN401012345678") == "bhyt_length"
    assert error_code("DN40101234567890", parse_bhyt_card) == "bhyt_length"


def test_bhxh_number():
    result = scan("0123456789")
    assert isinstance(result, BhxhNumber)
    assert result.as_dict() == {"kind": "bhxh_number", "bhxh_number": "0123456789"}
    assert error_code("012345678", parse_bhxh_number) == "bhxh_number"


BHYT_QR = (
    "HT3790123456789|4e677579e1bb856e2056c4836e2041|15/08/1995|1|-|79 - 048|01/01/2024|-|"
    "01/01/2024|0105123456789|4|01/01/2029|abcd|-$"
)


def test_bhyt_card_qr_gives_the_card():
    card = scan(BHYT_QR)
    assert isinstance(card, BhytCard)
    assert card.card_number == "HT3790123456789"
    assert parse_bhyt_card(BHYT_QR).card_number == "HT3790123456789"


def test_bhyt_card_qr_of_2021_model_gives_bhxh_number():
    text = BHYT_QR.replace("HT3790123456789|", "0123456789|", 1)
    assert scan(text) == BhxhNumber("0123456789")
    assert parse_bhxh_number(text).bhxh_number == "0123456789"


@pytest.mark.parametrize(
    "text",
    [
        "https://vneid.gov.vn/qr?c=AbC123",
        "https://xacthuc.dichvucong.gov.vn/verify/AbC123",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJlLXRlc3Q",
        "Qk9DT05HQU4tVk5FSUQtRFlOQU1JQy1RUi0wMTIzNDU2Nzg5LXRlc3QtdG9rZW4",
        "VNEID-DEMO-0001-HOPLE",  # the synthetic payloads of portalsim's e-ID fixtures
    ],
)
def test_vneid_qr_recognised_and_payload_kept_but_not_shown(text):
    result = scan(text)
    assert isinstance(result, VneidQr)
    assert result.payload == text
    assert result.as_dict() == {"kind": "vneid_qr", "payload": text}
    assert text not in repr(result)


@pytest.mark.parametrize(
    "text",
    [
        "8934588012228",  # EAN-13 product barcode (valid check digit)
        "12345678",  # EAN-8 length
        "hello world",
        "https://example.com/product/1",
        "Nguyễn Văn A",
        "A|B|C",
        "|||||||",
        '{"id": 1}',
    ],
)
def test_not_an_id(text):
    assert error_code(text) == "not_an_id"


def test_payment_qr_is_named():
    vietqr = (
        "00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN6304AE9F"
    )
    assert error_code(vietqr) == "payment_qr"


@pytest.mark.parametrize("text", ["", "   ", "\r\n", "\ufeff\t\r\n", "\x00\x00"])
def test_empty(text):
    assert error_code(text) == "empty"


def test_two_different_codes_in_one_scan():
    assert error_code("001095000001\r\n079301000002") == "multiple_scans"


def test_parse_cccd_qr_rejects_other_kinds():
    assert error_code("001095000001", lambda t: parse_cccd_qr(t, today=TODAY)) == "not_an_id"


def test_parse_bhyt_card_rejects_a_cccd_qr():
    assert error_code(QR_A, parse_bhyt_card) == "bhyt_format"


def test_card_code_with_a_wrong_character():
    assert error_code("DN4O10123456789") == "bhyt_format"  # letter O typed for zero


def test_question_marks_in_name_warn_that_the_scanner_lost_letters():
    qr = scan(QR_A.replace("Nguyễn Văn A", "Nguy?n V?n A"))
    assert warning_codes(qr) == ["name_unreadable_chars"]


def test_every_error_and_warning_code_is_documented():
    from pathlib import Path

    from kcb06.identity.errors import MESSAGES

    doc = (Path(__file__).resolve().parents[2] / "docs" / "identity.md").read_text()
    missing = [code for code in MESSAGES if f"`{code}`" not in doc]
    assert missing == []
