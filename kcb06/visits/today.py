"""Today's ticket here: the one definition of "this person already holds a ticket today".

A visit counts when it is of that local day, has a ticket and is not cancelled (a cancelled
visit keeps its ticket, out of the queue, and frees the person to check in again). The
check-in asks it per department (a repeated scan gets the same visit and ticket back), the
desk per facility (the person's tickets of today). Two forms, built here from the same
conditions: a queryset for pages, and an SQL fragment for the check-in's one-statement
standing read (kcb06.visits.standing); tests/visits/test_today.py checks they agree.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from django.db import connection

from kcb06.visits.models import Ticket, Visit, VisitStatus


def todays_tickets(day: date, **scope):
    """Visits of `day` holding a ticket, not cancelled; `scope`: patient, facility_id,
    department… as Visit.objects.filter takes them."""
    return (
        Visit.objects.filter(visit_date=day, ticket__isnull=False, **scope)
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("department", "ticket")
        .order_by("pk")
    )


@cache  # the text depends only on the models and the argument
def todays_ticket_sql(patient: str) -> str:
    """SQL answering the id of the patient's visit of today with a ticket at a department
    (NULL if none). `patient`: SQL for the patient's id; parameters as `todays_ticket_params`."""
    v, t = Visit._meta, Ticket._meta
    col = {f: v.get_field(f).column for f in ("patient", "department", "visit_date", "status")}
    return (
        f"SELECT MIN(v.{v.pk.column}) FROM {v.db_table} v "  # noqa: S608 - from the models
        f"JOIN {t.db_table} t ON t.{t.get_field('visit').column} = v.{v.pk.column} "
        f"WHERE v.{col['patient']} = {patient} AND v.{col['department']} = %s "
        f"AND v.{col['visit_date']} = %s AND v.{col['status']} <> %s"
    )


def todays_ticket_params(department_id: int, day: date) -> list:
    return [department_id, connection.ops.adapt_datefield_value(day), VisitStatus.CANCELLED]
