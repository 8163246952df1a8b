"""JSON API of reports: thin handlers over services."""

from ninja import Router

router = Router(tags=["reports"])
