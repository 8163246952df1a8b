"""Periodic jobs of reports (run by `kcb06 worker`)."""

from kcb06.reports import federation, periodic, rollups


def refresh_rollups() -> int:
    """Refresh the daily rollups of the last few days. Answers 0 so that the worker waits its
    interval (a rebuild of recent days is complete in one pass, never a partial batch)."""
    rollups.refresh_recent()
    return 0


def generate_due_reports() -> int:
    """Make the weekly (Thursday 10:00), monthly (the 15th) and six-monthly reports whose time
    has come, once per health department and period. Answers 0: one pass makes them all."""
    periodic.generate_due()
    return 0


def push_to_province() -> int:
    """Where KCB06_REPORTS_PUSH_URL/KEY are set: send the recent days' figures (counts only)
    to the province's kcb06; elsewhere nothing."""
    return federation.push_recent()
