"""Every reliance of kcb06/plumbing on a private or undocumented API of Django or psycopg
(kcb06/plumbing/README.md, entries R1-R9) still holds.

Run these first after upgrading Django or psycopg. Each failure names the README entry that
explains why we rely on the name, what breaks, and where the code is. The checks are of three
kinds: the name exists, its signature is what we call, and a tiny round trip behaves as the
plumbing expects. PostgreSQL-only entries skip on SQLite (run with DATABASE_URL set).
"""

import inspect
import json

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.test import RequestFactory

from kcb06.patients.models import Patient, PatientIdentifier
from kcb06.plumbing import rawrows
from kcb06.visits.models import Visit
from tests.platform.test_rawrows import _values as visit_values

README = "kcb06/plumbing/README.md"


def broken(entry: str, what: str) -> str:
    return f"{README} {entry} no longer holds: {what}. Read {entry} before changing anything."


def params_of(func) -> list[str]:
    return list(inspect.signature(func).parameters)


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: run with DATABASE_URL=postgres://...")
    connection.ensure_connection()
    yield
    connection.close()


# --- R1: BaseHandler._get_response ------------------------------------------------------------


def test_r1_base_handler_private_names():
    from django.core.handlers import base, exception

    handler = base.BaseHandler()
    for name in ("_view_middleware", "_template_response_middleware", "_exception_middleware"):
        assert hasattr(handler, name), broken("R1", f"BaseHandler.{name} is gone")
    assert hasattr(handler, "_get_response"), broken("R1", "BaseHandler._get_response is gone")
    assert params_of(base.BaseHandler._get_response) == ["self", "request"], broken(
        "R1", "BaseHandler._get_response(self, request) changed its signature"
    )
    assert callable(getattr(exception, "convert_exception_to_response", None)), broken(
        "R1", "django.core.handlers.exception.convert_exception_to_response is gone"
    )


def test_r1_an_api_key_call_reaches_the_view_past_the_chain(db):
    from kcb06.plumbing.apikeypath import ApiKeyPathMiddleware

    assert "kcb06.plumbing.apikeypath.ApiKeyPathMiddleware" in settings.MIDDLEWARE

    def chain(request):
        raise AssertionError(broken("R1", "a Bearer call went through the page middleware"))

    request = RequestFactory().get("/api/v1/departments", HTTP_AUTHORIZATION="Bearer not-a-key")
    response = ApiKeyPathMiddleware(chain)(request)
    # The API's own key check answered (the view ran): 401 in both languages, with a length.
    assert response.status_code == 401, broken("R1", f"the view answered {response.status_code}")
    assert response.has_header("Content-Length")
    assert "message_vi" in json.loads(response.content)["error"]


# --- R2: psycopg._queries ---------------------------------------------------------------------


def test_r2_psycopg_statement_cache_limits_are_raised():
    pytest.importorskip("psycopg")
    try:
        from psycopg import _queries
    except ImportError:  # pragma: no cover - the failure this test exists for
        pytest.fail(broken("R2", "the private module psycopg._queries is gone"))
    import kcb06.plumbing.pgbackend.base  # noqa: F401 - raises the limits on import

    for name, at_least in (
        ("MAX_CACHED_STATEMENT_LENGTH", 32768),
        ("MAX_CACHED_STATEMENT_PARAMS", 400),
    ):
        value = getattr(_queries, name, None)
        assert isinstance(value, int), broken("R2", f"psycopg._queries.{name} is gone")
        assert value >= at_least, broken("R2", f"psycopg._queries.{name} was not raised")
    assert hasattr(getattr(_queries, "_query2pg", None), "cache_info"), broken(
        "R2", "psycopg._queries._query2pg is no longer an lru_cache"
    )
    assert "<= MAX_CACHED_STATEMENT_LENGTH" in inspect.getsource(_queries), broken(
        "R2", "psycopg no longer reads MAX_CACHED_STATEMENT_LENGTH at execute time"
    )


def test_r2_a_long_statement_hits_the_conversion_cache(pg):
    from psycopg import _queries

    query = "SELECT " + ", ".join(["%s::int"] * 120) + " -- " + "r2" * 2500
    hits = _queries._query2pg.cache_info().hits
    for _ in range(2):
        with connection.cursor() as cursor:
            cursor.execute(query, list(range(120)))
            assert cursor.fetchone()[119] == 119
    assert _queries._query2pg.cache_info().hits > hits, broken(
        "R2", "a long statement's placeholder conversion is no longer cached"
    )


# --- R3: health-check internals ---------------------------------------------------------------


def test_r3_health_check_internals():
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.backends.postgresql import base as pg_base  # noqa: F401 - needs psycopg

    method = getattr(BaseDatabaseWrapper, "close_if_health_check_failed", None)
    assert method is not None, broken(
        "R3", "BaseDatabaseWrapper.close_if_health_check_failed is gone"
    )
    assert params_of(method) == ["self"], broken(
        "R3", "close_if_health_check_failed(self) changed its signature"
    )
    source = inspect.getsource(BaseDatabaseWrapper)
    for name in ("health_check_enabled", "health_check_done"):
        assert f"self.{name}" in source, broken("R3", f"BaseDatabaseWrapper.{name} is gone")
    assert "self.close_if_health_check_failed()" in source, broken(
        "R3", "Django no longer calls close_if_health_check_failed()"
    )


def test_r3_a_connection_in_steady_use_is_not_checked_again(pg):
    from kcb06.plumbing.pgbackend.base import DatabaseWrapper

    assert isinstance(connections["default"], DatabaseWrapper), broken(
        "R3", "the PostgreSQL ENGINE is not kcb06.plumbing.pgbackend"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    connection.health_check_done = False  # as at the start of a request
    connection.close_if_health_check_failed()
    assert connection.health_check_done, broken(
        "R3", "setting health_check_done no longer marks the connection as checked"
    )


# --- R4, R5, R6: rawrows ----------------------------------------------------------------------


def test_r4_model_state_is_what_rawrows_builds():
    from django.db.models.base import ModelState

    state = ModelState()
    for name in ("adding", "db", "fields_cache"):
        assert hasattr(state, name), broken("R4", f"ModelState.{name} is gone")
    instance = Patient(full_name="x", name_key="x")
    extra = set(vars(instance)) - {f.attname for f in Patient._meta.concrete_fields} - {"_state"}
    assert not extra, broken(
        "R4", f"Model.__init__ now keeps more per-instance state than _state: {sorted(extra)}"
    )


def test_r4_r5_r6_a_row_written_and_read_past_the_orm_is_the_orms(org):
    patient = rawrows.new(
        Patient, full_name="Lê Văn Ống", name_key="le van ong", birth_year=1980, sex="male"
    )
    rawrows.insert(patient)
    visit = rawrows.new(Visit, **visit_values(org, patient, "R4R5R6", uses_bhyt=True))
    rawrows.insert(visit)  # R6: defaults, auto_now, foreign keys, JSON
    assert visit.pk and not visit._state.adding

    sql = (
        f"SELECT {rawrows.select_list((Visit, 'v'), (Patient, 'p'))} "  # noqa: S608
        "FROM visits_visit v JOIN patients_patient p ON p.id = v.patient_id WHERE v.id = %s"
    )
    built_visit, built_patient = rawrows.fetch_one(sql, [visit.pk], Visit, Patient)
    orm = Visit.objects.get(pk=visit.pk)
    for field in Visit._meta.concrete_fields:  # R5: same Python values as the ORM's
        mine, theirs = getattr(built_visit, field.attname), getattr(orm, field.attname)
        assert mine == theirs and type(mine) is type(theirs), broken(
            "R5", f"Visit.{field.attname}: {mine!r} read by hand, {theirs!r} by the ORM"
        )
    assert built_visit.uses_bhyt is True and built_visit.eligibility_detail["outcome"] == "valid"
    # R4: an instance built without __init__ behaves as the ORM's.
    assert built_visit.get_deferred_fields() == set(), broken("R4", "fields look deferred")
    assert built_visit.patient.full_name == "Lê Văn Ống", broken("R4", "related access fails")
    assert built_patient == patient and built_patient._state.db == "default"
    built_visit.reason = "đã sửa"
    built_visit.save(update_fields=["reason"])
    assert Visit.objects.get(pk=visit.pk).reason == "đã sửa", broken("R4", "save() fails")
    built_patient.refresh_from_db()


def test_r5_converter_signatures():
    field = Visit._meta.get_field("uses_bhyt")
    col = field.get_col(Visit._meta.db_table)
    converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
    for convert in converters:
        assert len(params_of(convert)) == 3, broken(
            "R5",
            f"converter {convert.__qualname__} no longer takes (value, expression, connection)",
        )


def test_r6_field_internals():
    fk = Visit._meta.get_field("patient")
    assert fk.to_fields == [None] or list(fk.to_fields) == [None], broken(
        "R6", "ForeignKey.to_fields changed"
    )
    assert fk.target_field.attname == "id", broken("R6", "ForeignKey.target_field changed")
    keyed = PatientIdentifier._meta.get_field("patient")  # Django filled in to_fields
    assert list(keyed.to_fields) == ["id"] and keyed.target_field.attname == "id", broken(
        "R6", "a ForeignKey's to_field no longer names its target field"
    )
    assert callable(Visit._meta.get_field("status").get_default), broken(
        "R6", "Field.get_default is gone"
    )
    status, detail = Visit._meta.get_field("status"), Visit._meta.get_field("eligibility_detail")
    assert status.has_default() and not status.has_db_default(), broken(
        "R6", "Field.has_default/has_db_default changed"
    )
    assert status.get_default() is status.default, broken(
        "R6", "a fixed default is no longer the field's own object (rawrows.new shares it)"
    )
    assert callable(detail.default) and detail.get_default() is not detail.get_default(), broken(
        "R6", "a callable default is no longer called for each instance"
    )
    assert params_of(type(fk).pre_save) == ["self", "model_instance", "add"]
    assert params_of(type(fk).get_db_prep_save) == ["self", "value", "connection"]


# --- R7: atomic_blocks ------------------------------------------------------------------------


def test_r7_atomic_blocks_is_the_nesting(transactional_db):
    assert connection.atomic_blocks == [] and not connection.in_atomic_block
    with transaction.atomic():
        assert len(connection.atomic_blocks) == 1, broken("R7", "atomic_blocks is not the nesting")
        with transaction.atomic():
            assert len(connection.atomic_blocks) == 2, broken("R7", "atomic_blocks changed")
        assert connection.in_atomic_block, broken("R7", "in_atomic_block changed")
    assert not connection.in_atomic_block


# --- R8: prepare_threshold --------------------------------------------------------------------


def test_r8_planned_each_time_turns_prepared_statements_off(pg):
    from kcb06.plumbing.pgplans import planned_each_time

    raw = connection.connection
    assert hasattr(raw, "prepare_threshold"), broken("R8", "prepare_threshold is gone")
    before = raw.prepare_threshold
    with planned_each_time():
        assert connection.connection.prepare_threshold is None, broken(
            "R8", "prepare_threshold=None no longer set"
        )
    assert raw.prepare_threshold == before


# --- R9: a pipeline commit behind atomic() ----------------------------------------------------


def test_r9_a_pipeline_commit_inside_atomic_exits_cleanly(pg):
    assert hasattr(connection, "wrap_database_errors"), broken(
        "R9", "connection.wrap_database_errors is gone"
    )
    with transaction.atomic():
        raw = connection.connection
        with connection.wrap_database_errors, connection.cursor() as cursor:
            with raw.pipeline():
                cursor.execute("CREATE TEMP TABLE plumbing_r9 (x int)")
                cursor.execute("INSERT INTO plumbing_r9 VALUES (9)")
                raw.commit()
    # The atomic block's own commit found nothing left and succeeded; the row is there.
    with connection.cursor() as cursor:
        cursor.execute("SELECT x FROM plumbing_r9")
        row = cursor.fetchone()
    assert row == (9,), broken("R9", "the row committed through the pipeline is missing")
