"""Model instances of joined tables from one hand-written query, for the hottest reads.

The check-in path runs at every scan; building an ORM query with select_related over three or
four tables cost more CPU than the database's answer. A `Model.objects.raw()` query converts the
columns of its own model; the columns of the joined models come back as extra attributes that
Django does not convert (SQLite answers booleans as 0/1 and datetimes as text). `columns` names
them and `attach` builds the related instances with the same converters the ORM would apply.
"""

from functools import cache

from django.db import connection


def columns(model, alias: str, prefix: str) -> str:
    """SELECT list for a joined model: `alias.col AS prefix__attname, ...`."""
    return ", ".join(
        f"{alias}.{f.column} AS {prefix}__{f.attname}" for f in model._meta.concrete_fields
    )


def instance(model, row, prefix: str):
    """The joined model's instance from the extra attributes of a raw() row, or None when the
    (outer) join found nothing."""
    names, values = [], []
    for field, col, converters in _converters(model, connection.vendor):
        value = getattr(row, f"{prefix}__{field.attname}")
        for convert in converters:
            value = convert(value, col, connection)
        names.append(field.attname)
        values.append(value)
    if values[names.index(model._meta.pk.attname)] is None:
        return None
    return model.from_db(connection.alias, names, values)


@cache
def _converters(model, vendor: str):
    out = []
    for field in model._meta.concrete_fields:
        col = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        out.append((field, col, converters))
    return tuple(out)
