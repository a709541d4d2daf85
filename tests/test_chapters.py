"""Each headline chapter run with two parameter sets: the glued results move as they should."""

import ast

import nbformat
import pytest

from analysis.chapters.caseload import calibrate_cv, max_share_above, reconciliation, share_above
from analysis.params import load_chapters
from analysis.pipeline import execute_notebook


def glued(notebook_path) -> dict[str, str]:
    """Every glued plain-text value in an executed notebook."""
    values = {}
    for cell in nbformat.read(notebook_path, as_version=4).cells:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            text = out.get("data", {}).get("application/papermill.record/text/plain")
            if name and text is not None:
                try:
                    values[name] = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    values[name] = text
    return values


def run(tmp_path, chapter: str, **overrides) -> dict[str, str]:
    spec = next(c for c in load_chapters() if c.name == chapter)
    params = {**spec.parameters, **overrides}
    out = tmp_path / f"{chapter}-{abs(hash(tuple(sorted(overrides.items()))))}.ipynb"
    execute_notebook(str(spec.notebook), str(out), params)
    return glued(out)


def pct(text: str) -> float:
    return float(text.rstrip("%"))


def test_caseload_share_above_threshold_falls_as_threshold_rises(tmp_path):
    at50 = run(tmp_path, "caseload", threshold=50)
    at60 = run(tmp_path, "caseload", threshold=60)
    assert pct(at60["share_above_threshold"]) < pct(at50["share_above_threshold"])
    assert at50["share_above_threshold"] == at50["share_above_50"]
    assert at60["threshold"] == "60"


def test_caseload_wider_spread_puts_more_officers_above_50(tmp_path):
    narrow = run(tmp_path, "caseload", dispersion=0.3)
    wide = run(tmp_path, "caseload", dispersion=0.7)
    assert pct(wide["share_above_50"]) > pct(narrow["share_above_50"])
    assert narrow["mean_latest"] == wide["mean_latest"]


def test_every_chapter_honours_as_of(tmp_path):
    # The caseload chapter's latest average is the last year ending by the as-of month.
    early = run(tmp_path, "caseload", as_of="2023-06", staffing_date="2023-06-30")
    late = run(tmp_path, "caseload", as_of="2024-06", staffing_date="2024-06-30")
    assert early["mean_latest_label"] == "Jul 2022 - Jun 2023" and late["mean_latest_label"] == "Jul 2023 - Jun 2024"
    # The community chapter counts a calendar year only once it is complete by the as-of month.
    assert run(tmp_path, "community-sentences", as_of="2015-06")["last_year"] == "2014"
    assert run(tmp_path, "community-sentences", as_of="2015-12")["last_year"] == "2015"


def test_caseload_refuses_staffing_after_as_of(tmp_path):
    from analysis.pipeline import BuildError

    with pytest.raises(BuildError, match="staffing_date 2024-06-30 is after as_of 2023-06"):
        run(tmp_path, "caseload", as_of="2023-06", staffing_date="2024-06-30")


def test_community_base_year_changes_the_comparison(tmp_path):
    default = run(tmp_path, "community-sentences")
    other = run(tmp_path, "community-sentences", base_year=2010, comparison_year=2016)
    assert default["base_value"] == "151,183"
    assert other["base_value"] == "189,333" and other["comparison_value"] == "102,938"
    assert other["ratio_text"] == f"is {102938 / 189333:.2f} (a fall of {100 * (1 - 102938 / 189333):.0f}%)"
    assert "same basis" in other["basis_text"] and "different bases" in default["basis_text"]


def test_lognormal_model_keeps_the_mean_and_orders_thresholds():
    assert share_above(50, 35.2, 0.5) == pytest.approx(0.164, abs=0.002)
    assert share_above(40, 35.2, 0.5) > share_above(50, 35.2, 0.5) > share_above(60, 35.2, 0.5)
    assert share_above(50, 35.2, 0.0) == 0.0 and share_above(30, 35.2, 0.0) == 1.0


def test_calibration_finds_a_reachable_share_and_refuses_an_impossible_one():
    cv = calibrate_cv(0.164, 50, 35.2)
    assert cv is not None and share_above(50, 35.2, cv) == pytest.approx(0.164, abs=1e-6)
    best, _ = max_share_above(40, 35.2)
    assert best < 0.33 and calibrate_cv(0.33, 40, 35.2) is None


def test_reconciliation_of_the_readers_arithmetic():
    table = reconciliation(5139, 5857, 35, 239015)
    assert table["implied cases"][0] == pytest.approx(10996 * 35)
    assert table["against caseload"][0] == pytest.approx(100 * (10996 * 35 / 239015 - 1))
    assert table["implied cases"][2] == pytest.approx((239015 - 5139 * 35) / 5857)
