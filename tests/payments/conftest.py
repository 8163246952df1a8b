"""Fixtures of the payments tests: a real banksim process, a live kcb06 it calls back, and a
closed visit with something for the patient to pay."""

import pytest

from tests.payments.banksim_process import SECRET, start_banksim


@pytest.fixture(scope="session")
def banksim_server():
    sim = start_banksim()
    yield sim
    sim.proc.terminate()
    sim.proc.wait(timeout=10)


@pytest.fixture
def bank(banksim_server, live_server, settings):
    """banksim pointed at this test's live kcb06, sharing the webhook secret."""
    settings.KCB06_BANK_WEBHOOK_SECRET = SECRET
    banksim_server.configure(live_server.url)
    return banksim_server


@pytest.fixture
def cashier(org):
    from kcb06.facilities.services import principal_for_user

    return principal_for_user(org["users"]["thungan"])


@pytest.fixture
def billable_visit(org):
    """A closed visit at 27901 whose patient owes 7 500 đ (15 Paracetamol at 500 đ, no BHYT)."""
    from kcb06.healthbook import services
    from tests.healthbook import factories as f

    visit = f.visit(f.patient())
    services.close_visit(f.principal(org), visit, dict(f.CLOSE, weight_kg="58.5"))
    visit.refresh_from_db()
    return visit


@pytest.fixture
def kiosk_client(org, client):
    from kcb06.visits.demo import _kiosk_user

    client.force_login(_kiosk_user(org["facilities"]["27901"]))
    return client


def assert_late_notification_pays_nothing(bank, transaction_id: str, bill) -> None:
    """The bank sends a transfer's notification again (its retry, after the bill was paid by
    hand): kcb06 answers "duplicate" and records no second payment."""
    from kcb06.payments.models import Payment

    bank.post(f"/_control/redeliver/{transaction_id}")
    late = bank.wait_delivered(transaction_id)
    assert late["deliveries"][-1]["body"]["outcome"] == "duplicate"
    assert Payment.objects.filter(bill=bill).count() == 1


def give_ticket(visit):
    """The queue ticket a check-in prints (its token is what the ticket's QR carries)."""
    import secrets

    from kcb06.visits.models import Ticket

    return Ticket.objects.create(
        visit=visit, department=visit.department, day=visit.visit_date, number=42,
        token=secrets.token_urlsafe(12),
    )  # fmt: skip


def pdf_text(content: bytes) -> str:
    import subprocess

    assert content[:4] == b"%PDF"
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return out.stdout.decode()
