"""Says at the end of a run which tests were skipped because of the database, and how to run
them: on SQLite, the PostgreSQL-only tests (the pipelined check-in write, real concurrency,
pg_dump backups) are skipped, and a green run must not hide that."""

from __future__ import annotations

import os

DATABASE_WORDS = ("postgresql", "sqlite")


def _database_skips(terminalreporter) -> list[str]:
    found = []
    for report in terminalreporter.stats.get("skipped", []):
        reason = str(report.longrepr[-1] if isinstance(report.longrepr, tuple) else "")
        if any(word in reason.lower() for word in DATABASE_WORDS):
            found.append(f"{report.nodeid.split('::')[0]}: {reason.removeprefix('Skipped: ')}")
    return found


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skips = _database_skips(terminalreporter)
    if not skips:
        return
    on = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    terminalreporter.section(f"{len(skips)} tests skipped on {on} for the database")
    for line in sorted(set(skips)):
        terminalreporter.write_line(f"  {line}")
    if on == "SQLite":
        terminalreporter.write_line(
            "Run them on PostgreSQL: "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/kcb06 scripts/test"
        )
