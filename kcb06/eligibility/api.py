"""JSON API of eligibility: thin handlers over services."""

from ninja import Router

router = Router(tags=["eligibility"])
