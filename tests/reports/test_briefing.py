"""The facility head's morning briefing: today's counts at their own facility, nothing else."""

import pytest

from kcb06.facilities.models import Facility
from kcb06.interchange.models import OutboxItem, OutboxKind, OutboxState
from kcb06.payments.models import Payment
from kcb06.visits.models import Ticket
from tests.reports import factories as f


def _ticket(visit, status, number):
    return Ticket.objects.create(
        visit=visit,
        department=visit.department,
        day=visit.visit_date,
        number=number,
        token=f"tok{number:029d}",
        status=status,
    )


def test_the_briefing_counts_today_by_department_queue_claims_and_payments(login, org):
    a = f.visit()
    b = f.visit()
    c = f.visit(ended_hours_ago=2)
    _ticket(a, "waiting", 1)
    _ticket(b, "called", 2)
    _ticket(c, "done", 3)
    f.visit("27903")  # another facility: not counted
    OutboxItem.objects.create(
        facility=c.facility,
        visit=c,
        ma_lk=c.ma_lk,
        kind=OutboxKind.CLAIM,
        state=OutboxState.REJECTED,
        content_hash="9" * 64,
    )
    Payment.objects.create(facility=c.facility, method="vietqr", amount=120_000)
    Payment.objects.create(facility=c.facility, method="cash", amount=30_000)
    Payment.objects.create(facility=Facility.objects.get(code="27903"), method="cash", amount=1)
    response = login("quantri").get("/reports/briefing/")
    assert response.status_code == 200
    page = response.content.decode()
    body = " ".join(page.split())

    def tile(name):
        return body.split(f'data-testid="tile-{name}"')[1].split("</article>")[0]

    assert "<strong>3</strong>" in tile("check-ins")
    assert "<strong>1</strong>" in tile("waiting") and "đang gọi: 1" in tile("waiting")
    assert "<strong>1</strong>" in tile("claims")
    assert "<strong>2</strong>" in tile("payments") and "không tiền mặt: 1" in tile("payments")
    assert "150.000 đ" in tile("payments")
    first = a.department
    row = body.split(f'data-code="{first.code}"')[1].split("</tr>")[0]
    assert [x.split("<")[0] for x in row.split('class="num">')[1:]] == ["3", "1", "1", "1"]
    assert f.SECRET_NAME not in page and a.ma_lk not in page
    assert 'data-fullscreen="briefing"' in page and 'hx-trigger="every 60s"' in page


@pytest.mark.parametrize("username", ["soyte", "tiepdon", "bacsi", "thungan"])
def test_only_the_facility_head_opens_the_briefing(login, org, username):
    assert login(username).get("/reports/briefing/").status_code == 403
