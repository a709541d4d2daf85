"""One formatting module: numbers, percentages, money, periods and "not held" are written in one place."""

import re

import nbformat
import pytest

from analysis.formatting import NOT_HELD, count, figure, money, month_text, percent, period_text

from .conftest import ROOT


@pytest.mark.parametrize("value, unit, text", [
    (12199, "people", "12,199"), (35.2, "cases", "35.2"), (14.5, "percent", "14.5%"), (17, "percent", "17%"),
    (97, "percent_of_capacity", "97% of capacity"), (12.3, "fold", "12.3-fold"), (600, "gbp_millions", "£600m"),
    (1.5, "gbp_millions", "£1.5m"), (2.0, "gbp_millions", "£2m"), (10.5, "gbp_millions", "£10m"),
    (38042, "gbp", "£38,042"), (None, "people", NOT_HELD), (float("nan"), "percent", NOT_HELD),
])
def test_figure_writes_each_unit_one_way(value, unit, text):
    assert figure(value, unit) == text


def test_counts_percentages_money_periods_and_months():
    assert (count(1234.0), count(None)) == ("1,234", "not held")
    assert (percent(14.46, 1), percent(40)) == ("14.5%", "40%")
    assert (money(1.9e9), money(6e8), money(999)) == ("£1.9bn", "£600m", "£999")
    assert [period_text(p) for p in ("2024-06-30", "2024-Q2", "2023-24", "2019-06-01/2019-06-30")] == [
        "30 June 2024", "2024 Q2", "2023-24", "1 June 2019 to 30 June 2019"]
    assert month_text("2024-06") == "June 2024"


def test_not_held_is_written_only_in_the_formatting_module():
    literal = re.compile(r"""["']not held["']""")
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "src" / "analysis").rglob("*.py")
                 if p.name != "formatting.py" and literal.search(p.read_text(encoding="utf-8"))]
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if any(c.cell_type == "code" and literal.search(c.source) for c in nb.cells):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_a_year_ending_period_reads_as_the_year_to_its_month():
    assert period_text("2022-06-30", "year_ending") == "the year to June 2022"
    assert period_text("2022-06-30") == "30 June 2022"


def test_a_day_takes_on_and_a_period_takes_in():
    from analysis.formatting import at_period

    assert at_period("1996-12-31") == "on 31 December 1996"
    assert at_period("2023-Q2") == "in 2023 Q2"
    assert at_period("2012") == "in 2012"
    assert at_period("2024-06-30", "year_ending") == "in the year to June 2024"
