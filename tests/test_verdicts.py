"""Each written verdict rule, at and either side of its boundaries."""

import pytest

from analysis.verdicts import ROUNDING_ALIASES, RULES, Verdict, half_unit, judge, rule_for, rules_table

A, AR, OV, UN, W, M, U = (Verdict.ACCURATE, Verdict.APPROXIMATELY_RIGHT, Verdict.OVERSTATED,
                          Verdict.UNDERSTATED, Verdict.WRONG, Verdict.MISLEADING, Verdict.UNVERIFIABLE)


@pytest.mark.parametrize("stated, expected", [
    (12199, 0.5), (150000, 5000), (71000, 500), (35.2, 0.05), (14, 0.5), (1000, 500), (600, 50), (0.5, 0.05),
])
def test_half_unit_is_half_the_last_significant_digit(stated, expected):
    assert half_unit(stated) == pytest.approx(expected)


@pytest.mark.parametrize("stated, official, unit, verdict", [
    (12199, 12199, "prisoners", A),
    (12199, 12200, "prisoners", AR),          # off by one: not the stated figure, within 2%
    (12199, 12199 * 1.02, "prisoners", AR),   # 2% boundary
    (12199, 12199 * 1.03, "prisoners", UN),   # claim below official
    (12199, 12199 * 0.97, "prisoners", OV),
    (12199, 5000, "prisoners", W),            # more than 50% apart
    (35.2, 35.24, "cases", A),                # rounds to 35.2
    (35.2, 35.3, "cases", AR),
    (14, 13.9, "percent", A),                 # rounds to 14%
    (14, 14.5, "percent", A),                 # half a point is the boundary
    (14, 14.9, "percent", AR),                # within one point
    (17, 14.5, "percent", OV),                # 2.5 points over
    (17, 19.0, "percent", UN),
])
def test_exact_figures(stated, official, unit, verdict):
    assert judge(stated, official, "", unit).verdict == verdict


@pytest.mark.parametrize("stated, official, verdict", [
    (150000, 151183, A),    # c150,000 against 151,183
    (71000, 74500, A),      # within 5%
    (71000, 76000, AR),     # 7%: outside 5%, does not round to 71,000
    (600, 631, A),          # c£600m: rounds to 600 at one significant figure and within 10%
    (600, 665, AR),         # 10.8%: within 15%
    (600, 700, UN),         # 16.7%
    (150, 120, OV),         # 20% below
    (150, 60, W),
    (12000, 12199, A),
])
def test_about(stated, official, verdict):
    assert judge(stated, official, "about", "people").verdict == verdict


def test_c_is_about():
    assert rule_for("c") is rule_for("about") is RULES["about"]


@pytest.mark.parametrize("stated, official, verdict", [
    (5000, 5350, A),
    (5000, 6249, A),        # just under 25% over
    (5000, 6300, UN),       # a true bound that undersells
    (5000, 5000, AR),       # equal is not over, but within 5%
    (5000, 4760, AR),
    (5000, 4700, OV),
    (5000, 3300, W),         # the bound is over 1.5 times the figure
])
def test_over(stated, official, verdict):
    assert judge(stated, official, "over", "prisoners").verdict == verdict


@pytest.mark.parametrize("stated, official, verdict", [
    (1000, 900, A),
    (1000, 800, A),         # 20% below is the boundary
    (1000, 790, OV),        # bound far above the figure
    (1000, 1000, AR),
    (1000, 1050, AR),
    (1000, 1100, UN),
    (1000, 1600, W),         # over 1.5 times the bound
])
def test_under(stated, official, verdict):
    assert judge(stated, official, "under", "prisoners").verdict == verdict


@pytest.mark.parametrize("stated, official, unit, verdict", [
    (60, 57, "percent", A),
    (60, 55, "percent", A),     # 5 points below is the boundary
    (60, 54, "percent", OV),
    (60, 60.5, "percent", AR),
    (60, 62, "percent", UN),
    (2500, 2471, "recalls", A),
    (2500, 2200, "recalls", OV),
])
def test_nearly(stated, official, unit, verdict):
    assert judge(stated, official, "nearly", unit).verdict == verdict


@pytest.mark.parametrize("ratio, verdict", [
    (0.47, A), (0.4999, A), (0.5, AR), (0.55, AR), (0.56, OV), (0.8, OV), (1.0, W), (1.2, W),
])
def test_more_than_halved(ratio, verdict):
    assert judge(0.5, ratio, "more than halved", "ratio").verdict == verdict


@pytest.mark.parametrize("ratio, verdict", [
    (12.2, A), (11.5, A), (12.6, A), (10.0, AR), (14.3, AR), (9.0, OV), (15.0, UN), (5.0, W), (19.0, W),
])
def test_fold(ratio, verdict):
    assert judge(12, ratio, "fold", "fold").verdict == verdict


@pytest.mark.parametrize("official, verdict", [(3.0, A), (1.0, A), (0.96, AR), (0.9, OV), (0.4, W)])
def test_at_least(official, verdict):
    assert judge(1, official, "at least", "ratio").verdict == verdict


def test_different_basis_is_misleading_without_context():
    result = judge(17, 14.5, "", "percent", alternatives={"share of the sentenced prison population": 17.2})
    assert result.verdict == M
    assert "sentenced" in result.reason and "17.2%" in result.reason


def test_alternative_ignored_when_claim_holds_on_its_own_basis():
    assert judge(14, 13.9, "", "percent", alternatives={"other": 17.0}).verdict == A


def test_alternative_that_also_fails_keeps_primary_verdict():
    assert judge(17, 14.5, "", "percent", alternatives={"other": 18.2, "missing": None}).verdict == OV


def test_no_official_figure_cannot_be_verified_and_says_why():
    result = judge(1000, None, "under", "prisoners", missing_reason="Table X would settle it")
    assert result.verdict == U and result.reason == "Table X would settle it"


def test_unknown_rounding_word_is_refused():
    with pytest.raises(ValueError, match="no verdict rule for the rounding word 'roughly-ish'"):
        judge(1, 1, "roughly-ish")


def test_every_alias_maps_to_a_rule_and_every_rule_is_documented():
    assert set(ROUNDING_ALIASES.values()) == set(RULES)
    table = rules_table()
    assert [r["rule"] for r in table] == list(RULES)
    assert all(r["test"] and r["words"] for r in table)
