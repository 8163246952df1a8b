"""Scanner tolerance: what a keyboard-mode scanner and the PC add, and what gets repaired."""

import unicodedata
from datetime import date

import pytest

from kcb06.identity import BhytCard, IdentityError, IdNumber, normalize_scan, parse_scan

TODAY = date(2026, 11, 23)
QR = "001095000001|123456789|Nguyễn Văn A|15081995|Nam|Thôn 2, Xã C, Thành phố Hà Nội|20062021"


def scan(text):
    return parse_scan(text, today=TODAY)


@pytest.mark.parametrize(
    "noisy",
    [
        QR + "\r\n",  # trailing Enter
        QR + "\n",
        QR + "\t",  # scanner configured to send Tab
        "\ufeff" + QR,  # UTF-8 BOM
        "  " + QR + "  ",
        QR + "\x00\x00",  # NUL padding
        "\u200b" + QR,  # zero-width space
        unicodedata.normalize("NFD", QR),  # decomposed diacritics (macOS, some scanners)
        QR + "\r\n" + QR + "\r\n",  # trigger held: the same QR twice on two lines
        QR + QR,  # the same QR twice glued together
        QR.replace("|Nguyễn Văn A|", "| Nguyễn  Văn A |"),  # padding and double spaces
        QR.encode("utf-8").decode("latin-1"),  # UTF-8 read as Latin-1
    ],
)
def test_noisy_cccd_qr_gives_the_same_result(noisy):
    assert scan(noisy) == scan(QR)


def test_mojibake_cp1252_is_repaired():
    # UTF-8 shown as Windows-1252; its five undefined bytes arrive as C1 controls (Latin-1)
    raw = "Nguyễn Văn Đức Ánh Ý Ố".encode()
    garbled = "".join(
        bytes([b]).decode("cp1252") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(b)
        for b in raw
    )
    assert "á»" in garbled
    assert normalize_scan(garbled) == "Nguyễn Văn Đức Ánh Ý Ố"


def test_real_vietnamese_text_is_not_treated_as_mojibake():
    for text in ["Ã Ấ Ầ", "Âu Cơ", "Ánh Ê", "Hà Nội, Đống Đa", "ÁO ÀO ẢO ÃO ẠO"]:
        assert normalize_scan(text) == text


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("dn4010123456789", "DN4010123456789"),  # Caps Lock inverted
        ("Dn4010123456789", "DN4010123456789"),
        ("DN4 01 0123456789", "DN4010123456789"),  # typed with spaces
        ("001 095 000 001", "001095000001"),
        ("001.095.000.001", "001095000001"),
        ("0123-456-789", "0123456789"),
        ("００１０９５０００００１", "001095000001"),  # full-width digits
    ],
)
def test_token_repairs(typed, expected):
    assert normalize_scan(typed) == expected


@pytest.mark.parametrize(
    "typed, expected",
    [
        # French AZERTY: the digit row without Shift gives &é"'(-è_çà
        ("àà&àç(ààààà&", "001095000001"),
        ("à&é\"'(-è_ç", "0123456789"),
        # letters sit on other keys too: the Q key types A, so QN arrives as AN
        ("AN(çè&é\"'(-è_çà", "QN5971234567890"),
        ("DN'à&à&é\"'(-è_ç", "DN4010123456789"),
        ("TQ'à&à&é\"'(-è_ç", "TA4010123456789"),
    ],
)
def test_azerty_digit_row_is_repaired(typed, expected):
    assert normalize_scan(typed) == expected


@pytest.mark.parametrize(
    "typed, expected",
    [
        # VNI input method on: a digit after a vowel becomes a tone mark
        ("TÉ010123456789", "TE1010123456789"),
        ("CẠ5790123456789"[:1] + "Ạ790123456789", "CA5790123456789"),
        ("NÕ010123456789", "NO4010123456789"),
        ("tỹ010123456789", "TY4010123456789"),
    ],
)
def test_vni_tone_marks_are_repaired(typed, expected):
    assert normalize_scan(typed) == expected
    assert isinstance(scan(typed), BhytCard)


@pytest.mark.parametrize(
    "text",
    [
        "àà&àç(ààààà",  # AZERTY but 11 digits: cannot be a known format
        "ĐN4010123456789X",  # Vietnamese letters where only ASCII belongs
        "àà&àç(ààààà&|é\"'|Nguyen|&(à_&çç(|Nam|x|éàà'éàé&",  # a CCCD QR typed on AZERTY
        "eyJhbGciOiJIUzI1NiJ9.ềyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJlLXRlc3Q",  # Telex garbled token
    ],
)
def test_unrepairable_layout_trouble_says_switch_keyboard(text):
    with pytest.raises(IdentityError) as info:
        scan(text)
    assert info.value.code == "keyboard_layout"
    assert "English (US)" in info.value.message_vi
    assert "Unikey" in info.value.message_vi


def test_caps_lock_inverted_name_and_address_in_qr():
    inverted = QR.replace("Nguyễn Văn A", "nGUYỄN vĂN a").replace(
        "Thôn 2, Xã C, Thành phố Hà Nội", "tHÔN 2, xÃ c, tHÀNH PHỐ hÀ nỘI"
    )
    qr = scan(inverted)
    assert qr.full_name == "Nguyễn Văn A"
    assert qr.address == "Thôn 2, Xã C, Thành phố Hà Nội"


def test_caps_lock_with_scanner_typing_vietnamese_letters_as_unicode():
    # Caps Lock swaps only the letters typed as keys; ễ/ă injected as Unicode keep their case
    qr = scan(QR.replace("Nguyễn Văn A", "nGUYễN văN a"))
    assert qr.full_name == "Nguyễn Văn A"


def test_lower_case_name_without_capitals_is_kept():
    assert scan(QR.replace("Nguyễn Văn A", "nguyễn văn a")).full_name == "nguyễn văn a"


def test_glued_duplicate_id_number():
    assert isinstance(scan("001095000001001095000001"), IdNumber)
    assert normalize_scan("0123456789 0123456789") == "0123456789"


def test_a_real_code_is_never_halved():
    # 10 identical digits are a BHXH number, not two halves of anything
    assert normalize_scan("1111111111") == "1111111111"
    assert normalize_scan("111111111111") == "111111111111"


@pytest.mark.parametrize(
    "text",
    [
        QR,
        QR + "\r\n",
        "\ufeff  dn4010123456789\r\n",
        "àà&àç(ààààà&",
        "a\r\nb\r\nb",
        "Ã\x00©",
        "  x  |  y  ",
        "TÉ010123456789",
    ],
)
def test_normalize_is_idempotent_on_examples(text):
    once = normalize_scan(text)
    assert normalize_scan(once) == once
