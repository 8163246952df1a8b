"""The row parser under hypothesis: any cell values give clean values or row errors in
Vietnamese and English, never an exception; clean values respect the rules."""

from datetime import date, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from kcb06.catalogue import parsing
from kcb06.catalogue.columns import CATALOGUES

cell = st.one_of(
    st.none(),
    st.text(max_size=60),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.booleans(),
    st.sampled_from(["20260101", "31/12/2026", "1.200", "1,5", "-1", "1021/QĐ-SYT;G1;N4;2026",
                     "H001", "K01", "40.1", "VD-1", "4", "7", "17", "2"]),
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(slug=st.sampled_from(sorted(CATALOGUES)), values=st.data())
def test_parse_row_never_raises(slug, values):
    catalogue = CATALOGUES[slug]
    raw = {c.field: values.draw(cell, label=c.name) for c in catalogue.columns}
    clean, errors = parsing.parse_row(catalogue, raw, 7)
    if clean is None:
        assert errors
        for e in errors:
            assert e.row == 7 and e.message_vi.startswith("Dòng 7") and e.message_en
        return
    assert not errors
    assert isinstance(clean["valid_from"], date) and not isinstance(clean["valid_from"], datetime)
    if clean["valid_to"] is not None:
        assert clean["valid_to"] >= clean["valid_from"]
    if "price" in clean:
        assert isinstance(clean["price"], Decimal) and 0 <= clean["price"] <= parsing.MAX_PRICE
    for column in catalogue.columns:
        value = clean.get(column.field)
        if isinstance(value, str):
            assert len(value) <= column.max_length
    if slug == "drugs" and clean["group"] not in (7, 17):
        assert clean["tender"].count(";") >= 3


@settings(max_examples=200, deadline=None)
@given(content=st.binary(max_size=400), name=st.sampled_from(["a.csv", "a.xlsx", "a.txt", "a"]))
def test_parse_file_of_any_bytes_raises_only_file_errors(content, name):
    try:
        parsed = parsing.parse_file(CATALOGUES["services"], name, content)
    except parsing.CatalogueFileError as exc:
        assert exc.message_vi and exc.message_en
        return
    for e in parsed.errors:
        assert e.message_vi.startswith("Dòng")


@given(st.decimals(min_value=0, max_value=10**9, places=2))
def test_prices_read_back_as_written(price):
    """Two decimals at most, as written or with a decimal comma; whole VND amounts also
    with thousands separators (one separator before exactly three digits means thousands)."""
    assert parsing.parse_price(str(price)) == price
    assert parsing.parse_price(format(price, "f").replace(".", ",")) == price
    whole = int(price)
    assert parsing.parse_price(f"{whole:,}".replace(",", ".")) == whole
    assert parsing.parse_price(f"{whole:,}") == whole
    assert parsing.parse_price(f"{price:,.2f}") == price  # 1,234,567.89
