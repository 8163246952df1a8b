"""JSON API of payments: thin handlers over services."""

from ninja import Router

router = Router(tags=["payments"])
