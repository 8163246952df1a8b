"""JSON API of interchange: thin handlers over services."""

from ninja import Router

router = Router(tags=["interchange"])
