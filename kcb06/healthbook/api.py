"""JSON API of healthbook: thin handlers over services."""

from ninja import Router

router = Router(tags=["healthbook"])
