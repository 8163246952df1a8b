"""Model instances from one hand-written query, for the hottest reads.

The check-in path runs at every scan. Building an ORM query with select_related over three or
four tables cost more CPU than the database's answer, and even `Model.objects.raw()` spends
more on mapping columns to fields (per query, by name) than the index lookup takes. Here the
SELECT list is the models' concrete fields in order, generated once; a row is cut into one
slice per model and each slice becomes an instance through the same converters the ORM applies
(SQLite answers booleans as 0/1 and datetimes as text; JSON columns arrive as text).
"""

from functools import cache

from django.db import connection, connections


def select_list(*parts) -> str:
    """`alias.col, ...` for each (model, alias) in order: the columns `fetch_one` expects."""
    return ", ".join(_columns(model, alias) for model, alias in parts)


def fetch_one(sql: str, params, *models) -> list | None:
    """Run `sql`; for its first row answer [instance of each model in order (None where an
    outer join found nothing), then any extra trailing columns as they are], or None."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    out, start = [], 0
    for model in models:
        convs = _converters(model, connection.vendor)
        out.append(_instance(model, convs, row[start : start + len(convs)]))
        start += len(convs)
    out.extend(row[start:])
    return out


def build(model, row):
    """The instance of `model` from a row whose columns are `select_list((model, alias))`."""
    return _instance(model, _converters(model, connection.vendor), row)


def fetch_all(sql: str, params, model) -> list:
    """Run `sql` (its SELECT list: `select_list((model, alias))`); one instance per row."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    convs = _converters(model, connection.vendor)
    return [_instance(model, convs, row) for row in rows]


def _instance(model, convs, values):
    if values[convs.pk_index] is None:
        return None
    conn = connections["default"]  # not the proxy: it looks itself up on every attribute
    converted = []
    for (col, converters), value in zip(convs, values, strict=True):
        for convert in converters:
            value = convert(value, col, conn)
        converted.append(value)
    return model.from_db(conn.alias, convs.attnames, converted)


class _Converters(list):
    attnames: list[str]
    pk_index: int


@cache
def _columns(model, alias: str) -> str:
    return ", ".join(f"{alias}.{f.column}" for f in model._meta.concrete_fields)


@cache
def _converters(model, vendor: str) -> _Converters:
    out = _Converters()
    for field in model._meta.concrete_fields:
        col = field.get_col(model._meta.db_table)
        out.append((col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
    out.attnames = [f.attname for f in model._meta.concrete_fields]
    out.pk_index = out.attnames.index(model._meta.pk.attname)
    return out


def insert(obj) -> None:
    """INSERT a new instance as `obj.save()` would (defaults, auto_now/auto_now_add, the
    fields' own conversion to database values), without the ORM's query compiler: at every
    check-in the compiler cost more CPU than the database took to store the row. Sends no
    save signals; use it only for models that have no save receivers."""
    model = type(obj)
    conn = connections["default"]  # not the proxy: it looks itself up on every attribute
    fields, sql = _insert_plan(model, conn.vendor)
    values = [f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields]
    with conn.cursor() as cursor:
        cursor.execute(sql, values)
        pk = cursor.fetchone()[0]
    setattr(obj, model._meta.pk.attname, pk)
    obj._state.adding = False
    obj._state.db = conn.alias


@cache
def _insert_plan(model, vendor: str):
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks}) "  # noqa: S608
        f"RETURNING {quote(meta.pk.column)}"
    )
    return fields, sql
