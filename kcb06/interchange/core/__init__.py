"""The pure core of interchange: field tables, amounts and benefit levels, XML builders, the
signed envelope, XSD generation, validation and signature checks.

Like ``kcb06.identity`` it imports no Django and no other kcb06 app (only ``kcb06.errors``), so
it can be read, tested and fuzzed without a database, and portalsim's authors can read it as
the statement of what kcb06 sends. The Django side of interchange (models, outbox, jobs, portal
delivery, pages, CLI) lives one level up and calls in here. An import-linter contract in
pyproject.toml keeps it that way.
"""
