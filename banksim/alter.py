"""What banking apps do to a transfer message on its way to the beneficiary's bank."""

import random

_ACCENTS = {"A": "Á", "E": "Ệ", "I": "Ì", "O": "Ơ", "U": "Ư", "D": "Đ", "Y": "Ý"}


def _accent(char: str) -> str:
    accented = _ACCENTS.get(char.upper(), char)
    return accented.lower() if char.islower() else accented


def alter_message(message: str, how: str, seed: int = 0) -> str:
    rng = random.Random(seed)
    if how == "spacing":  # spaces dropped, doubled, or one inserted in the middle of a word
        squeezed = message.replace(" ", "")
        cut = rng.randint(1, max(1, len(squeezed) - 1))
        return "  " + squeezed[:cut] + "  " + squeezed[cut:] + " "
    if how == "case":
        return message.lower()
    if how == "diacritics":  # an app "helpfully" types Vietnamese letters
        return "".join(_accent(c) for c in message)
    if how == "prefix":  # the bank prepends its own reference, as many do
        return f"MBVCB.{rng.randint(10**9, 10**10 - 1)}.{message}.CT tu 0123456789"
    if how == "all":
        return alter_message(alter_message(alter_message(message, "diacritics"), "case"),
                             "spacing", seed)  # fmt: skip
    raise ValueError(f"unknown alteration {how!r}")
