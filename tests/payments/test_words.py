import pytest

from kcb06.payments.words import amount_in_words


@pytest.mark.parametrize(
    "amount, words",
    [
        (0, "Không đồng"),
        (7_500, "Bảy nghìn năm trăm đồng"),
        (15, "Mười lăm đồng"),
        (21, "Hai mươi mốt đồng"),
        (105, "Một trăm lẻ năm đồng"),
        (150_000, "Một trăm năm mươi nghìn đồng"),
        (1_050_000, "Một triệu không trăm năm mươi nghìn đồng"),
        (2_000_024, "Hai triệu không trăm hai mươi tư đồng"),
        (3_000_000_000, "Ba tỷ đồng"),
    ],
)
def test_amount_in_words(amount, words):
    assert amount_in_words(amount) == words
