"""The quarterly update path on a copy of the data: new periods, revisions and verdict changes."""

import json
import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from analysis.editions import read_edition
from analysis.updates import compare, format_report

from .conftest import ROOT, first_edition_only

NEW_QUARTER = ("recall_population,2026-06-30,date,12500,prisoners,Ministry of Justice,"
               "Offender Management Statistics Quarterly: April to June 2026 (test fixture),"
               "https://www.gov.uk/government/collections/offender-management-statistics-quarterly,Table 1.1,"
               "2026-10-30,2026-11-22,OGL-3.0,official,test fixture: an invented quarter for the update test")
REVISION = ("recall_population,2024-06-30,date,13000,prisoners,Ministry of Justice,"
            "Offender Management Statistics Quarterly: April to June 2025 (test fixture),"
            "https://www.gov.uk/government/collections/offender-management-statistics-quarterly,Table 1.1,"
            "2025-07-31,2026-11-22,OGL-3.0,official,test fixture: an invented revision for the update test")


@pytest.fixture
def two_versions(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    first_edition_only(shutil.copytree(ROOT / "data", old))
    first_edition_only(shutil.copytree(ROOT / "data", new))
    with open(new / "recall_population.csv", "a", encoding="utf-8") as fh:
        fh.write(NEW_QUARTER + "\n" + REVISION + "\n")
    return old, new


def test_compare_reports_new_revised_and_verdict_changes(two_versions):
    old, new = two_versions
    report = compare(read_edition(), old, new)
    assert report.new == [("recall_population", "recall_population", "2026-06-30", 12500.0)]
    assert report.revised == [("recall_population", "recall_population", "2024-06-30", 12199.0, 13000.0)]
    changed = dict((cid, (a, b)) for cid, a, b in report.verdicts)
    assert changed["recall-2024-06-12199"] == ("accurate", "understated")
    text = format_report(report)
    assert "2024-06-30: 12,199 -> 13,000" in text and "recall-2024-06-12199: accurate -> understated" in text


def test_no_change_reports_nothing(tmp_path):
    shutil.copytree(ROOT / "data", tmp_path / "a")
    report = compare(read_edition(), ROOT / "data", tmp_path / "a")
    assert report.empty and "nothing" in format_report(report)


def run(*args):
    env = {k: v for k, v in os.environ.items() if k != "ANALYSIS_DATA_DIR"}
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, env=env, cwd=ROOT)


def test_update_command_rebuilds_and_reports(two_versions, tmp_path):
    old, new = two_versions
    before = {p.name: p.read_bytes() for p in new.glob("*.csv")}
    first_edition = (new / "editions" / "2024-06.json").read_bytes()
    out = run("update", "--data", str(new), "--baseline", str(old), "--build-dir", str(tmp_path / "build"),
              "--as-of", "2026-06")
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    assert "Revised figures (1)" in out.stdout and "12,199 -> 13,000" in out.stdout
    site = tmp_path / "build" / "html"
    html = (site / "notebooks" / "recall.html").read_text()
    assert "13,000" in html
    assert "Verdict by edition</a>: accurate (2024-06) &rarr; understated (2026-06)" in html
    assert {p.name: p.read_bytes() for p in new.glob("*.csv")} == before   # raw data never rewritten
    # the new edition is recorded; the previous record is byte for byte as it was
    assert "edition 2026-06: recorded in" in out.stdout
    assert (new / "editions" / "2024-06.json").read_bytes() == first_edition
    record = json.loads((new / "editions" / "2026-06.json").read_text(encoding="utf-8"))
    recall = [(f["period"], f["value"]) for f in record["new_figures"] if f["series"] == "recall_population"]
    assert recall[-1] == ("2026-06-30", 12500) and recall[0][0] == "2024-09-30"   # newly in reach since 2024-06
    assert {v["id"]: v["new"] for v in record["verdicts_changed"]}["recall-2024-06-12199"] == "understated"
    editions = (site / "book" / "editions.html").read_text()
    assert "Edition 2026-06" in editions and "12,199 &rarr; 13,000" in editions and "12,500" in editions
    assert 'href="claims-register.html#register-recall-2024-06-12199"' in editions
    assert "This is edition 2026-06, which reports official data up to June 2026" in (site / "book" / "index.html").read_text()


def test_update_refuses_to_rewrite_an_edition_and_publishes_a_correction(two_versions, tmp_path):
    old, new = two_versions
    first_edition = (new / "editions" / "2024-06.json").read_bytes()
    out = run("update", "--data", str(new), "--baseline", str(old), "--build-dir", str(tmp_path / "build"),
              "--as-of", "2024-06")
    assert out.returncode == 1
    assert "2024-06.json already records edition 2024-06 with different content" in out.stderr
    assert "never rewritten" in out.stderr and "--as-of" in out.stderr
    assert (new / "editions" / "2024-06.json").read_bytes() == first_edition
    assert sorted(p.name for p in (new / "editions").glob("*.json")) == ["2024-06.json"]
    assert not (tmp_path / "build" / "html").exists()
    # the same change, published as a correction to the released edition: accepted, the record untouched
    out = run("update", "--data", str(new), "--baseline", str(old), "--no-build", "--as-of", "2024-06", "--correction",
              "the June 2024 figure was revised", "--corrected-on", "2026-12-05")
    assert out.returncode == 0, out.stderr
    assert "edition 2024-06: correction published in" in out.stdout and "the June 2024 figure was revised" in out.stdout
    assert "Revised figures" in out.stdout
    assert (new / "editions" / "2024-06.json").read_bytes() == first_edition
    entries = json.loads((new / "editions" / "corrections" / "2024-06.json").read_text())
    assert entries[-1]["date"] == "2026-12-05" and entries[-1]["figures"]


def test_update_with_bad_data_changes_nothing(two_versions, tmp_path):
    old, new = two_versions
    with open(new / "recall_population.csv", "a", encoding="utf-8") as fh:
        fh.write(NEW_QUARTER.replace("2026-06-30,date,12500", "2026-09-30,date,lots") + "\n")
    before = (new / "recall_population.csv").read_bytes()
    out = run("update", "--data", str(new), "--baseline", str(old), "--build-dir", str(tmp_path / "build"))
    assert out.returncode == 1
    assert "recall_population.csv, row" in out.stdout and "column 'value'" in out.stdout
    assert not (tmp_path / "build" / "html").exists()
    assert (new / "recall_population.csv").read_bytes() == before


def test_every_row_in_the_data_carries_its_provenance():
    import csv

    for path in sorted((ROOT / "data").glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            for number, row in enumerate(csv.DictReader(fh), start=2):
                for column in ("publisher", "publication", "url", "table_ref", "date_published", "date_accessed",
                               "licence", "source_kind"):
                    assert row[column].strip(), f"{path.name} row {number} has no {column}"
                assert row["url"].startswith(("http://", "https://")), f"{path.name} row {number}"


def test_periods_after_as_of_name_the_later_figures():
    from analysis.periods import period_start
    from analysis.updates import periods_after_as_of

    assert period_start("2015-16", "financial_year") == pd.Timestamp("2015-04-01")
    assert period_start("2024-Q3", "quarter") == pd.Timestamp("2024-07-01")
    assert period_start("2024-06", "year_ending") == pd.Timestamp("2023-07-01")
    assert period_start("2024-09-10/2025-06-30", "date_range") == pd.Timestamp("2024-09-10")
    later = periods_after_as_of("2024-06", ROOT / "data")
    assert ("recall_population.csv", "recall_population", "2024-09-30") in later
    assert ("recall_population.csv", "recall_population", "2024-06-30") not in later
    assert periods_after_as_of("2099-12", ROOT / "data") == []


def test_committed_data_reads_git_not_the_working_tree(tmp_path):
    from analysis.updates import baseline_data, committed_data

    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "data", repo / "data")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "data"], check=True)
    subprocess.run([*git, "commit", "-qm", "data"], check=True)
    committed = (repo / "data" / "recall_population.csv").read_bytes()
    with open(repo / "data" / "recall_population.csv", "a", encoding="utf-8") as fh:
        fh.write(NEW_QUARTER + "\n")
    out = committed_data(tmp_path / "baseline", root=repo)
    assert (out / "recall_population.csv").read_bytes() == committed
    assert sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file()) == \
        sorted(p.relative_to(repo / "data") for p in (repo / "data").rglob("*") if p.is_file())
    report = compare(read_edition(), out, repo / "data")
    assert report.new == [("recall_population", "recall_population", "2026-06-30", 12500.0)]
    with baseline_data(tmp_path / "baseline") as given:
        assert given == tmp_path / "baseline"


def test_update_reports_the_same_changes_however_often_it_runs(two_versions):
    _, new = two_versions
    # --no-edition: the data changed under an as_of already recorded (an edition is never rewritten)
    first = run("update", "--data", str(new), "--no-build", "--no-edition")
    second = run("update", "--data", str(new), "--no-build", "--no-edition")
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    assert first.stdout == second.stdout
    assert "recall_population.csv  recall_population  2026-06-30: 12,500" in first.stdout
    assert "2024-06-30: 12,199 -> 13,000" in first.stdout
