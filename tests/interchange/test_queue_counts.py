"""The claim queue's counters (models.QueueCount) always equal a recount of the outbox rows,
whoever changes a claim and however (docs/claims.md, "Why it is fast"), on SQLite and on
PostgreSQL (DATABASE_URL); and the funnel read from them shows what a plain count shows."""

import itertools
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kcb06.facilities.models import Facility
from kcb06.interchange import jobs, outbox, queue_counts, queue_rollup
from kcb06.interchange.models import (
    QUEUE_STATES,
    OutboxItem,
    OutboxKind,
    OutboxState,
    QueueCount,
)
from tests.interchange.claims import claim, error

URL = "/interchange/queue/"
STATES = [s.value for s in OutboxState]
_checkins = itertools.count(1)


def _funnel_by_plain_count(facility_ids, now, days: int) -> dict:
    """What the funnel's steps must show, counted straight from the outbox rows."""
    rows = OutboxItem.objects.filter(
        kind=OutboxKind.CLAIM,
        facility_id__in=facility_ids,
        queue_since__gt=now - timedelta(days=days),
    )
    steps = {"built": 1, "valid": 2, "signed": 3, "sent": 4, "accepted": 6}
    return {key: rows.filter(queue_stage__gte=stage).count() for key, stage in steps.items()}


def _queue_by_plain_count(facility_ids, now) -> Counter:
    """(error, department, age bucket) -> claims not accepted yet, counted row by row."""
    edges = [(timedelta(days=d), key) for d, key in ((1, "lt1d"), (3, "1to3d"), (7, "3to7d"))]
    edges.append((timedelta(days=30), "7to30d"))
    out: Counter = Counter()
    rows = OutboxItem.objects.filter(
        kind=OutboxKind.CLAIM, facility_id__in=facility_ids, state__in=QUEUE_STATES
    )
    for key, dept, since in rows.values_list("queue_error", "department_id", "queue_since"):
        age = next((bucket for edge, bucket in edges if since > now - edge), "gt30d")
        out[key, dept, age] += 1
    return out


def _queue_counts(facility_ids, now) -> Counter:
    out: Counter = Counter()
    for key, dept, age, n in queue_counts.pending_counts(facility_ids, now).groups:
        out[key, dept, age] += n
    return out


def _funnel_steps(facility_ids, now, days: int) -> dict:
    return {s["key"]: s["n"] for s in queue_counts.funnel(facility_ids, now, days)["steps"]}


# --- random sequences of changes, by every kind of writer --------------------------------------

change = st.one_of(
    st.tuples(st.just("orm_update"), st.integers(0, 5), st.sampled_from(STATES), st.booleans()),
    st.tuples(st.just("save"), st.integers(0, 5), st.sampled_from(STATES), st.booleans()),
    st.tuples(st.just("raw_batch"), st.lists(st.integers(0, 5), min_size=1, max_size=4)),
    st.tuples(st.just("move"), st.integers(0, 5), st.floats(0, 24 * 100)),
    st.tuples(st.just("department"), st.integers(0, 5), st.booleans()),
    st.tuples(st.just("create"), st.sampled_from(STATES), st.floats(0, 24 * 100)),
    st.tuples(st.just("checkin"), st.sampled_from(STATES)),
    st.tuples(st.just("delete"), st.integers(0, 5)),
)


def _apply(step, org) -> None:
    """One change to the outbox, the way one of kcb06's writers makes it."""
    rows = list(OutboxItem.objects.order_by("pk").values_list("pk", flat=True))
    kind, *args = step
    if kind == "create":
        state, hours = args
        claim(state=state, hours=hours, errors=[error()] if state == "invalid" else None)
        return
    if kind == "checkin":
        x = OutboxItem.objects.filter(kind=OutboxKind.CLAIM).first()
        if x is not None:  # a check-in row is never counted
            OutboxItem.objects.create(
                facility_id=x.facility_id, ma_lk=x.ma_lk, kind=OutboxKind.CHECKIN,
                state=args[0], content_hash=f"checkin{next(_checkins)}",
            )  # fmt: skip
        return
    if not rows:
        return
    if kind == "raw_batch":  # the worker's statement: many rows, one UPDATE, no ORM
        ids = sorted({rows[i % len(rows)] for i in args[0]})
        with connection.cursor() as cur:
            marks = ", ".join(["%s"] * len(ids))
            sql = "UPDATE interchange_outboxitem SET state = %s, signed = %s, result_code = %s "
            cur.execute(sql + f"WHERE id IN ({marks})", ["sent", b"<signed/>", "", *ids])
        return
    pk = rows[args[0] % len(rows)]
    item = OutboxItem.objects.filter(pk=pk)
    if kind == "orm_update":
        state, signed = args[1:]
        item.update(state=state, signed=b"<s/>" if signed else None, result_code="125")
    elif kind == "save":
        state, with_error = args[1:]
        row = item.get()
        row.state, row.errors = state, [error()] if with_error else []
        row.save()
    elif kind == "move":  # the visit's end corrected: another day, maybe another period
        item.update(visit_ended_at=timezone.now() - timedelta(hours=args[1]))
    elif kind == "department":
        dept = org["facilities"]["27901"].departments.order_by("-sort_order").first()
        item.update(department=dept if args[1] else None)
    elif kind == "delete":
        item.delete()


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(change, min_size=1, max_size=8))
def test_counters_equal_a_recount_after_any_sequence_of_changes(org, steps):
    for step in steps:
        _apply(step, org)
    assert queue_rollup.differences() == {}
    ids = set(Facility.objects.values_list("pk", flat=True))
    now = timezone.now()
    for days in (7, 30, 90):
        assert _funnel_steps(ids, now, days) == _funnel_by_plain_count(ids, now, days)
    assert _queue_counts(ids, now) == _queue_by_plain_count(ids, now)


# --- the real writers: build, correction, return to an earlier content, re-send, delivery ------


@pytest.mark.django_db(transaction=True)
def test_every_writer_of_the_outbox_keeps_the_counters(org, signer_27901, receiving, make_visit):
    facility = org["facilities"]["27901"]
    v = make_visit()
    first = outbox.enqueue_claim_data(facility, None, v)  # build
    assert queue_rollup.differences() == {}
    original, v.final_diagnosis = v.final_diagnosis, "Viêm họng cấp do liên cầu"
    outbox.enqueue_claim_data(facility, None, v)  # a correction supersedes the pending file
    assert queue_rollup.differences() == {}
    v.final_diagnosis = original  # back to the first content: that file is current again
    assert outbox.enqueue_claim_data(facility, None, v).pk == first.pk
    assert queue_rollup.differences() == {}
    broken = outbox.enqueue_claim_data(facility, None, make_visit(main_icd="VIEM"))
    assert broken.state == OutboxState.INVALID
    receiving.post(
        "/_control/faults", json={"mode": "code:125", "endpoints": ["xml_claim"], "count": 1}
    )
    jobs.deliver_pending()  # claim (the lease) and finish: the worker's batch statements
    assert queue_rollup.differences() == {}
    refused = OutboxItem.objects.get(state=OutboxState.REJECTED)
    outbox.resend(refused)  # staff re-send: back to waiting, unsigned
    assert queue_rollup.differences() == {}
    jobs.deliver_pending()
    assert OutboxItem.objects.filter(state=OutboxState.ACCEPTED).count() == 1
    assert queue_rollup.differences() == {}
    ids = {facility.pk}
    now = timezone.now()
    assert _funnel_steps(ids, now, 30) == _funnel_by_plain_count(ids, now, 30)
    assert _queue_counts(ids, now) == _queue_by_plain_count(ids, now)


# --- the day the period's start cuts through --------------------------------------------------


@pytest.mark.django_db
def test_the_first_day_of_the_period_counts_only_the_claims_after_its_start(login, org):
    now = timezone.now()
    inside = claim(state="accepted", result_code="200", hours=24 * 30 - 1)
    claim(state="accepted", result_code="200", hours=24 * 30 + 1)  # an hour too old
    ids = {org["facilities"]["27901"].pk}
    assert _funnel_steps(ids, now, 30)["accepted"] == 1
    # moved out of the period (its visit's end corrected): counted nowhere in it
    OutboxItem.objects.filter(pk=inside.pk).update(visit_ended_at=now - timedelta(days=31))
    assert _funnel_steps(ids, now, 30)["accepted"] == 0
    assert _funnel_steps(ids, now, 90)["accepted"] == 2


@pytest.mark.django_db
def test_the_page_shows_a_change_at_once_no_cache(login, org):
    waiting = claim(state="waiting")
    client = login("thungan")
    assert 'data-testid="funnel-accepted-n">0<' in client.get(URL).content.decode()
    OutboxItem.objects.filter(pk=waiting.pk).update(state="accepted", result_code="200")
    assert 'data-testid="funnel-accepted-n">1<' in client.get(URL).content.decode()


# --- checking and rebuilding ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_finds_a_drifted_counter_and_the_rebuild_repairs_it(login, org):
    from kcb06.cli import app

    claim(state="accepted", result_code="200")
    claim(state="invalid", errors=[error()])
    QueueCount.objects.filter(state="accepted").update(n=F("n") + 5)  # drifted by hand

    check = CliRunner().invoke(app, ["xml", "queue-counts"])
    assert check.exit_code == 1
    assert '"differences": 1' in check.output
    today = timezone.now().date().isoformat()
    rebuilt = CliRunner().invoke(
        app, ["xml", "queue-counts", "--from", "2000-01-01", "--to", today, "--rebuild"]
    )
    assert rebuilt.exit_code == 0, rebuilt.output
    assert CliRunner().invoke(app, ["xml", "queue-counts"]).exit_code == 0
    html = login("thungan").get(URL).content.decode()
    assert 'data-testid="funnel-accepted-n">1<' in html


@pytest.mark.django_db
def test_the_command_refuses_a_period_ending_before_it_starts(org):
    from kcb06.cli import app

    result = CliRunner().invoke(
        app, ["xml", "queue-counts", "--from", "2026-12-05", "--to", "2026-12-01"]
    )
    assert result.exit_code == 2
    assert "không sớm hơn" in result.output
