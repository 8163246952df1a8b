"""The rule catalogue, rule by rule: for EACH rule, a valid package passes, the same package
with that rule broken (rule_mutations.py) is refused by that rule (and at most by the rules
that read the same value from the other side), with a Vietnamese message, an English one and a
next step. The list of cases comes from the catalogue itself: a new rule without a mutation
fails here. Also: coverage of the portal's sheet, facility switches (off / warning)."""

import copy
from functools import partial

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kcb06.interchange.core import package, rules, validation, versions
from kcb06.interchange.core.samples import outpatient_visit
from tests.interchange.rule_mutations import BASES, MUTATIONS, build, element

# The mutations start from packages built under QĐ 4750 (rule_mutations.build): check them
# under the same version.
V4750 = versions.get("qd4750")
check_tables = partial(validation.check_tables, version=V4750)
validate_tables = partial(validation.validate_tables, version=V4750)

CATALOGUE = rules.catalogue()


def _fired(found):
    return {e["rule"] for e in found if e.get("rule") not in ("", "XSD")}


@pytest.mark.parametrize("base", sorted(BASES))
def test_the_valid_packages_pass_every_rule(base):
    assert check_tables(build(base)) == []


@pytest.mark.parametrize("rule", CATALOGUE, ids=lambda r: r.code)
def test_each_rule_refuses_its_mutation(rule):
    mutation = MUTATIONS.get(rule.code)
    assert mutation is not None, f"rule {rule.code} has no mutation in rule_mutations.py"
    tables = build(mutation.base)
    assert check_tables(tables) == []
    mutation.apply(tables)
    found = check_tables(tables)
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
        assert any(e["rule"] == rule.code for e in validate_tables(tables))


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
    assert [e["rule"] for e in validate_tables(tables)] == ["K1.09"]
    assert validate_tables(tables, {"K1.09": "off"}) == []
    assert validate_tables(tables, {"K1.09": "warning"}) == []
    (warn,) = check_tables(tables, {"K1.09": "warning"})
    assert warn["severity"] == "warning" and warn["rule"] == "K1.09"
    _, errors = package.build_claim(outpatient_visit(), policy={"S1.60": "off"})
    assert errors == []


def test_private_values_are_not_echoed_in_messages():
    tables = build("out")
    tables["XML1"].find("SO_CCCD").text = "12345"
    (err,) = validate_tables(tables)
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


def test_rules_follow_the_fields_qd3176_renamed():
    """Under QĐ 3176 XML13's destination is MA_CSKCB_DEN: a referral whose paper names another
    destination than XML1 is still refused (S13.07), and one that agrees passes."""
    from kcb06.interchange.core import package, rules, versions
    from tests.interchange.rule_mutations import BASES

    tables, errors = package.build_claim(BASES["ref"](), version=versions.LATEST)
    assert errors == []
    destination = tables["XML13"].find(".//MA_CSKCB_DEN")
    assert destination is not None and destination.text
    destination.text = "01013"
    found = {e["rule"] for e in rules.run(tables)}
    assert "S13.07" in found


@pytest.mark.parametrize(("field", "code"), [("TT_THAU", "K2.05"), ("SO_DANG_KY", "S2.14")])
@pytest.mark.parametrize("group", ["4", "6", "7", "17"])
def test_a_drug_without_tender_data_or_registration_is_refused_except_blood(field, code, group):
    """The portal refuses a drug line without TT_THAU or SO_DANG_KY, except blood and blood
    products (MA_NHOM 7, 17): an error, not a warning (issue #19)."""
    tables = build("out")
    for row in (1, 3):
        element(tables, "XML2", "MA_NHOM", row).text = group
    assert check_tables(tables) == []
    element(tables, "XML2", field, 3).text = ""
    refused = validate_tables(tables)
    if group in {"7", "17"}:
        assert refused == []
    else:
        assert [(e["rule"], e["row"], e["severity"]) for e in refused] == [(code, "3", "error")]


@pytest.mark.parametrize(
    ("drug", "refused"), [("40.17", False), ("40.573", False), ("40.9101", True)]
)
def test_oxygen_and_nitric_oxide_need_no_registration_number(drug, refused):
    """The sheet's SO_DANG_KY note: not required for medical oxygen (40.17) and nitric oxide
    (40.573), which have no marketing authorisation; any other listed drug needs one."""
    tables = build("out")
    element(tables, "XML2", "MA_THUOC", 3).text = drug
    element(tables, "XML2", "SO_DANG_KY", 3).text = ""
    found = [e["rule"] for e in validate_tables(tables)]
    assert found == (["S2.14"] if refused else [])
