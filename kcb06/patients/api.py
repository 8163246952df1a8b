"""JSON API of patients: thin handlers over services."""

from ninja import Router

router = Router(tags=["patients"])
