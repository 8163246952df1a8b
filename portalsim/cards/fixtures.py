"""Load synthetic cards from the fixtures file's "cards" list and its "faults" list.

Dates may be absolute (YYYY-MM-DD) or relative to the day portalsim starts ("today",
"today+365", "today-30"), so the demo cards stay valid/expired whenever the demo runs.
"""

from datetime import date, timedelta

from portalsim.cards.models import Card
from portalsim.core import faults


def _date(value):
    if value in (None, ""):
        return None
    text = str(value)
    if text.startswith("today"):
        rest = text[5:]
        return date.today() + timedelta(days=int(rest or 0))
    return date.fromisoformat(text)


CARD_FIELDS = [
    "bhxh_number",
    "id_number",
    "full_name",
    "dob",
    "sex",
    "address",
    "ma_dkbd",
    "cq_bhxh",
    "area_code",
    "forced_code",
    "new_card_number",
    "new_ma_dkbd",
    "note",
]
DATE_FIELDS = ["valid_from", "valid_to", "five_year_date", "new_valid_from", "new_valid_to"]


def load(data: dict) -> None:
    for row in data.get("cards", []):
        defaults = {k: row.get(k, "") or "" for k in CARD_FIELDS}
        if not defaults["bhxh_number"]:
            defaults["bhxh_number"] = row["card_number"][5:]
        defaults.update({k: _date(row.get(k)) for k in DATE_FIELDS})
        defaults["copayments"] = [
            {**e, "ngayVao": str(_date(e["ngayVao"])), "ngayRa": str(_date(e["ngayRa"]))}
            for e in row.get("copayments", [])
        ]
        Card.objects.update_or_create(card_number=row["card_number"], defaults=defaults)
    faults.install_baseline([faults.Fault.from_dict(f) for f in data.get("faults", [])])
