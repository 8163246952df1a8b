"""JSON API of web: thin handlers over services."""

from ninja import Router

router = Router(tags=["web"])
