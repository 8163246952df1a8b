"""Periodic jobs of reports (run by `kcb06 worker`)."""

from kcb06.reports import rollups


def refresh_rollups() -> int:
    """Refresh the daily rollups of the last few days. Answers 0 so that the worker waits its
    interval (a rebuild of recent days is complete in one pass, never a partial batch)."""
    rollups.refresh_recent()
    return 0
