"""Daily rollups: what each count counts, the rebuild command, the worker's job."""

from datetime import timedelta

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from kcb06.reports import jobs, rollups
from kcb06.reports.models import COUNT_FIELDS, FacilityDay
from kcb06.visits.models import Visit
from tests.reports import factories as f


def _row(code="27901", day=None) -> FacilityDay:
    return FacilityDay.objects.get(facility__code=code, day=day or timezone.localdate())


def test_counts_methods_verdicts_and_portal_states_per_facility_and_day(org):
    today = timezone.localdate()
    f.visit(method="cccd_qr", outcome="valid", ended_hours_ago=30, accepted_after_hours=2)
    f.visit(method="vneid_qr", outcome="valid", ended_hours_ago=30, accepted_after_hours=26)
    f.visit(method="id_number", outcome="invalid", ended_hours_ago=30)
    f.visit(method="bhyt_card", outcome="no_card", ended_hours_ago=1)
    f.visit(method="bhxh_number", outcome="unverified")
    f.visit(method="", outcome="")
    f.visit(method="cccd_qr", status="cancelled")  # never counted
    f.visit("27903", method="id_number", outcome="valid")
    f.visit(method="cccd_qr", day=today - timedelta(days=1))

    assert rollups.rebuild(today - timedelta(days=1), today) == 3

    row = _row()
    assert row.visits == 6
    assert (row.by_cccd_qr, row.by_vneid_qr, row.by_id_number) == (1, 1, 1)
    assert (row.by_bhyt_card, row.by_no_document) == (2, 1)
    assert (row.elig_valid, row.elig_invalid, row.elig_no_card, row.elig_unverified) == (
        2,
        1,
        1,
        1,
    )
    assert row.ended == 4
    assert row.accepted == 2
    assert row.accepted_on_time == 1  # the other was accepted 26 h after the end
    # late: accepted after 24 h, and ended 30 h ago without acceptance; the visit ended 1 h ago
    # is not late yet.
    assert row.late == 2
    assert _row("27903").visits == 1
    assert _row(day=today - timedelta(days=1)).visits == 1


def test_rollup_holds_counts_only_no_patient_or_visit(org):
    f.visit()
    rollups.rebuild(timezone.localdate(), timezone.localdate())
    columns = {field.name for field in FacilityDay._meta.concrete_fields}
    assert columns == {"id", "facility", "day", "computed_at", "received_at", *COUNT_FIELDS}


def test_rebuild_is_idempotent_and_follows_later_changes(org):
    today = timezone.localdate()
    v = f.visit()
    rollups.rebuild(today, today)
    rollups.rebuild(today, today)
    assert FacilityDay.objects.count() == 1
    assert _row().visits == 1

    v.save(update_fields=v.cancel("Đăng ký nhầm"))
    rollups.rebuild(today, today)
    assert not FacilityDay.objects.exists()


def test_rebuild_leaves_days_outside_the_period(org):
    today = timezone.localdate()
    f.visit(day=today - timedelta(days=10))
    rollups.rebuild(today - timedelta(days=10), today - timedelta(days=10))
    Visit.objects.all().delete()
    rollups.rebuild(today - timedelta(days=2), today)
    assert FacilityDay.objects.filter(day=today - timedelta(days=10)).exists()


def test_worker_job_refreshes_recent_days_and_is_listed(org):
    from kcb06.worker import load_jobs

    assert "kcb06.reports.jobs.refresh_rollups" in {name for name, _f, _i in load_jobs()}
    today = timezone.localdate()
    f.visit(day=today - timedelta(days=2))
    f.visit()
    f.visit(day=today - timedelta(days=30))
    assert jobs.refresh_rollups() == 0
    assert set(FacilityDay.objects.values_list("day", flat=True)) == {
        today,
        today - timedelta(days=2),
    }


def test_command_rebuilds_a_period(org):
    from kcb06.cli import app

    today = timezone.localdate()
    f.visit(day=today - timedelta(days=40))
    f.visit("27903", day=today - timedelta(days=39))
    start, end = (today - timedelta(days=45)).isoformat(), today.isoformat()
    result = CliRunner().invoke(app, ["reports", "rebuild", "--from", start, "--to", end])
    assert result.exit_code == 0, result.output
    assert "2 facility-days" in result.output
    assert FacilityDay.objects.count() == 2


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [("2026-13-01", "2026-12-01", "--from"), ("2026-12-05", "2026-12-01", "--to")],
)
def test_command_refuses_bad_dates_in_vietnamese(org, start, end, message):
    from kcb06.cli import app

    result = CliRunner().invoke(app, ["reports", "rebuild", "--from", start, "--to", end])
    assert result.exit_code == 2
    assert message in result.output
    assert "ngày" in result.output or "không sớm hơn" in result.output


def test_a_real_check_in_is_counted_by_its_method(org, portal):
    """The desk's chip-card scan is recorded on the visit and lands in the chip-card column."""
    from kcb06.visits import services
    from tests.visits.helpers import VALID, principal

    r = services.check_in(VALID, "K01", principal(org))
    assert Visit.objects.get(pk=r.visit.pk).check_in_method == "cccd_qr"
    rollups.rebuild(timezone.localdate(), timezone.localdate())
    row = _row()
    assert (row.visits, row.by_cccd_qr, row.elig_valid) == (1, 1, 1)


def test_refresh_window_follows_the_setting(org, settings):
    settings.KCB06_REPORTS_REFRESH_DAYS = 0
    today = timezone.localdate()
    f.visit(day=today - timedelta(days=1))
    f.visit()
    jobs.refresh_rollups()
    assert list(FacilityDay.objects.values_list("day", flat=True)) == [today]


def test_a_kiosk_check_in_by_typed_number_is_counted_as_typed(org, client, portal):
    """At the kiosk the scan is not evidence for the record, but how the person checked in is
    still what the figures count."""
    from kcb06.visits import services
    from kcb06.visits.demo import _kiosk_user
    from tests.visits.helpers import VALID, principal

    services.check_in(VALID, "K01", principal(org))  # known at 27901 (chip card at the desk)
    client.force_login(_kiosk_user(org["facilities"]["27901"]))
    html = client.post(
        "/kiosk/step/",
        {"step": "ticket", "scan": "027085000001", "dob": "15/08/1985", "department": "K19"},
    ).content.decode()
    assert 'data-testid="kiosk-step-ticket"' in html
    methods = sorted(Visit.objects.values_list("check_in_method", flat=True))
    assert methods == ["cccd_qr", "id_number"]
    rollups.rebuild(timezone.localdate(), timezone.localdate())
    row = _row()
    assert (row.visits, row.by_cccd_qr, row.by_id_number) == (2, 1, 1)
