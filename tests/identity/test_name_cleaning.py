"""Names are text: bidi overrides, controls and zero-width characters are removed, markup and
lone surrogates refused (issue "Trust" #15). A U+202E in a name printed it reversed on the
screen and the ticket."""

import pytest

from kcb06.identity import IdentityError, normalize_scan, parse_scan
from kcb06.identity.names import NAME_MAX_CHARS, check_name, clean_name

RLO = "\u202e"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (f"{RLO}Nguyễn Văn A", "Nguyễn Văn A"),
        ("Nguyễn\u200b Văn\u2066 A\u2069", "Nguyễn Văn A"),
        ("Trần\u200e Thị\u200f B\u061c", "Trần Thị B"),
        ("Lê\x00 Văn\x1b C\x7f", "Lê Văn C"),
        ("Phạm\tVăn\nD", "Phạm Văn D"),
        ("\ufeffHoàng Văn E", "Hoàng Văn E"),
        ("Nguye\u0302\u0303n Văn F", "Nguyễn Văn F"),  # decomposed -> NFC
    ],
)
def test_clean_name_removes_what_is_not_text(raw, clean):
    assert clean_name(raw) == clean
    assert check_name(raw) == clean


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("<script>alert(1)</script>", "name_markup"),
        ("Nguyễn <b>Văn</b> A", "name_markup"),
        ("Nguyễn &lt; A", "name_markup"),
        ("Nguyễn {{ x }}", "name_markup"),
        ("", "name_empty"),
        (f"{RLO}\u200b ", "name_empty"),
        ("A" * (NAME_MAX_CHARS + 1), "name_too_long"),
        ("Nguy\ud800n", "name_invalid_unicode"),
    ],
)
def test_check_name_refuses_markup_and_broken_text(raw, code):
    with pytest.raises(IdentityError) as caught:
        check_name(raw)
    assert caught.value.code == code
    assert caught.value.message_vi and caught.value.message_en


def test_ordinary_names_pass_unchanged():
    for name in ["Nguyễn Văn A", "Đặng Thị Ánh-Tuyết", "H'Hen Niê", "Lò Văn O'Neil Jr."]:
        assert check_name(name) == name


def test_a_scanned_qr_loses_bidi_characters_before_parsing():
    scan = f"027085000001||Nguy{RLO}ễn Văn Hợp Lệ Demo|15081985|Nam|Thôn Demo|01012022"
    assert RLO not in normalize_scan(scan)
    assert parse_scan(scan).full_name == "Nguyễn Văn Hợp Lệ Demo"
