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
text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
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
    username=text,
    purpose=text,
    object_id=text,
    patient=st.none() | st.integers(1, 2**40),
    detail=st.dictionaries(text, json_values, max_size=4),
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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL append runs on PostgreSQL")
@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entry=entries)
def test_entries_appended_by_postgresql_verify_in_python(entry):
    """The real append statement (first entry of a chain and later ones), read back."""
    appended = record_entry(entry)
    stored = AuditEntry.objects.get(chain=appended.chain, seq=appended.seq)
    assert stored.hash == entry_value(stored.prev_hash, stored)
