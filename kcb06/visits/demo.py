"""Demo visits and tickets for today so the queue board and clinic page are not empty, and a
kiosk account. Idempotent: re-running adds nothing for a day that already has them."""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kcb06.demo import DEMO_PASSWORD
from kcb06.facilities.models import Role, StaffProfile
from kcb06.visits.departments import local_day
from kcb06.visits.models import Ticket, TicketStatus, Visit
from kcb06.visits.numbers import bump_counter, make_ma_lk

# patient id_number -> (department, outcome stored on the demo visit, ticket status)
VISITS = [
    ("027085000001", "K01", "valid", TicketStatus.CALLED),
    ("027070000010", "K01", "invalid", TicketStatus.WAITING),
    ("027200000050", "K19", "no_card", TicketStatus.CALLED),
    ("027077000500", "K19", "unverified", TicketStatus.WAITING),
]


def _kiosk_user(facility):
    """The kiosk logs in as a kiosk-role account of its facility (docs/reception.md); its card
    checks run under the facility's lookup officer."""
    User = get_user_model()
    user, created = User.objects.get_or_create(username="kiosk")
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.first_name = "Ki-ốt sảnh chính"
        user.save()
    StaffProfile.objects.update_or_create(
        user=user,
        defaults={"facility": facility, "role": Role.KIOSK, "full_name": "Ki-ốt sảnh chính"},
    )
    return user


@transaction.atomic
def seed(context: dict) -> dict:
    facility = context["facilities"]["27901"]
    kiosk = _kiosk_user(facility)
    patients = context.get("demo_patients") or {}
    day = local_day()
    now = timezone.now()
    made = 0
    for id_number, dep_code, outcome, status in VISITS:
        patient = patients.get(id_number)
        if patient is None:
            continue
        dep = facility.departments.get(code=dep_code)
        if Visit.objects.filter(patient=patient, department=dep, visit_date=day).exists():
            continue
        visit = Visit.objects.create(
            ma_lk=make_ma_lk(facility.code, day, bump_counter(f"visit:{facility.pk}", day)),
            facility=facility,
            patient=patient,
            department=dep,
            arrived_at=now,
            visit_date=day,
            eligibility_outcome=outcome,
            eligibility_detail={"outcome": outcome, "reason_vi": "Dữ liệu demo."},
        )
        Ticket.objects.create(
            visit=visit,
            department=dep,
            day=day,
            number=bump_counter(f"ticket:{dep.pk}", day),
            token=secrets.token_urlsafe(12),
            status=status,
            called_at=now if status == TicketStatus.CALLED else None,
            call_count=1 if status == TicketStatus.CALLED else 0,
        )
        made += 1
    return {"demo_visits": made, "kiosk_user": kiosk}
