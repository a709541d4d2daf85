"""Loading and validating data/: real values, and malformed files refused with precise messages."""

import json
import shutil

import pytest

from analysis.official_data import DataError, read_series_file, series, value_on
from analysis.validation import validate_data

from .conftest import ROOT

HEADER = "series_id,period,period_type,value,unit,publisher,publication,url,table_ref,date_published,date_accessed,licence,source_kind,note"
GOOD = ("recall_population,2024-06-30,date,12199,prisoners,Ministry of Justice,Estimate of recalls,"
        "https://www.gov.uk/x,text,2024-10-25,2026-11-22,OGL-3.0,official,")


def test_repository_data_is_valid():
    assert [str(p) for p in validate_data(ROOT / "data")] == []


def test_official_figure_wins_over_secondary_for_the_same_date():
    rows = series("recall_population", "recall_population")
    row = rows[rows["period"] == "2024-06-30"].iloc[0]
    assert row["value"] == 12199 and row["source_kind"] == "official"
    assert row["publisher"] == "Ministry of Justice"


def test_known_values_load_as_published():
    recalls = series("recall_population", "recall_population")
    assert value_on(recalls, "2014-06-30") == 5260
    assert value_on(recalls, "2000-06-30") is None
    total = series("prison_population", "prison_population_total")
    assert value_on(total, "2024-06-30") == 87726


def one_file_package(tmp_path, body: str, name="recall_population"):
    """A data folder holding one series file with the given rows, plus schema and register."""
    folder = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "schemas", folder / "schemas")
    shutil.copytree(ROOT / "data" / "claims", folder / "claims")
    pkg = json.loads((ROOT / "data" / "datapackage.json").read_text())
    pkg["resources"] = [r for r in pkg["resources"] if r["path"] == f"{name}.csv"]
    (folder / "datapackage.json").write_text(json.dumps(pkg))
    (folder / f"{name}.csv").write_text(body)
    return folder


def problems_for(tmp_path, body):
    return [str(p) for p in validate_data(one_file_package(tmp_path, body))]


@pytest.mark.parametrize("row, column, words", [
    (GOOD.replace(",12199,", ",12,199,"), None, "extra value"),
    (GOOD.replace(",12199,", ",twelve,"), "value", "value"),
    (GOOD.replace(",12199,", ",-5,"), "value", "cannot be negative"),
    (GOOD.replace("2024-06-30,date", "2024-13-45,date"), "period", "not a calendar date"),
    (GOOD.replace("2024-06-30,date", "2024-Q2,date"), "period", "not in the form date needs"),
    (GOOD.replace(",date,", ",weekly,"), "period_type", "period_type"),
    (GOOD.replace(",prisoners,", ",bodies,"), "unit", "unit"),
    (GOOD.replace("Ministry of Justice,", ","), "publisher", "publisher"),
    (GOOD.replace("https://www.gov.uk/x", "gov.uk/x"), "url", "url"),
    (GOOD.replace("2024-10-25", "unknown"), "date_published", "needs the date its publication came out"),
    (GOOD.replace(",official,", ",secondary,"), "note", "how it was cross-checked"),
    (GOOD.replace(",12199,", ",[x],"), "note", "needs a note explaining it"),
    (GOOD.replace(",official,", ",hearsay,"), "source_kind", "source_kind"),
    (GOOD.replace(",prisoners,", ",percent,").replace(",12199,", ",140,"), "value", "between 0 and 100"),
])
def test_malformed_rows_are_refused_naming_file_row_and_column(tmp_path, row, column, words):
    problems = problems_for(tmp_path, f"{HEADER}\n{GOOD.replace('2024-06-30', '2024-03-31')}\n{row}\n")
    assert problems, "the bad row was accepted"
    hit = [p for p in problems if "recall_population.csv, row 3" in p]
    assert hit, problems
    if column:
        assert f"column '{column}'" in hit[0]
    assert words.lower() in hit[0].lower()


def test_duplicate_rows_are_refused(tmp_path):
    problems = problems_for(tmp_path, f"{HEADER}\n{GOOD}\n{GOOD}\n")
    assert any("row 3" in p and "primary key" in p.lower() for p in problems), problems


def test_wrong_header_is_refused(tmp_path):
    problems = problems_for(tmp_path, HEADER.replace("value", "figure") + "\n" + GOOD + "\n")
    assert problems and "row 1" in problems[0] and "header" in problems[0]


def test_unlisted_csv_is_refused(tmp_path):
    folder = one_file_package(tmp_path, f"{HEADER}\n{GOOD}\n")
    (folder / "stray.csv").write_text(HEADER + "\n")
    assert any("stray.csv" in str(p) and "not listed" in str(p) for p in validate_data(folder))


def test_loader_names_file_and_row_for_a_ragged_row(tmp_path):
    folder = one_file_package(tmp_path, f"{HEADER}\n{GOOD}\n{GOOD},extra\n")
    with pytest.raises(DataError, match=r"recall_population.csv, row 3: expected 14 fields"):
        read_series_file("recall_population", folder)


def test_loader_refuses_non_numbers_but_reads_suppression_markers(tmp_path):
    folder = one_file_package(tmp_path, f"{HEADER}\n{GOOD}\n{GOOD.replace(',12199,', ',..,').replace('2024-06-30', '2024-03-31')}\n")
    frame = read_series_file("recall_population", folder)
    assert frame["suppressed"].tolist() == [False, True]
    folder = one_file_package(tmp_path / "b", f"{HEADER}\n{GOOD.replace(',12199,', ',n/a,')}\n")
    with pytest.raises(DataError, match=r"row 2, column 'value'"):
        read_series_file("recall_population", folder)


def test_validation_never_rewrites_files(tmp_path):
    body = f"{HEADER}\n{GOOD.replace(',12199,', ',-5,')}\n"
    folder = one_file_package(tmp_path, body)
    validate_data(folder)
    assert (folder / "recall_population.csv").read_text() == body


def test_every_series_has_a_reader_facing_name_and_a_bad_names_file_is_refused(tmp_path):
    """Chart titles, tables, reasons and downloads name a series as a reader would: every series_id in a
    data file has a name in data/series_names.yml, and a name that is not text fails with the file and key."""
    import glob

    import pandas as pd

    from analysis.evidence import series_label
    from analysis.official_data import DataError, series_names
    from analysis.paths import data_dir

    names = series_names()
    held = set()
    for path in glob.glob(str(data_dir() / "*.csv")):
        frame = pd.read_csv(path, dtype=str)
        held |= set(frame["series_id"]) if "series_id" in frame else set()
    assert held and sorted(held - set(names)) == []
    assert series_label("recall_population") == "People in prison on recall"
    assert series_label("a_series_still_to_add") == "A series still to add"
    (tmp_path / "series_names.yml").write_text("recall_population: 12\n")
    with pytest.raises(DataError, match=r"series_names\.yml, column 'recall_population'"):
        series_names(tmp_path)


def test_one_figure_looked_up_by_index_is_the_figure_the_series_gives():
    from analysis.official_data import DataError, point, series, source_of, value_on

    frame = series("recall_population", "recall_population")
    for period in ("2024-06-30", "1995-06-30", "2000-06-30"):
        assert point("recall_population", "recall_population", period) == (value_on(frame, period), source_of(frame, period))
    assert point("recall_population", "recall_population", "2000-06-30") == (None, None)
    value, src = point("recall_population", "recall_population", "2024-06-30")
    src["value"] = "changed"  # a caller's copy: the index is not touched
    assert "value" not in point("recall_population", "recall_population", "2024-06-30")[1]
    with pytest.raises(DataError, match="holds no series 'no_such_series'"):
        point("recall_population", "no_such_series", "2024-06-30")
