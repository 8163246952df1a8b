"""JSON API of eligibility: thin handlers over services."""

from typing import Annotated

from ninja import Router, Schema
from pydantic import StringConstraints

from kcb06.apischema import NameText, responses
from kcb06.eligibility.services import CHECK_ROLES, check_eligibility

router = Router(tags=["eligibility"])


def Text(least: int, most: int):  # noqa: N802 - reads as a type in the schema below
    return Annotated[str, StringConstraints(min_length=least, max_length=most)]


class CheckIn(Schema):
    card_number: Text(0, 32) | None = None
    id_number: Text(0, 32) | None = None
    full_name: NameText
    date_of_birth: Text(1, 10)  # dd/mm/yyyy, yyyy-mm-dd or yyyy
    sex: Text(0, 10) | None = None


@router.post(
    "/eligibility/checks",
    response=responses({200: dict}, 400, 413),
    summary="Kiểm tra thẻ BHYT với cổng BHXH / Check a BHYT card with the BHXH portal",
)
def create_check(request, payload: CheckIn):
    """Check a BHYT card (by card number, or by personal ID number) with the BHXH portal.

    Answers the verdict: outcome (valid | invalid | no_card | unverified), portal_code,
    reason_vi, next_step_vi, card, mismatches, check_id, pending.
    """
    principal = request.principal
    principal.require_role(*CHECK_ROLES)
    verdict = check_eligibility(
        principal,
        card_number=payload.card_number,
        id_number=payload.id_number,
        full_name=payload.full_name,
        date_of_birth=payload.date_of_birth,
        sex=payload.sex,
    )
    return verdict.as_dict()
