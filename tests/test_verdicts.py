"""Each written verdict rule, at and either side of its boundaries."""

import pytest

from analysis.verdicts import (ROUNDING_ALIASES, RULES, Verdict, half_unit, judge, judge_arithmetic, judge_fell,
                               judge_inference, judge_law, judge_opinion, judge_pledge, judge_rose, judge_wording,
                               parse_number, parse_wording, precision, rule_for, rules_table)

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


@pytest.mark.parametrize("stated, official, verdict, rating", [
    (5000, 5350, A, 5),
    (5000, 6300, A, 5),     # a true bound is never "understated"
    (5000, 7500, A, 5),     # 1.5 times the bound: still tight
    (5000, 7501, A, 4),     # beyond 1.5 times: true but loose
    (2000, 3260, A, 4),     # "over 2,000 a month" against 3,260: true, loose
    (5000, 5000, AR, 4),    # equal is not over, but within 5%
    (5000, 4760, AR, 4),
    (5000, 4749, OV, 2),
    (5000, 4700, OV, 2),
    (5000, 3334, OV, 2),
    (5000, 3300, W, 1),     # the bound is over 1.5 times the figure
])
def test_over_is_first_true_or_false_then_tight_or_loose(stated, official, verdict, rating):
    result = judge(stated, official, "over", "prisoners")
    assert (result.verdict, result.rating, result.kind) == (verdict, rating, "bound")


@pytest.mark.parametrize("stated, official, verdict, rating", [
    (1000, 900, A, 5),
    (1000, 667, A, 5),      # the bound is under 1.5 times the figure: tight
    (1000, 666, A, 4),      # loose
    (1000, 500, A, 4),      # "under 1,000" against 500: true, never "overstated"
    (1000, 1000, AR, 4),
    (1000, 1050, AR, 4),
    (1000, 1051, UN, 2),
    (1000, 1100, UN, 2),
    (1000, 1500, UN, 2),
    (1000, 1600, W, 1),     # over 1.5 times the bound
])
def test_under_is_first_true_or_false_then_tight_or_loose(stated, official, verdict, rating):
    result = judge(stated, official, "under", "prisoners")
    assert (result.verdict, result.rating) == (verdict, rating)
    assert "loose" in result.reason if rating == 4 and verdict == A else "loose" not in result.reason


def test_a_bound_holds_within_the_official_figures_own_rounding():
    assert judge(5000, 5000, "over", "people", official_text="5,000").verdict == A   # 4,500 to 5,500
    assert judge(5000, 5000, "over", "people").verdict == AR                         # exactly 5,000 is not over


@pytest.mark.parametrize("stated, official, unit, verdict", [
    (60, 57, "percent", A),     # 3 points below: the boundary of "nearly" for a share
    (60, 56.9, "percent", AR),  # just past it
    (60, 55, "percent", AR),    # 5 points below is the boundary of approximately right
    (60, 54, "percent", OV),
    (2500, 2375, "recalls", A),   # 5% below: the boundary for a count
    (2500, 2374, "recalls", AR),
    (2500, 2250, "recalls", AR),  # 10% below
    (2500, 2249, "recalls", OV),
    (60, 60.5, "percent", AR),
    (60, 62, "percent", UN),
    (2500, 2471, "recalls", A),
    (2500, 2200, "recalls", OV),
])
def test_nearly(stated, official, unit, verdict):
    assert judge(stated, official, "nearly", unit).verdict == verdict


@pytest.mark.parametrize("ratio, verdict", [
    (0.47, A), (0.4999, A), (0.5, AR), (0.55, AR), (0.56, OV), (0.66, OV), (0.67, W), (0.8, W),
    (0.9, W),                                 # "more than halved" after a 10% fall is wrong
    (1.0, W), (1.2, W),
])
def test_more_than_halved(ratio, verdict):
    assert judge(0.5, ratio, "more than halved", "ratio").verdict == verdict


@pytest.mark.parametrize("ratio, verdict", [
    (12.2, A), (11.5, A), (12.6, A), (11.0, AR), (13.2, AR), (10.7, OV), (13.3, UN), (9.0, OV), (15.0, UN),
    (5.0, W), (19.0, W), (0.9, W),
])
def test_fold(ratio, verdict):
    assert judge(12, ratio, "fold", "fold").verdict == verdict


@pytest.mark.parametrize("ratio, verdict", [
    (2.0, A), (1.9, A), (2.1, A), (1.89, AR), (1.8, AR), (2.2, AR), (1.79, OV),
    (1.55, OV),                               # "doubled" at 1.55 times is not accurate
    (1.34, OV), (1.33, W), (3.1, W), (0.9, W),
])
def test_doubled_uses_a_relative_tolerance(ratio, verdict):
    assert judge(2, ratio, "doubled", "fold").verdict == verdict


@pytest.mark.parametrize("official, verdict, rating", [
    (1.5, A, 5), (1.51, A, 4), (1.0, A, 5), (0.96, AR, 4), (0.9, OV, 2), (0.4, W, 1)])
def test_at_least(official, verdict, rating):
    result = judge(1, official, "at least", "ratio")
    assert (result.verdict, result.rating) == (verdict, rating)


@pytest.mark.parametrize("word, ratio, verdict, rating", [
    ("came down", 0.5, A, 5),                 # halving is a fall: accurate, not "overstated"
    ("came down", 0.98, A, 5),
    ("came down", 0.99, AR, 4),               # within the 1% noise band: no clear change
    ("came down", 1.0, OV, 2),
    ("came down", 1.01, OV, 2),
    ("came down", 1.02, W, 1),
    ("grew", 1.2, A, 5),
    ("grew", 1.01, AR, 4),
    ("grew", 0.995, OV, 2),
    ("grew", 0.98, W, 1),
    ("grew", 0.96, W, 1),                     # "grew" when it fell 4% is wrong
])
def test_direction(word, ratio, verdict, rating):
    result = judge(1, ratio, word, "ratio")
    assert (result.verdict, result.rating, result.kind) == (verdict, rating, "direction")
    assert ("no clear change" in result.reason) == (abs(ratio - 1) <= 0.01 + 1e-9)


def test_direction_noise_band_is_an_argument():
    assert judge_rose(1, 1.03, noise=0.05).verdict == AR
    assert judge_fell(1, 1.03, noise=0.05).verdict == OV
    assert judge_fell(1, 1.03).verdict == W


@pytest.mark.parametrize("stated, ratio, verdict", [
    (42, 1.42, A), (42, 1.424, A), (42, 1.426, AR), (42, 1.462, AR), (42, 1.463, UN), (42, 1.38, AR),
    (42, 1.37, OV), (42, 1.28, OV), (42, 1.27, W), (42, 0.9, W),
    (-0.8, 1.001, W),                         # a claimed fall against an actual rise is wrong
    (1, 1.019, UN),                           # "up 1%" at 1.9%: not close (understated, within a point)
    (1, 1.021, W),
])
def test_percent_change(stated, ratio, verdict):
    assert judge(stated, ratio, "percent change", "ratio").verdict == verdict


@pytest.mark.parametrize("stated, official, unit, verdict", [
    (10, 11, "headcount", UN),                # "10 of 12 regions" against 11: an exact count is exact
    (10, 10.4, "headcount", A),
    (10, 10.6, "headcount", UN),
    (4000, 4400, "people", A),                # from 100 up trailing zeros mark rounding
    (4000, 4600, "people", UN),
    (1, 1.9, "percent", UN),                  # 1.9% is not close to a stated 1%
    (1, 1.5, "percent", A),
    (4.2, 4.45, "percent", AR),               # the 1-point band shrinks to 0.42 points at 4.2%
    (4.2, 4.7, "percent", UN),
    (1, 1.6, "percent", UN),
    (1, 1.61, "percent", UN),
    (1, 2.1, "percent", W),
    (-0.8, 0.1, "percent", W),                # a claimed fall against an actual rise
    (-0.8, -0.5, "percent", OV),              # a fall put steeper than it was
    (-0.5, -0.8, "percent", UN),
])
def test_exact_counts_and_low_percentages(stated, official, unit, verdict):
    assert judge(stated, official, "", unit).verdict == verdict


@pytest.mark.parametrize("official_text, verdict", [
    ("45,500", A),                            # published to the nearest hundred: 45,450 to 45,550
    ("45,400", AR),                           # 45,350 to 45,450: 38 short
    ("45,000", A),                            # to the nearest thousand: 44,500 to 45,500
    ("44,000", OV),                           # 43,500 to 44,500: 2.2% short
])
def test_precision_on_both_sides(official_text, verdict):
    value, prec = parse_number(official_text)
    assert judge(45488, value, "", "people", official_text=official_text).verdict == verdict
    assert judge(45488, value, "", "people", official_precision=prec).verdict == verdict


def test_official_precision_defaults_to_exact():
    assert judge(45488, 45500, "", "people").verdict == AR


@pytest.mark.parametrize("value, unit, half", [
    (10, "headcount", 0.5), (99, "", 0.5), (100, "", 50), (4000, "people", 500), (60, "percent", 0.5),
    (35.2, "percent", 0.05), (12.5, "ratio", 0.05),
])
def test_precision_of_a_written_figure(value, unit, half):
    assert precision(value, unit) == pytest.approx(half)


@pytest.mark.parametrize("text, value, half", [
    ("45,500", 45500, 50), ("45,488", 45488, 0.5), ("11", 11, 0), ("13.9%", 13.9, 0.05), ("1.55", 1.55, 0.005)])
def test_parse_number(text, value, half):
    assert parse_number(text) == (pytest.approx(value), pytest.approx(half))


@pytest.mark.parametrize("verdict_args, rating", [
    ((12199, 12199, "", "prisoners"), 5), ((12199, 12200, "", "prisoners"), 4),
    ((17, 14.5, "", "percent"), 2), ((12199, 5000, "", "prisoners"), 1), ((1000, None, "under", ""), None),
])
def test_rating_follows_the_verdict(verdict_args, rating):
    assert judge(*verdict_args).rating == rating


def test_misleading_rates_three():
    assert judge(17, 14.5, "", "percent", alternatives={"sentenced": 17.2}).rating == 3


def test_arithmetic_recomputes_the_documents_figures():
    ok = judge_arithmetic(31, 1 + 15 + 15, "headcount", "1 + 15 + 15")
    assert (ok.verdict, ok.rating, ok.kind) == (A, 5, "arithmetic") and "1 + 15 + 15" in ok.reason
    assert judge_arithmetic(31, 36, "headcount").verdict == UN


SUMMARY = {"Good": 1, "Requires improvement": 15, "Inadequate": 15}


def test_a_summary_is_reconciled_with_its_table_by_the_publishers_rule():
    from analysis.verdicts import judge_reconciliation

    same = judge_reconciliation(SUMMARY, 31, {"Good": 1, "Requires improvement": 15, "Inadequate": 15})
    assert (same.verdict, same.rating, same.kind) == (A, 5, "arithmetic") and "give 1 Good, 15 Requires" in same.reason
    one_off = judge_reconciliation(SUMMARY, 31, {"Good": 1, "Requires improvement": 16, "Inadequate": 14})
    assert (one_off.verdict, one_off.rating) == (W, 1) and "not 1 Good, 15 Requires improvement, 15 Inadequate" in one_off.reason
    extra = judge_reconciliation(SUMMARY, 32, {"Good": 1, "Requires improvement": 15, "Inadequate": 15, "Outstanding": 1})
    assert extra.verdict == W   # a row the summary does not count is a difference too


def test_without_the_publishers_rule_a_summary_stays_its_finding_and_the_gap_is_named():
    from analysis.verdicts import judge_reconciliation

    more = judge_reconciliation(SUMMARY, 36, None, "the inspectorate's finding", "its ratings rules")
    assert (more.verdict, more.rating, more.why_unsettled) == (U, None, "finding")
    assert "36 rows, 5 more than the 31 the summary counts" in more.reason and "leaves out" in more.reason
    assert more.reason.startswith("the inspectorate's finding;") and more.reason.endswith("its ratings rules would settle it")
    even = judge_reconciliation(SUMMARY, 31)
    assert "31 rows, as many as the summary counts" in even.reason and even.why_unsettled == "finding"
    fewer = judge_reconciliation(SUMMARY, 30)
    assert "1 fewer than the 31" in fewer.reason and "adds" in fewer.reason


def test_held_categories_with_rows_not_held_are_consistent_only_if_those_rows_can_make_up_the_rest():
    from analysis.verdicts import judge_reconciliation

    one_gap = judge_reconciliation(SUMMARY, 36, {"Good": 1, "Requires improvement": 14, "Inadequate": 15}, not_held=("Cumbria",))
    assert (one_gap.verdict, one_gap.rating) == (A, 5)
    assert "1 not held (Cumbria)" in one_gap.reason and "if that row is Requires improvement: consistent" in one_gap.reason
    over = judge_reconciliation(SUMMARY, 36, {"Good": 1, "Requires improvement": 14, "Inadequate": 16}, not_held=())
    assert over.verdict == W and "not 1 Good" in over.reason   # 16 Inadequate held: more than the summary says
    too_many = judge_reconciliation(SUMMARY, 36, {"Good": 1, "Requires improvement": 13, "Inadequate": 15},
                                    not_held=("a", "b", "c"))
    assert too_many.verdict == W   # three rows not held cannot be two Requires improvement
    two = judge_reconciliation(SUMMARY, 36, {"Good": 1, "Requires improvement": 14, "Inadequate": 14}, not_held=("a", "b"))
    assert two.verdict == A and "if those rows are 1 Requires improvement and 1 Inadequate" in two.reason
    unordered = judge_reconciliation(SUMMARY, 36, {"Good": 1, "Requires improvement": 15, "Inadequate": 15}, in_order=False)
    assert (unordered.verdict, unordered.why_unsettled) == (U, "finding") and "do not follow the table's order" in unordered.reason


def test_the_31_pdu_summary_is_reconciled_with_the_ratings_published_for_the_slides_table():
    from analysis.claims import assess_claims
    from analysis.editions import read_edition

    frame = assess_claims(read_edition(), "inspections").set_index("id")
    row = frame.loc["insp-31-pdus"]
    assert (row["verdict"], row["basis"]) == ("accurate", "secondary")
    assert ("first 31 rows give 1 Good, 14 Requires improvement, 15 Inadequate and 1 not held (Cumbria PDU)"
            in row["reason"])
    assert "the other 5 rows (Portsmouth & IoW PDU, East Berkshire PDU, Somerset PDU, Dorset PDU" in row["reason"]
    assert "give 0 Good, 2 Requires improvement, 2 Inadequate and 1 not held" in row["reason"]
    table = frame.loc["insp-pdu-scores-table"]
    assert table["label"] == "published finding of the inspectorate"
    assert "36 rows under 'Overall PDU ratings: Jan 2022 - Aug 2023', scored from 0 to 15" in table["reason"]


def test_a_rating_changed_or_out_of_order_in_data_changes_the_31_pdu_verdict(data_copy):
    from analysis.claims import assess_claims
    from analysis.editions import read_edition

    from .conftest import set_value

    path = data_copy / "inspection_ratings.csv"
    set_value(path, "pdu_rating_sheffield", "2023-03-30", "2")   # an Inadequate unit made Good: two Good, not one
    row = assess_claims(read_edition(), "inspections", data_copy).set_index("id").loc["insp-31-pdus"]
    assert row["verdict"] == "wrong" and "give 2 Good, 14 Requires improvement, 14 Inadequate" in row["reason"]
    set_value(path, "pdu_rating_sheffield", "2023-03-30", "0")
    text = path.read_text(encoding="utf-8").replace("pdu_rating_swansea_npt,2022-01-01/2022-01-31,date_range",
                                                    "pdu_rating_swansea_npt,2023-09-01/2023-09-30,date_range")
    path.write_text(text, encoding="utf-8")   # the first row dated after every other: not the table's order
    row = assess_claims(read_edition(), "inspections", data_copy).set_index("id").loc["insp-31-pdus"]
    assert row["verdict"] == "cannot be verified" and "do not follow the table's order" in row["reason"]


@pytest.mark.parametrize("holds, verdict, rating", [(True, A, 5), (None, M, 3), (False, W, 1)])
def test_inference_is_judged_on_the_reasoning(holds, verdict, rating):
    result = judge_inference(holds, "an officer-only average times officers and PSOs together")
    assert (result.verdict, result.rating, result.kind) == (verdict, rating, "inference")
    assert "officer-only" in result.reason


@pytest.mark.parametrize("achieved, as_of, verdict, rating, why", [
    (1040, "2025-03-31", A, 5, None),
    (1000, "2024-06-30", A, 5, None),         # met early
    (700, "2024-06-30", U, None, "pending"),  # not yet due
    (None, "2024-06-30", U, None, "pending"),
    (999, "2025-03-31", AR, 4, None),
    (950, "2025-03-31", AR, 4, None),
    (949, "2025-03-31", W, 1, None),
    (700, "2025-04-01", W, 1, None),
    (None, "2025-04-01", U, None, "not_in_book"),
])
def test_pledge(achieved, as_of, verdict, rating, why):
    result = judge_pledge(1000, achieved, "2025-03-31", as_of, "people")
    assert (result.verdict, result.rating, result.why_unsettled, result.kind) == (verdict, rating, why, "pledge")


def test_law_names_the_provision():
    assert judge_law(True, "Criminal Justice Act 2003, s.254").rating == 5
    wrong = judge_law(False, "Offender Rehabilitation Act 2014, s.2")
    assert wrong.verdict == W and "s.2" in wrong.reason


def test_opinion_has_no_verdict_and_says_so():
    result = judge_opinion()
    assert (result.verdict, result.rating, result.why_unsettled, result.kind) == (U, None, "not_checkable", "opinion")
    assert result.reason.startswith("no verdict")


def test_missing_figure_says_why_unsettled():
    assert judge(1, None, "", why_unsettled="unpublished").why_unsettled == "unpublished"
    assert judge(1, 1, "").why_unsettled is None
    with pytest.raises(ValueError, match="why_unsettled"):
        judge(1, None, "", why_unsettled="later")


@pytest.mark.parametrize("text, rounding, value, unit", [
    ("under 1,000", "under", 1000, ""), ("c150,000", "c", 150000, ""), ("nearly 60%", "nearly", 60, "percent"),
    ("more than halved", "more than halved", 0.5, "ratio"), ("twelve-fold", "fold", 12, "fold"),
    ("came down", "came down", 1, "ratio"), ("10", "", 10, ""), ("doubled", "doubled", 2, "ratio"),
    ("over 2,000 a month", "over", 2000, ""), ("more than half", "more than", 50, "percent"),
    ("up 42%", "percent change", 42, "ratio"), ("0.8% fewer", "percent change", -0.8, "ratio"),
    ("c£600m a year", "c", 600, "gbp_millions"), ("seven in ten", "", 7, ""), ("about 97%", "about", 97, "percent"),
])
def test_parse_wording(text, rounding, value, unit):
    words = parse_wording(text)
    assert (words.rounding, words.value, words.unit) == (rounding, pytest.approx(value), unit)


def test_unreadable_wording_is_refused():
    with pytest.raises(ValueError, match="no figure in the wording 'lots'"):
        parse_wording("lots")


@pytest.mark.parametrize("text, official, verdict, rating, kind", [
    ("under 1,000", "500", "accurate", 4, "bound"),
    ("over 2,000 a month", "3,260", "accurate", 4, "bound"),
    ("came down", "0.5", "accurate", 5, "direction"),
    ("grew", "0.96", "wrong", 1, "direction"),
    ("more than halved", "0.9", "wrong", 1, "change"),
    ("doubled", "1.55", "overstated", 2, "change"),
    ("10", "11", "understated", 2, "level"),
    ("1%", "1.9", "understated", 2, "level"),
    ("45,488", "45,500", "accurate", 5, "level"),
    ("nearly 60%", "57", "accurate", 5, "level"),
])
def test_judge_wording_cases_from_the_issue(text, official, verdict, rating, kind):
    out = judge_wording(text, official)
    assert (out["verdict"], out["rating"], out["kind"]) == (verdict, rating, kind)
    assert out["conclusion"][0].isupper() and out["conclusion"].endswith(".")
    assert "matches the stated" not in out["conclusion"]


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
    assert [r["rule"] for r in table][:len(RULES)] == list(RULES)
    assert {r["rule"] for r in table} >= {"arithmetic", "inference", "pledge", "law", "opinion"}
    assert all(r["test"] and r["words"] and r["kind"] for r in table)
    assert all(r["example"].startswith("Example") for r in table)


def run_cli(*args):
    import os
    import subprocess
    import sys
    env = {**os.environ, "PYTHONPATH": "src"}
    return subprocess.run([sys.executable, "-m", "analysis", "judge", *args], capture_output=True, text=True, env=env)


def test_cli_judge_text():
    out = run_cli("under 1,000", "--official", "500")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ['accurate (rating 4 of 5; bound claim, rule "under")',
                                       "The figure is 500: under 1,000 is true, though a loose bound."]


def test_cli_judge_json_reads_the_official_figures_rounding():
    import json
    out = run_cli("45,488", "--official", "45,500", "--format", "json")
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    assert {k: record[k] for k in ("verdict", "rating", "kind", "official_precision")} == {
        "verdict": "accurate", "rating": 5, "kind": "level", "official_precision": 50.0}
    assert record["conclusion"] == "The figure is 45,500 (published to the nearest 100), consistent with the stated 45,488."


@pytest.mark.parametrize("text, official, verdict, rating", [
    ("more than halved", "0.9", "wrong", 1), ("twelve-fold", "12.2", "accurate", 5), ("came down", "0.5", "accurate", 5),
    ("nearly 60%", "54", "overstated", 2), ("c150,000", "151,183", "accurate", 5),
])
def test_cli_judge_json_wordings(text, official, verdict, rating):
    import json
    record = json.loads(run_cli(text, "--official", official, "--format", "json").stdout)
    assert (record["verdict"], record["rating"]) == (verdict, rating)


def test_cli_judge_refuses_a_kind_the_wording_contradicts_and_unreadable_wording():
    out = run_cli("grew", "--official", "0.96", "--kind", "level")
    assert out.returncode == 2 and "the wording 'grew' is a direction claim, not 'level'" in out.stderr
    out = run_cli("lots", "--official", "3")
    assert out.returncode == 2 and "no figure in the wording 'lots'" in out.stderr


def test_cli_judge_arithmetic_kind():
    import json
    record = json.loads(run_cli("31", "--official", "36", "--kind", "arithmetic", "--format", "json").stdout)
    assert (record["kind"], record["verdict"]) == ("arithmetic", "understated")
    assert record["conclusion"].startswith("The document's own figures give 36")


# --- the bracket rule ------------------------------------------------------------------


@pytest.mark.parametrize("below, above, verdict", [
    (0.45, 0.49, "accurate"),            # both under half: "more than halved" holds on both sides
    (0.45, 0.50, "cannot be verified"),  # exactly half on one side: not more than halved there
    (0.51, 0.49, "cannot be verified"),  # over half on one side
    (0.62, 0.65, "overstated"),          # both well over half: the same verdict on both sides stands
])
def test_bracket_from_both_sides_of_more_than_halved(below, above, verdict):
    from analysis.verdicts import judge_bracket

    out = judge_bracket(0.5, [("the year to June 2022", below), ("the year to June 2024", above)],
                        "more than halved", "ratio")
    assert out.verdict.value == verdict
    if verdict == "cannot be verified":
        assert out.rating is None and out.why_unsettled == "not_in_book" and "disagree" in out.reason
    else:
        assert "consistent with them, not confirmed" in out.reason and f"{below:.2f} times" in out.reason


def test_bracket_of_a_level_names_its_break_and_needs_two_sides():
    from analysis.verdicts import judge_bracket

    out = judge_bracket(71000, [("a", 68207), ("b", 73425)], "about", "people", note="a series break")
    assert out.verdict.value == "accurate" and out.reason.endswith("; a series break")
    far = judge_bracket(71000, [("a", 68207), ("b", 95000)], "about", "people")
    assert far.verdict.value == "cannot be verified"
    with pytest.raises(ValueError, match="two sides"):
        judge_bracket(71000, [("a", 68207)], "about", "people")


@pytest.mark.parametrize("before, after, verdict", [
    (1.0073, 1.0068, "accurate"),            # both round to up 1%: consistent, not confirmed
    (1.0041, 1.0073, "cannot be verified"),  # up 0.4% on one side, up 0.7% on the other: they disagree
])
def test_bracket_of_a_percent_change_shows_the_rise_not_the_ratio(before, after, verdict):
    from analysis.verdicts import judge_bracket

    out = judge_bracket(1, [("a", before), ("b", after)], "percent change", "percent")
    assert out.verdict.value == verdict
    assert f"a: up {100 * (before - 1):.1f}%" in out.reason and "1.0%" not in out.reason


def test_either_side_brackets_a_share_of_two_series_and_falls_away_once_the_period_is_held(data_copy):
    from analysis.figures import either_side

    args = dict(file="probation_caseload", part="probation_caseload_pre_and_post_release",
                whole="probation_caseload_total", period="2024-03-31", before="2023-12-31", after="2024-12-31",
                settled_by="OMSQ Table 4.1")
    out = either_side("share", **args)
    assert out.value is None and [round(v, 1) for _, v in out.bracket] == [56.7, 57.2]
    assert out.bracket[0][0] == "31 December 2023, secondary source" and "2024 not held" in out.detail
    short = either_side("share", **{**args, "after": "2025-12-31"})   # no share held on that side
    assert short.bracket == () and "OMSQ Table 4.1 would settle it" in short.missing
    with pytest.raises(ValueError, match="not 'average'"):
        either_side("average", **args)
    path = data_copy / "probation_caseload.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    row = next(line for line in lines if line.startswith("probation_caseload_pre_and_post_release,2023-12-31,"))
    lines.append(row.replace("2023-12-31", "2024-03-31", 1))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    held = either_side("share", **args)
    assert held.value is not None and held.bracket == ()


def test_still_holds_compares_the_verdict_on_the_latest_figure_with_the_one_at_the_time():
    from analysis.verdicts import judge, still_holds

    at_the_time = judge(7415, 7415, "exact", "recalls")
    assert still_holds(at_the_time, judge(7415, 7415, "exact", "recalls")) == "would still be accurate"
    assert still_holds(at_the_time, judge(7415, 11041, "exact", "recalls")) == "would be understated"
    assert still_holds(at_the_time, judge(7415, 5000, "exact", "recalls")) == "would be overstated"
    # about 150,000: 151,183 is accurate; a later 102,938 is not, and the clause says so
    about = judge(150000, 151183, "about", "people")
    assert still_holds(about, judge(150000, 148000, "about", "people")) == "would still be accurate"
    assert still_holds(about, judge(150000, 102938, "about", "people")).startswith("would be ")
    # nothing is said when either side is unsettled
    assert still_holds(judge(7415, None, "exact"), judge(7415, 7415, "exact")) == ""
    assert still_holds(at_the_time, judge(7415, None, "exact")) == ""


@pytest.mark.parametrize("verdict, why, kind, expected", [
    ("accurate", None, "level", "accurate"),
    ("wrong", None, "pledge", "wrong"),                                   # a pledge not met keeps its verdict
    ("cannot be verified", "pending", "pledge", "pledge: due later"),
    ("cannot be verified", "not_in_book", "pledge", "pledge: due, no figure held"),
    ("cannot be verified", "not_checkable", "opinion", "opinion: not rated"),
    ("cannot be verified", "not_checkable", "level", "opinion: not rated"),
    ("cannot be verified", "unpublished", "level", "only the publisher holds the data"),
    ("cannot be verified", "not_in_book", "level", "not yet checked: the book lacks the table"),
    ("cannot be verified", "not_in_book", "change", "not yet checked: the book lacks the table"),
])
def test_each_claim_without_a_verdict_wears_what_stands_in_its_way(verdict, why, kind, expected):
    from analysis.verdicts import label_of

    assert label_of(verdict, why, kind) == expected


def test_a_monthly_average_of_a_quarter_is_a_whole_number():
    """9,782 recalls in 2024 Q2 are 3,261 a month (the book showed 3,260.7); 'over 2,000 a month' still holds."""
    from analysis.figures import per_month

    found = per_month("licence_recalls", "licence_recalls", "2024-Q2")
    assert found.value == 3261.0 and "9,782" in found.detail


REASONS = ["recall_reason_count_further_charge", "recall_reason_count_non_compliance",
           "recall_reason_count_failed_to_keep_in_touch", "recall_reason_count_failed_to_reside",
           "recall_reason_count_drugs_alcohol", "recall_reason_count_poor_behaviour_relationships",
           "recall_reason_count_hdc_time_violation", "recall_reason_count_hdc_inability_to_monitor",
           "recall_reason_count_failed_home_visit", "recall_reason_count_hdc_failed_installation",
           "recall_reason_count_hdc_equipment_tamper", "recall_reason_count_other"]
YEAR_TO_MARCH_2024 = ["2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1"]


def test_a_share_of_a_year_sums_the_years_counts_not_one_quarter():
    """The Chief Inspector's 4 per cent for drugs and alcohol: 3.2% of one quarter's reasons (2024 Q1, judged
    overstated), but 3.6% of the four quarters to March 2024 summed (consistent with 4%)."""
    import pandas as pd

    from analysis.figures import share_of_sum
    from analysis.paths import data_dir
    from analysis.verdicts import judge

    rows = pd.read_csv(data_dir() / "recall_reasons.csv", dtype={"value": float})
    counts = rows[rows["series_id"].isin(REASONS) & rows["period"].isin(YEAR_TO_MARCH_2024)]
    expected = 100 * counts.loc[counts["series_id"] == REASONS[4], "value"].sum() / counts["value"].sum()
    year = share_of_sum("recall_reasons", REASONS[4], REASONS, periods=YEAR_TO_MARCH_2024)
    quarter = share_of_sum("recall_reasons", REASONS[4], REASONS, "2024-Q1")
    assert year.value == pytest.approx(expected) and "the 4 quarters" in year.detail
    assert judge(4, round(year.value, 1), "", "percent").verdict == "accurate"
    assert judge(4, round(quarter.value, 1), "", "percent").verdict == "overstated"
    # a quarter not held leaves the share unsettled, naming the span
    gap = share_of_sum("recall_reasons", REASONS[4], REASONS, periods=["2022-Q4", *YEAR_TO_MARCH_2024[1:]])
    assert gap.value is None and "2022" in gap.missing


def test_a_ratio_of_two_cohorts_is_misleading_without_context_only_when_the_sum_is_right():
    from analysis.verdicts import judge_cohort

    note = "the recalled are not the released of the same quarter"
    right = judge_cohort(judge(73, 73.3, "", "percent"), note)
    assert right.verdict == Verdict.MISLEADING and right.rating == 3 and right.reason.endswith(f", but {note}")
    close = judge_cohort(judge(60, 57, "nearly", "percent"), note)   # approximately right on the sum: also misleading
    assert close.verdict == Verdict.MISLEADING
    off = judge_cohort(judge(73, 60.0, "", "percent"), note)          # the sum itself is wrong: the mismatch does not rescue it
    assert off.verdict == judge(73, 60.0, "", "percent").verdict and note not in off.reason
    assert judge_cohort(judge(73, None, "", "percent"), note).verdict == Verdict.UNVERIFIABLE


def test_the_register_marks_recalls_per_release_as_two_cohorts():
    from analysis.claims import assess_claims
    from analysis.editions import read_edition

    row = assess_claims(read_edition(), "recall-flows").set_index("id").loc["flows-73-recalled-per-100-released"]
    assert row["verdict"] == "misleading without context" and "earlier quarters" in row["reason"]
    assert row["official_value"] == pytest.approx(100 * 9782 / 13338)


@pytest.mark.parametrize("why, kind, shown", [
    ("context", "context", "context: worked out by the book, not rated"),
    ("no_series", "level", "no official figure exists for this period"),
    ("finding", "level", "published finding of the inspectorate"),
    ("unpublished", "level", "only the publisher holds the data"),
    ("not_in_book", "level", "not yet checked: the book lacks the table"),   # the neighbouring labels stay as they were
    ("not_checkable", "opinion", "opinion: not rated"),
])
def test_each_kind_of_unsettled_claim_wears_its_own_label(why, kind, shown):
    from analysis.verdicts import label_of

    assert label_of("cannot be verified", why, kind) == shown
    assert label_of("accurate", why, kind) == "accurate"  # a verdict, when there is one, is what a claim wears


def test_a_figure_the_book_worked_out_is_context_with_its_value_and_no_rating():
    from analysis.figures import context

    found = context("ratio", [242700, 12806])
    assert found.value is None and found.judgement.rating is None
    assert found.judgement.verdict == Verdict.UNVERIFIABLE and found.judgement.why_unsettled == "context"
    assert found.judgement.reason == "no verdict: the book's own arithmetic, shown as context: 242,700 / 12,806 = 19.0"
    assert context("percent", [669, 860], "an upper bound").judgement.reason.endswith("669 / 860 = 77.8% (an upper bound)")


def test_the_readers_385000_is_judged_as_reasoning_not_as_a_caseload():
    """The reader never says the caseload is 385,000: the claim is the inference 'someone's lying', judged
    on its reasoning (a probation-officer average given to PSOs too), and the reason gives the caseload held."""
    from analysis.claims import assess_claims
    from analysis.editions import read_edition

    row = assess_claims(read_edition(), "caseload").set_index("id").loc["cpo-implied-vs-caseload"]
    assert row["kind"] == "inference" and row["verdict"] == "wrong"
    assert row["reason"].startswith("the reasoning does not hold: the 35-case average") and "239,015" in row["reason"]


def test_a_finding_its_holder_published_is_reported_as_published_not_as_unpublished():
    from analysis.figures import reported

    held = reported("HM Inspectorate of Probation (case sample)")
    published = reported("HM Inspectorate of Probation (case sample)", published_in="its Annual report 2022/2023")
    assert held.unsettled == "unpublished" and "held only by" in held.missing
    assert published.unsettled == "finding" and published.value is None
    assert published.missing == ("the finding of HM Inspectorate of Probation (case sample), as published in its Annual "
                                 "report 2022/2023; no independent series can check it")
