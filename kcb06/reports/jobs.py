"""Periodic jobs of reports (run by `kcb06 worker`)."""

from kcb06.reports import periodic, rollups


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
