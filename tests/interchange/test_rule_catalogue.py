"""The rule catalogue, rule by rule: for EACH rule, a valid package passes, the same package
with that rule broken (rule_mutations.py) is refused by that rule (and at most by the rules
that read the same value from the other side), with a Vietnamese message, an English one and a
next step. The list of cases comes from the catalogue itself: a new rule without a mutation
fails here. Also: coverage of the portal's sheet, facility switches (off / warning)."""

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kcb06.interchange.core import package, rules, validation
from kcb06.interchange.core.samples import outpatient_visit
from tests.interchange.rule_mutations import BASES, MUTATIONS, build

CATALOGUE = rules.catalogue()


def _fired(found):
    return {e["rule"] for e in found if e.get("rule") not in ("", "XSD")}


@pytest.mark.parametrize("base", sorted(BASES))
def test_the_valid_packages_pass_every_rule(base):
    assert validation.check_tables(build(base)) == []


@pytest.mark.parametrize("rule", CATALOGUE, ids=lambda r: r.code)
def test_each_rule_refuses_its_mutation(rule):
    mutation = MUTATIONS.get(rule.code)
    assert mutation is not None, f"rule {rule.code} has no mutation in rule_mutations.py"
    tables = build(mutation.base)
    assert validation.check_tables(tables) == []
    mutation.apply(tables)
    found = validation.check_tables(tables)
    if rule.relaxation:
        assert found == [], found  # the sheet made the field optional: still valid
        return
    fired = _fired(found)
    assert rule.code in fired, found
    assert fired <= {rule.code} | mutation.also, fired - {rule.code} - mutation.also
    mine = [e for e in found if e["rule"] == rule.code]
    for e in mine:
        assert e["table"] in rule.tables and e["message_vi"] and e["message"] and e["next_step"]
        assert e["severity"] == rule.severity
    if rule.severity == "error":
        assert any(e["rule"] == rule.code for e in validation.validate_tables(tables))


def test_no_mutation_for_a_rule_that_is_not_in_the_catalogue():
    assert set(MUTATIONS) <= {r.code for r in CATALOGUE}


def test_codes_are_unique_and_every_rule_says_what_to_do():
    codes = [r.code for r in CATALOGUE]
    assert len(codes) == len(set(codes))
    for r in CATALOGUE:
        assert r.message_vi and r.message and r.next_step and r.severity in ("error", "warning")


def test_every_sheet_row_is_implemented_or_has_a_reason():
    cov = rules.coverage()
    assert len(cov["implemented"]) == cov["testable"]
    assert cov["total"] == cov["testable"] + len(cov["missing"])
    assert all(reason for *_, reason in cov["missing"])


def test_a_facility_can_switch_a_rule_off_or_make_it_a_warning():
    tables = build("out")
    tables["XML1"].find("MA_KHOA").text = "K77"
    assert [e["rule"] for e in validation.validate_tables(tables)] == ["K1.09"]
    assert validation.validate_tables(tables, {"K1.09": "off"}) == []
    assert validation.validate_tables(tables, {"K1.09": "warning"}) == []
    (warn,) = validation.check_tables(tables, {"K1.09": "warning"})
    assert warn["severity"] == "warning" and warn["rule"] == "K1.09"
    _, errors = package.build_claim(outpatient_visit(), policy={"S1.60": "off"})
    assert errors == []


def test_private_values_are_not_echoed_in_messages():
    tables = build("out")
    tables["XML1"].find("SO_CCCD").text = "12345"
    (err,) = validation.validate_tables(tables)
    assert "12345" not in err["message_vi"] and "12345" not in err["message"]


_FUZZ_BASE = {name: build(name) for name in BASES}
_FIELDS = [
    (code, name)
    for code, root in _FUZZ_BASE["ref"].items()
    for name in sorted({el.tag for el in root.iter()})
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_FIELDS),
            st.one_of(
                st.text(max_size=20),
                st.from_regex(r"[0-9]{0,14}", fullmatch=True),
                st.sampled_from(["NaN", "-Infinity", "1e999", "²", "٣", "2026022912", "K"]),
            ),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_any_text_in_any_field_gets_findings_never_a_crash(changes):
    tables = {k: copy.deepcopy(v) for k, v in _FUZZ_BASE["ref"].items()}
    for (code, name), value in changes:
        element = tables[code].find(f".//{name}")
        if element is not None and len(element) == 0:
            element.text = "".join(c for c in value if c.isprintable()) or None
    for finding in rules.run(tables):
        assert finding["rule"] and finding["message_vi"] and finding["next_step"]
