"""The recall chapter's helpers, on the real data."""

import pandas as pd
import pytest

from analysis import charts, figures
from analysis.chapters import recall


def test_recall_share_of_total_on_30_june_2024():
    fig = recall.recall_share_on("2024-06-30", "total")
    assert fig.value == pytest.approx(100 * 12199 / 87726)
    assert "12,199 of 87,726 total" in fig.detail


def test_share_alternatives_include_prisoners_not_on_remand():
    fig = recall.recall_share_on("2024-06-30", "total")
    alt = fig.alternatives["share of the not on remand prison population"]
    assert alt == pytest.approx(100 * 12199 / (87726 - 17070))


def test_missing_year_says_which_table_would_settle_it():
    fig = recall.recall_population_on("2000-06-30", settled_by="Table 9.9")
    assert fig.value is None and "30 June 2000" in fig.missing and "Table 9.9" in fig.missing


def test_fold_and_percent_change():
    assert figures.fold(5260, 12199) == pytest.approx(2.3192, abs=1e-4)
    assert figures.fold(None, 1) is None
    assert figures.percent_change(100, 150) == pytest.approx(50)


def test_growth_against_prison_growth_1995_to_september_2024():
    fig = recall.recall_growth_against_prison_growth("1995-06-30", "2024-09-30")
    expected = ((12579 / 150 - 1) * 100) / ((86966 / 50962 - 1) * 100)
    assert fig.value == pytest.approx(expected)
    assert fig.alternatives["fold rise in the recall population itself"] == pytest.approx(12579 / 150)


def test_annual_cost_uses_latest_cost_per_prisoner_held():
    fig = recall.recall_population_annual_cost("2024-06-30")
    assert fig.value == pytest.approx(12199 * 51724 / 1e6)
    assert "2022-23" in fig.detail


def test_latest_respects_as_of_month():
    frame = recall.recall_population()
    assert figures.latest(frame, "2024-06")["period"] == "2024-06-30"
    assert figures.latest(frame, "2024-08")["period"] == "2024-06-30"
    assert figures.latest(frame, "2024-09")["period"] == "2024-09-30"
    with pytest.raises(LookupError):
        figures.latest(frame, "1990-01")


def test_with_gaps_breaks_lines_without_filling_values():
    frame = pd.DataFrame({"date": pd.to_datetime(["1995-06-30", "2009-06-30", "2009-09-30"]), "value": [150.0, 5958.0, 6000.0]})
    out = charts.with_gaps(frame)
    assert len(out) == 4 and out["value"].isna().sum() == 1
    assert out["value"].dropna().tolist() == [150.0, 5958.0, 6000.0]
