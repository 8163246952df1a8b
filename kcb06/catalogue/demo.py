"""The demo facility's catalogues (27901): a few drugs, services, supplies, staff, departments
and beds, read from data/demo_*.csv through the same parser as an import; the commune station
27903 gets the same drugs, services and supplies (its demo BHYT visit bills from them). Every
code, number and price there is invented (synthetic, in the format of the real lists);
Paracetamol changes price on 01/07/2026 so both periods can be seen. Idempotent."""

from pathlib import Path

from django.db import transaction

from kcb06.catalogue import parsing, services
from kcb06.catalogue.columns import CATALOGUES
from kcb06.facilities.models import Facility

DATA = Path(__file__).parent / "data"
FACILITY = "27901"
# The commune station's catalogues: what its demo BHYT visit prescribes and orders.
STATION = "27903"
STATION_CATALOGUES = ("drugs", "services", "supplies")


def demo_rows(slug: str) -> list[dict]:
    path = DATA / f"demo_{slug}.csv"
    parsed = parsing.parse_file(CATALOGUES[slug], path.name, path.read_bytes())
    if parsed.errors:  # a broken data file is a bug of ours: say which row
        raise ValueError(f"{path.name}: {parsed.errors[0].message_en}")
    return parsed.rows


@transaction.atomic
def seed(context: dict | None = None) -> dict:
    facility = Facility.objects.filter(code=FACILITY).first()
    if facility is None:
        return {}
    added = {slug: services.seed_rows(facility.pk, slug, demo_rows(slug)) for slug in CATALOGUES}
    station = Facility.objects.filter(code=STATION).first()
    if station is not None:
        for slug in STATION_CATALOGUES:
            added[slug] += services.seed_rows(station.pk, slug, demo_rows(slug))
    return {"catalogue": added}
