"""Model instances from one hand-written query, for the hottest reads.

The check-in path runs at every scan. Building an ORM query with select_related over three or
four tables cost more CPU than the database's answer, and even `Model.objects.raw()` spends
more on mapping columns to fields (per query, by name) than the index lookup takes. Here the
SELECT list is the models' concrete fields in order, generated once; a row is cut into one
slice per model and each slice becomes an instance through the same converters the ORM applies
(SQLite answers booleans as 0/1 and datetimes as text; JSON columns arrive as text).
"""

import threading
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import cache
from itertools import compress, repeat
from operator import not_

from django.db import connection, connections, models
from django.db.models import signals
from django.db.models.base import ModelState


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
    """As `model.from_db` would build it, but without `Model.__init__`'s per-field descriptor
    calls when the model has no init signal receivers (they cost more than the row's read)."""
    if values[convs.pk_index] is None:
        return None
    conn = connections["default"]  # not the proxy: it looks itself up on every attribute
    if convs.converting:
        values = list(values)
        for i, col, converters in convs.converting:
            value = values[i]
            for convert in converters:
                value = convert(value, col, conn)
            values[i] = value
    if not convs.plain_init:
        return model.from_db(conn.alias, convs.attnames, values)
    obj = model.__new__(model)
    obj.__dict__.update(zip(convs.attnames, values, strict=True))
    state = obj._state = ModelState()
    state.adding = False
    state.db = conn.alias
    return obj


class _Converters(list):
    attnames: list[str]
    pk_index: int
    converting: list[tuple]  # (index, col, converters) of the columns that need converting
    plain_init: bool  # no pre_init/post_init receivers: the instance may skip __init__


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
    out.converting = [(i, col, convs) for i, (col, convs) in enumerate(out) if convs]
    out.plain_init = not (
        signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)
    )
    return out


def new(model, **values):
    """`model(**values)` for a row about to be inserted, without `Model.__init__`'s descriptor
    calls and per-field isinstance checks (~70 per instance; four instances per check-in).
    Fields not given take their defaults; a related object given by field name is stored as
    its key and cached as `Model.__init__` does. Models with init signal receivers, or
    arguments other than field names and attnames, take `Model.__init__`."""
    plan = _new_plan(model)
    if plan is None or not values.keys() <= plan.keys.keys():
        return model(**values)
    obj = model.__new__(model)
    data = obj.__dict__
    state = obj._state = ModelState()
    # The fixed defaults at once (Django's own default for a non-callable default is that
    # same object: `lambda: self.default`); the callable ones only where no value is given.
    data.update(plan.fixed)
    for attname, given_as, default in plan.called:
        if given_as.isdisjoint(values):
            data[attname] = default()
    keys = plan.keys
    for key, value in values.items():
        attname, name, related = keys[key]
        if related is None:
            data[attname] = value
        else:
            data[attname] = None if value is None else getattr(value, related)
            state.fields_cache[name] = value
    return obj


class _NewPlan:
    fixed: dict  # attname: default, for the fields whose default is one fixed value
    # attname, the argument names that give the field, default callable: for the others.
    called: list[tuple[str, frozenset[str], object]]
    # Each accepted argument (field name, attname, "pk"): (attname, field name, target attname
    # when a related object is given by field name, else None).
    keys: dict[str, tuple[str, str, str | None]]


@cache
def _new_plan(model) -> _NewPlan | None:
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return None
    plan = _NewPlan()
    plan.fixed, plan.called, plan.keys = {}, [], {}
    pk = model._meta.pk
    for f in model._meta.concrete_fields:
        if f.is_relation and len(f.to_fields) != 1:  # a relation over several columns
            return None
        # A related object given by field name: its key is its target field's value (the
        # primary key's, or the `to_field`'s), as ForeignKey's descriptor would take it.
        related = f.target_field.attname if f.is_relation else None
        plan.keys[f.name] = (f.attname, f.name, related)
        plan.keys.setdefault(f.attname, (f.attname, f.name, None))
        given_as = {f.name, f.attname} | ({"pk"} if f is pk else set())
        if (f.has_default() and callable(f.default)) or f.has_db_default():
            plan.called.append((f.attname, frozenset(given_as), f.get_default))
        else:
            plan.fixed[f.attname] = f.get_default()
    if pk.name != "pk":
        plan.keys["pk"] = (pk.attname, pk.name, None)
    return plan


def insert(obj) -> None:
    """INSERT a new instance as `obj.save()` would (defaults, auto_now/auto_now_add, the
    fields' own conversion to database values), without the ORM's query compiler: at every
    check-in the compiler cost more CPU than the database took to store the row. Sends no
    save signals; use it only for models that have no save receivers. A primary key already
    set (`reserve_pks`) is inserted as it is. Inside `queued_inserts` the INSERT is queued, not
    sent: an instance without a preset primary key then has none afterwards."""
    model = type(obj)
    conn = connections["default"]  # not the proxy: it looks itself up on every attribute
    pk_name = model._meta.pk.attname
    preset = getattr(obj, pk_name) is not None
    queue = _queue.get()
    plan = _insert_plan(model, conn.vendor, preset, queue is not None)
    sql = plan.sql
    # Each field's value as it stands, then the field's own conversion where the value is not
    # of a type the column takes as it is (absent, a datetime, JSON, an enum...). The first
    # two steps are C loops (map over the plan's tuples): at ~25 fields an instance and four
    # instances a check-in, a Python loop over every field cost more than the rest of insert.
    values = list(map(obj.__dict__.get, plan.attnames, repeat(_ABSENT)))
    plain = map(frozenset.__contains__, plan.plain, map(type, values))
    for i in compress(range(len(values)), map(not_, plain)):
        f = plan.fields[i]
        values[i] = f.get_db_prep_save(f.pre_save(obj, True), conn)
    if queue is not None:
        queue.append((sql, values))
    else:
        with conn.cursor() as cursor:
            cursor.execute(sql, values)
            if not preset:
                setattr(obj, pk_name, cursor.fetchone()[0])
    obj._state.adding = False
    obj._state.db = conn.alias


_ABSENT = object()
# Field classes whose value goes to PostgreSQL as it is when it already has the Python type the
# field would convert it to (psycopg adapts it): the field's own conversion chain (pre_save,
# get_prep_value, to_python, get_db_prep_value), ~15 calls per field, is then skipped. Types
# are compared exactly: a bool is not taken for an int, a choices enum goes the long way.
_INTEGER_FIELDS = (
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.BigAutoField,
    models.AutoField,
    models.ForeignKey,
    models.OneToOneField,
)
_PLAIN_ON_POSTGRESQL = {
    models.CharField: (str, type(None)),
    models.TextField: (str, type(None)),
    **dict.fromkeys(_INTEGER_FIELDS, (int, type(None))),
    models.BooleanField: (bool, type(None)),
    models.DateField: (date, type(None)),  # not datetime: exact types are compared
    models.DateTimeField: (type(None),),  # a datetime may be naive: the field converts it
    models.BinaryField: (type(None),),
}


def _plain_types(field, vendor: str) -> tuple | None:
    """The value types `insert` may send as they are for this field, or None."""
    if vendor != "postgresql":
        return None
    types = _PLAIN_ON_POSTGRESQL.get(type(field))
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return None  # pre_save sets the value
    if types is None or (field.is_relation and type(field.target_field) not in _INT_KEYS):
        return None
    return types


_INT_KEYS = {models.AutoField, models.BigAutoField, models.IntegerField, models.BigIntegerField}


@cache
def _insert_plan(model, vendor: str, preset: bool, queued: bool):
    meta = model._meta
    # Generated columns are the database's to compute: never in an INSERT.
    fields = [f for f in meta.concrete_fields if (preset or f is not meta.pk) and not f.generated]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    if not (preset or queued):
        sql += f" RETURNING {quote(meta.pk.column)}"
    plan = _InsertPlan()
    plan.sql, plan.fields = sql, fields
    plan.attnames = tuple(f.attname for f in fields)
    plan.plain = tuple(frozenset(_plain_types(f, vendor) or ()) for f in fields)
    return plan


class _InsertPlan:
    sql: str
    fields: list  # the model's fields in the INSERT's column order
    attnames: tuple[str, ...]
    plain: tuple[frozenset, ...]  # per field, the value types sent as they are (`_plain_types`)


# --- a write sent whole with its COMMIT (PostgreSQL) ------------------------------------------

_queue: ContextVar[list | None] = ContextVar("kcb06_queued_inserts", default=None)


@contextmanager
def queued_inserts():
    """Yields the list `insert` appends (sql, params) to instead of sending them, on PostgreSQL:
    the caller sends them with its last statements (and, outermost, the COMMIT) as one message
    (kcb06.visits.checkin.pg_writer). Elsewhere yields None and inserts go at once.
    Nothing inside may read what it inserted: the rows reach the server at the end."""
    if connection.vendor != "postgresql":
        yield None
        return
    queue: list = []
    token = _queue.set(queue)
    try:
        yield queue
    finally:
        _queue.reset(token)


# Primary keys taken from the sequences PK_BLOCK at a time per process and model: a write that
# names its rows before sending them (`queued_inserts`) then costs no round trip for its ids.
# Keys are unique, not gap-free nor in time order across processes (nothing reads them so).
PK_BLOCK = 20
_pk_pools: dict = {}
_pk_pools_lock = threading.Lock()


def reserve_pks(*kinds) -> list[int | None]:
    """The next primary key of each model in `kinds` (a model named twice gets two), so that a
    write can name its rows before sending them (`queued_inserts`). PostgreSQL only; else
    Nones. (Sequences are not transactional: a key taken inside a transaction that rolls back
    stays taken, unused.)"""
    if connection.vendor != "postgresql":
        return [None] * len(kinds)
    while True:
        with _pk_pools_lock:
            short = [m for m in kinds if len(_pk_pools.get(m, ())) < kinds.count(m)]
            if not short:
                return [_pk_pools[m].pop() for m in kinds]
        arrays = ", ".join(
            f"ARRAY(SELECT nextval('{sequence_of(m)}') FROM generate_series(1, {PK_BLOCK}))"  # noqa: S608
            for m in short
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {arrays}")  # noqa: S608 - sequence names from the models
            row = cursor.fetchone()
        with _pk_pools_lock:
            for model, ids in zip(short, row, strict=True):
                # Popped from the end: the lowest first.
                _pk_pools[model] = sorted(ids, reverse=True) + _pk_pools.get(model, [])


def forget_reserved_pks() -> None:
    """Drop the reserved keys (one turned out taken: the database was restored or reset)."""
    with _pk_pools_lock:
        _pk_pools.clear()


@cache
def sequence_of(model) -> str:
    """The name of the sequence behind a model's primary key (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column]
        )
        return cursor.fetchone()[0]
