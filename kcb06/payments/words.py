"""Amounts in Vietnamese words, as a bill prints them for people who type the transfer by hand
(“Bảy nghìn năm trăm đồng”)."""

DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
SCALES = ["", "nghìn", "triệu", "tỷ"]


def _group(n: int, full: bool) -> list[str]:
    """Words of 0 < n < 1000; `full`: not the leading group, so "không trăm" / "lẻ" appear."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words = []
    if full or hundreds:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("lẻ")
    elif tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        elif units == 4 and tens >= 2:
            words.append("tư")
        else:
            words.append(DIGITS[units])
    return words


def _scale(index: int) -> str:
    """nghìn, triệu, tỷ, nghìn tỷ, triệu tỷ, tỷ tỷ ..."""
    if index < len(SCALES):
        return SCALES[index]
    return " ".join(filter(None, [_scale(index - 3), "tỷ"]))


def amount_in_words(amount: int) -> str:
    if amount < 0:
        return "Âm " + amount_in_words(-amount)[0].lower() + amount_in_words(-amount)[1:]
    if amount == 0:
        return "Không đồng"
    groups = []
    while amount:
        groups.append(amount % 1000)
        amount //= 1000
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        value = groups[index]
        if not value:
            continue
        words += _group(value, full=index != len(groups) - 1)
        if _scale(index):
            words.append(_scale(index))
    text = " ".join(words) + " đồng"
    return text[0].upper() + text[1:]
