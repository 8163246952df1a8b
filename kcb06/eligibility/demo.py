"""Demo seed for eligibility: facilities' portal usernames (the demo cards live in portalsim's
fixtures, listed in docs/portalsim.md). Nothing heavy; idempotent."""

from kcb06.facilities.models import Facility


def seed(context: dict | None = None) -> dict:
    for facility in Facility.objects.exclude(code=None).filter(portal_username=""):
        facility.portal_username = f"{facility.code}_BV"
        facility.save(update_fields=["portal_username"])
    return {}
