"""The demo seed: four portalsim citizens, today's tickets for the board, a kiosk account."""

import pytest

from kcb06.visits.models import Ticket

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_fills_the_board(org):
    from kcb06.patients.demo import seed as seed_patients
    from kcb06.visits.demo import seed as seed_visits
    from kcb06.visits.queue import board_state

    for _ in range(2):
        ctx = dict(org)
        ctx.update(seed_patients(ctx))
        ctx.update(seed_visits(ctx))
    assert Ticket.objects.count() == 4
    rooms = {r["department"]: r for r in board_state(org["facilities"]["27901"].pk)["rooms"]}
    assert rooms["K01"]["calling"] == 1 and rooms["K19"]["calling"] == 1
    assert ctx["kiosk_user"].staff.role == "kiosk"  # kiosk pages only (docs/reception.md)
