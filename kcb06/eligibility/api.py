"""JSON API of eligibility: thin handlers over services."""

from ninja import Router, Schema

from kcb06.eligibility.services import CHECK_ROLES, check_eligibility

router = Router(tags=["eligibility"])


class CheckIn(Schema):
    card_number: str | None = None
    id_number: str | None = None
    full_name: str
    date_of_birth: str
    sex: str | None = None


@router.post("/eligibility/checks")
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
