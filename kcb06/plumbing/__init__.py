"""Database and performance plumbing: whatever relies on a private API of Django or psycopg
lives here, each reliance listed in README.md and checked by tests/platform/test_plumbing_reliance.py."""
