"""The audit MAC is computed twice: by Python (SQLite appends, and verify) and by PostgreSQL
inside the one-statement append. For any entry the two must agree, or verify would call an
honest PostgreSQL trail tampered."""

import hashlib
import hmac
from datetime import UTC, datetime

import psycopg
import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kcb06.audit.keys import entry_key, pg_mac_sql, pg_pads
from kcb06.audit.models import AuditEntry
from kcb06.audit.services import _message, _payload_around_seq, entry_value, record_entry
from kcb06.plumbing import rawrows

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"

# Text as people and systems write it (Vietnamese, symbols, emoji), without the NUL character
# and lone surrogates, which no text column (nor UTF-8) can hold.
letters = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
text = st.text(letters, max_size=40)


def column_text(field: str) -> st.SearchStrategy[str]:
    """Empty, short, or as long as the column holds (long values are where a digest computed in
    SQL and one in Python could part: truncation, encoding of multi-byte letters)."""
    most = AuditEntry._meta.get_field(field).max_length
    return (
        st.just("")
        | text.map(lambda t: t[:most])
        | st.text(letters, min_size=most - 3, max_size=most)
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
entries = st.builds(
    lambda chain, at, username, purpose, object_id, patient, detail: rawrows.new(
        AuditEntry,
        chain=chain,
        at=at,
        user_id=None,
        username=username,
        role="reception",
        facility_id=None,
        action="read",
        object_type="patient",
        object_id=object_id,
        patient_id=patient,
        purpose=purpose,
        ip="",
        via="system",
        detail=detail,
    ),
    chain=st.integers(0, 2**40),
    at=st.datetimes(datetime(2020, 1, 1), datetime(2040, 1, 1), timezones=st.just(UTC)),
    username=column_text("username"),
    purpose=column_text("purpose"),
    object_id=column_text("object_id"),
    patient=st.none() | st.integers(1, 2**40),
    detail=st.dictionaries(text, json_values, max_size=4)
    | st.dictionaries(text, st.text(letters, min_size=200, max_size=2000), min_size=1, max_size=2),
)
prev_hashes = st.text("0123456789abcdef", min_size=64, max_size=64)


def test_python_mac_is_rfc2104_hmac_sha256_under_the_derived_key():
    """The padded keys PostgreSQL gets spell HMAC-SHA256 by hand; Python's hmac is the
    reference."""
    opad, ipad = pg_pads()
    message = b"0" * 64 + b"|[1,1,...]"
    by_hand = hashlib.sha256(opad + hashlib.sha256(ipad + message).digest()).hexdigest()
    assert by_hand == hmac.new(entry_key(), message, "sha256").hexdigest()


@pytest.fixture(scope="module")
def pg():
    """A connection of our own to the PostgreSQL server (in the SQLite pass of the suite too)."""
    try:
        con = psycopg.connect(PG_ADMIN, connect_timeout=2, autocommit=True)
    except psycopg.Error:
        pytest.skip("PostgreSQL is not running at 127.0.0.1:5432")
    with con:
        yield con


@settings(max_examples=60, deadline=None)
@given(entry=entries, prev_hash=prev_hashes, seq=st.integers(1, 2**40))
def test_postgresql_mac_expression_equals_python(pg, entry, prev_hash, seq):
    """The SQL expression of the append (pg_mac_sql) against Python, on the server itself."""
    entry.seq = seq
    before, after = _payload_around_seq(entry)
    sql = "SELECT " + pg_mac_sql("%s || '|' || %s || %s::bigint::text || %s")
    in_sql = pg.execute(sql, [*pg_pads(), prev_hash, before, seq, after]).fetchone()[0]
    assert (
        in_sql
        == entry_value(prev_hash, entry)
        == hmac.new(entry_key(), _message(prev_hash, entry).encode(), "sha256").hexdigest()
    )


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entry=entries)
def test_appended_entries_verify_in_python_on_this_database(entry):
    """The real append (first entry of a chain and later ones), read back: its stored digest is
    the Python digest of the stored row. On PostgreSQL the digest was computed by the SQL
    statement (kcb06.audit.services._PG_HEAD); on SQLite by Python before the INSERT, so here
    the property is that the values survive the round trip through SQL unchanged. The suite
    runs this on both (scripts/test, and DATABASE_URL=postgres://... scripts/test)."""
    appended = record_entry(entry)
    stored = AuditEntry.objects.get(chain=appended.chain, seq=appended.seq)
    assert stored.hash == appended.hash
    assert stored.hash == entry_value(stored.prev_hash, stored), connection.vendor
    assert stored.detail == entry.detail and stored.username == entry.username


def test_the_append_sql_takes_its_names_from_the_models():
    """No table or column of the audit trail is typed by hand in the append statements."""
    from kcb06.audit import services
    from kcb06.audit.models import AuditChainHead

    for sql in (services._CLAIM_HEAD, services._ADVANCE_HEAD, services._PG_HEAD):
        assert AuditChainHead._meta.db_table in sql
    assert services._PG_ENTRY.startswith(f"INSERT INTO {AuditEntry._meta.db_table} (")
    for field in AuditEntry._meta.concrete_fields:
        if not field.primary_key:
            assert field.column in services._PG_ENTRY
