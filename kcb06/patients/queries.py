"""Hand-written SQL over the patients tables, for the check-in's hottest reads and writes.

Other apps compose these fragments into their own statements (one round trip for a whole
standing read, kcb06.visits.standing) instead of naming the patients tables themselves: every
table and column name here comes from the models, so a renamed field or table changes the
SQL with it. Values go as parameters; the caller passes them in the order documented. Each
statement's text is composed once per process (functools.cache): it depends only on the models
and the arguments, and composing it from `_meta` at every check-in cost ~35 field lookups.
"""

from __future__ import annotations

from functools import cache

from kcb06.patients.models import Patient, PatientFacility, PatientIdentifier


def _t(model) -> str:
    return model._meta.db_table


def _c(model, name: str) -> str:
    return model._meta.get_field(name).column


@cache
def active_identifiers_sql(patient: str) -> str:
    """(kind, value) of the record's active identifiers. `patient`: SQL for its id (a
    placeholder or a column); then one parameter: True."""
    i = PatientIdentifier
    return (
        f"SELECT {_c(i, 'kind')}, {_c(i, 'value')} FROM {_t(i)} "  # noqa: S608 - from the models
        f"WHERE {_c(i, 'patient')} = {patient} AND {_c(i, 'is_active')} = %s"
    )


@cache
def active_identifiers_text_sql(patient: str, agg: str) -> str:
    """The record's active identifiers as one text 'kind:value,kind:value' (`agg`: the
    database's string aggregate). Parameters: True."""
    i = PatientIdentifier
    return (
        f"SELECT {agg}({_c(i, 'kind')} || ':' || {_c(i, 'value')}, ',') FROM {_t(i)} "  # noqa: S608
        f"WHERE {_c(i, 'patient')} = {patient} AND {_c(i, 'is_active')} = %s"
    )


@cache
def facility_links_sql(patient: str, facilities: int) -> str:
    """How many of `facilities` facilities (that many parameters) know the record."""
    f = PatientFacility
    marks = ", ".join(["%s"] * facilities)
    return (
        f"SELECT COUNT(*) FROM {_t(f)} WHERE {_c(f, 'patient')} = {patient} "  # noqa: S608
        f"AND {_c(f, 'facility')} IN ({marks})"
    )


@cache
def holder_of_sql(columns: str, *extra: str) -> str:
    """SELECT `columns` (alias p: the record) and `extra` of the latest active holder of an
    identifier. Parameters after those of `extra`: kind, value, True."""
    i, pk = PatientIdentifier, Patient._meta.pk.column
    select = ", ".join([columns, *extra])
    return (
        f"SELECT {select} FROM {_t(i)} i JOIN {_t(Patient)} p "  # noqa: S608 - from the models
        f"ON p.{pk} = i.{_c(i, 'patient')} WHERE i.{_c(i, 'kind')} = %s "
        f"AND i.{_c(i, 'value')} = %s AND i.{_c(i, 'is_active')} = %s "
        f"ORDER BY i.{_c(i, 'added_at')} DESC LIMIT 1"
    )


@cache
def lock_sql(columns: str) -> str:
    """SELECT `columns` (alias p) of one record, with its row lock. Parameter: the id."""
    return (
        f"SELECT {columns} FROM {_t(Patient)} p "  # noqa: S608 - from the models
        f"WHERE p.{Patient._meta.pk.column} = %s FOR UPDATE"
    )


@cache
def unmerged_share_lock_sql() -> str:
    """The record's id with a share lock, only while it is not merged away (PostgreSQL).
    Parameter: the id."""
    pk = Patient._meta.pk.column
    return (
        f"SELECT {pk} FROM {_t(Patient)} WHERE {pk} = %s "  # noqa: S608 - from the models
        f"AND {_c(Patient, 'merged_into')} IS NULL FOR SHARE"
    )
