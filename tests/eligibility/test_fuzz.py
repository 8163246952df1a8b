"""Whatever the portal or the clerk sends, the parsers answer a verdict or a DomainError."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from kcb06.bhxh import client as portal
from kcb06.eligibility import codes
from kcb06.eligibility.services import Request, card_info, parse_dob, parse_sex, verdict_from_rule
from kcb06.errors import DomainError

REQ = Request("HC4272700000000", "", "Nguyễn Văn Hợp Lệ Demo", date(1985, 8, 15), "male")
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40))
KEYS = ["maThe", "gtTheTu", "gtTheDen", "maDKBD", "maSoBHXH", "ngayDu5Nam", "maKV", "maTheMoi",
        "gtTheTuMoi", "hoTen", "ngaySinh", "gioiTinh"]  # fmt: skip
bodies = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), scalars, max_size=14)


@settings(max_examples=300, deadline=None)
@given(bodies, st.sampled_from(sorted(codes.RULES)))
def test_any_portal_body_gives_a_verdict(body, code):
    verdict = verdict_from_rule(codes.RULES[code], code, REQ, body)
    data = verdict.as_dict()
    assert data["outcome"] in ("valid", "invalid", "no_card", "unverified")
    assert data["reason_vi"] and data["next_step_vi"]
    card_info(body)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_any_dob_text_parses_or_is_a_domain_error(text):
    try:
        assert isinstance(parse_dob(text), date)
    except DomainError as exc:
        assert exc.code == "invalid_date_of_birth" and exc.message_vi


@given(st.text(max_size=10))
def test_any_sex_text_parses_or_is_a_domain_error(text):
    try:
        assert parse_sex(text) in ("", "male", "female")
    except DomainError as exc:
        assert exc.code == "invalid_sex"


@given(st.one_of(scalars, st.text(max_size=40)))
def test_any_expiry_parses_or_is_a_portal_error(value):
    try:
        portal.Token("a", "b", portal._parse_expiry(value)).fresh()
    except portal.PortalError as exc:
        assert exc.kind == "malformed"
