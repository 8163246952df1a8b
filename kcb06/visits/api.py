"""JSON API of visits: thin handlers over services."""

from ninja import Router

router = Router(tags=["visits"])
