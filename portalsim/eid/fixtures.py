"""Load the "eid_tokens" list of the fixtures file (synthetic VNeID QR payloads)."""

from datetime import date

from portalsim.eid.models import EidToken


def load(data: dict) -> None:
    for row in data.get("eid_tokens", []):
        EidToken.objects.update_or_create(
            payload=row["payload"],
            defaults={
                "id_number": row["id_number"],
                "full_name": row["full_name"],
                "date_of_birth": date.fromisoformat(row["date_of_birth"]),
                "sex": row["sex"],
                "expired": bool(row.get("expired")),
            },
        )
