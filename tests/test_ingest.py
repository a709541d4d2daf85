"""`python -m analysis ingest`: the real OMSQ recall workbook, malformed copies, .ods, and a quarterly update."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import yaml

from analysis.ingest import IngestError, parse_period, read_file, read_workbook, split_notes
from analysis.editions import read_edition
from analysis.updates import compare, format_report
from analysis.validation import validate_data

from .conftest import ROOT, first_edition_only
from .ods import write_ods

RAW = ROOT / "data" / "raw" / "omsq-recalls" / "2024Q1"
WORKBOOK = RAW / "Tables_2024Q1.xlsx"
#: A second real edition in another layout: no Cover and no Notes sheet, no Table 1, five quarters from 2022 Q4.
WORKBOOK_2023Q4 = ROOT / "data" / "raw" / "omsq-recalls" / "2023Q4" / "Tables_2023Q4.xlsx"


def run(*args):
    env = {k: v for k, v in os.environ.items() if k != "ANALYSIS_DATA_DIR"}
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, env=env, cwd=ROOT)


def ingested(file, data):
    """`ingest FILE --data DATA`, run in this process (the command line itself is tested by the dry runs)."""
    from types import SimpleNamespace

    from analysis.ingest import ingest

    out, err = io.StringIO(), io.StringIO()
    code = ingest(file, data=data, out=out, err=err)
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def values(rows, series_id):
    return {r["period"]: r["value"] for r in rows if r["series_id"] == series_id}


def with_source(path: Path, **changes) -> Path:
    """Write a source.yml beside `path`: the real workbook's metadata with this file's checksum."""
    meta = yaml.safe_load((RAW / "source.yml").read_text(encoding="utf-8"))
    meta.update({"sha256": hashlib.sha256(path.read_bytes()).hexdigest(), **changes})
    (path.parent / "source.yml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    return path


def without_workbook_rows(folder: Path) -> Path:
    """Drop any rows already ingested from the workbook, so a test starts from the data as it was before."""
    url = yaml.safe_load((RAW / "source.yml").read_text(encoding="utf-8"))["url"]
    for path in folder.glob("*.csv"):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if url not in line]
        if len(kept) != len(lines):
            path.write_text("".join(kept), encoding="utf-8")
    return folder


def edited_copy(tmp_path: Path, edit, name="Tables_bad.xlsx", **changes) -> Path:
    """A copy of the real workbook changed by `edit(workbook)` with openpyxl, with matching source metadata."""
    book = openpyxl.load_workbook(WORKBOOK)
    edit(book)
    folder = tmp_path / name.split(".")[0]
    folder.mkdir()
    book.save(folder / name)
    return with_source(folder / name, **changes)


# ---------------------------------------------------------------- small pieces

@pytest.mark.parametrize("heading, expected", [
    ("Jan to Mar 2024", ("2024-Q1", "quarter", "")),
    ("Oct to Dec 2023", ("2023-Q4", "quarter", "")),
    ("Recalled in Jan to Mar 2024 returned by 30 Jun 2024", ("2024-Q1", "quarter", "returned by 30 Jun 2024")),
    ("Recall period Oct to Dec 2022 status on 31 Mar 2023", ("2022-Q4", "quarter", "status on 31 Mar 2023")),
    ("31 Mar 2024", ("2024-03-31", "date", "")),
    ("30 June 2024", ("2024-06-30", "date", "")),
    ("January to March 2024", ("2024-Q1", "quarter", "")),
    ("Jan-Mar 2024", ("2024-Q1", "quarter", "")),
    ("Jul - Sep 2025 [r]", ("2025-Q3", "quarter", "")),
    ("2024 Q1", ("2024-Q1", "quarter", "")),
    ("Q4 2023", ("2023-Q4", "quarter", "")),
    ("2025Q2 (p)", ("2025-Q2", "quarter", "")),
    ("31-Mar-2024", ("2024-03-31", "date", "")),
    ("31/03/2024", ("2024-03-31", "date", "")),
    ("2024-03-31 00:00:00", ("2024-03-31", "date", "")),
    (dt.datetime(2025, 9, 30), ("2025-09-30", "date", "")),
    ("At 30 September 2025", ("2025-09-30", "date", "")),
])
def test_period_headings_become_the_books_periods(heading, expected):
    assert parse_period(heading) == expected


@pytest.mark.parametrize("heading", ["Feb to Apr 2024", "Jan to Mar", "31 Feb 2024", "Quarter 1 2024", "Sex",
                                     "Q5 2024", "2024 Q0", "31/13/2024", "2024-02-30"])
def test_headings_that_name_no_period_are_not_guessed(heading):
    assert parse_period(heading) is None


def test_note_markers_are_stripped_and_kept():
    assert split_notes("Recall [note 2] [note 10]") == ("Recall", ["note 2", "note 10"])
    assert split_notes("All recalls") == ("All recalls", [])


# ---------------------------------------------------------------- the real workbook

def test_the_committed_workbook_is_the_one_its_metadata_describes():
    meta = yaml.safe_load((RAW / "source.yml").read_text(encoding="utf-8"))
    assert hashlib.sha256(WORKBOOK.read_bytes()).hexdigest() == meta["sha256"]
    assert meta["commit"] == "23d40e27b09fe6010825bcb6ef81ef4cca915c19" and meta["source_kind"] == "secondary"
    assert not WORKBOOK.read_bytes().startswith(b"version https://git-lfs")


def test_dry_run_prints_quarterly_recalls_and_reason_counts_and_writes_nothing():
    before = {p.name: p.read_bytes() for p in (ROOT / "data").glob("*.csv")}
    out = run("ingest", str(WORKBOOK), "--dry-run")
    assert out.returncode == 0, out.stderr
    rows = rows_of(out.stdout)
    assert {"series_id", "period", "value"} <= set(rows[0])
    assert values(rows, "licence_recalls") == {"2023-Q1": "6824", "2023-Q2": "6814", "2023-Q3": "7030",
                                               "2023-Q4": "7152", "2024-Q1": "7415"}
    assert values(rows, "recall_reason_count_non_compliance")["2024-Q1"] == "5808"
    assert values(rows, "recall_reason_count_further_charge") == {"2023-Q1": "1977", "2023-Q2": "1883",
                                                                  "2023-Q3": "1815", "2023-Q4": "1835",
                                                                  "2024-Q1": "1942"}
    assert values(rows, "recall_reason_count_hdc_equipment_tamper")["2023-Q1"] == "2"
    # shares of recalls: count / recalls x 100
    assert values(rows, "recall_reason_non_compliance")["2024-Q1"] == "78.3"      # 5808 / 7415
    assert values(rows, "recall_reason_failed_to_reside")["2023-Q1"] == "26.3"    # 1792 / 6824
    one = next(r for r in rows if r["series_id"] == "licence_recalls" and r["period"] == "2024-Q1")
    assert one["table_ref"].startswith("Table 2, row 6") and one["table_ref"].endswith("cell H6")
    assert one["source_kind"] == "secondary" and one["licence"] == "OGL-3.0" and one["date_published"] == "2024-07-24"
    assert "603e64e43fc3426da6408c5f7631d6ea8eae236508008e1177151c637889b675" in one["note"]
    assert "note 1" in one["note"]                       # the title's [note 1], stripped from the label
    assert one["change"] == "held"                       # equals the official row already held
    assert {p.name: p.read_bytes() for p in (ROOT / "data").glob("*.csv")} == before


def test_the_workbook_totals_match_the_official_rows_held():
    """Cross-check: every quarter for which data/ holds an official total equals the workbook's Table 2."""
    read = values(read_file(WORKBOOK), "licence_recalls")
    url = yaml.safe_load((RAW / "source.yml").read_text(encoding="utf-8"))["url"]
    with open(ROOT / "data" / "licence_recalls.csv", encoding="utf-8", newline="") as fh:
        held = [r for r in csv.DictReader(fh) if r["series_id"] == "licence_recalls" and r["period"] in read
                and r["url"] != url]
    official = {r["period"]: r["value"] for r in held if r["source_kind"] == "official"}
    secondary = {r["period"]: r["value"] for r in held if r["source_kind"] == "secondary"}
    assert official == {"2024-Q1": "7415"}
    assert {p: (v, read[p]) for p, v in official.items() if v != read[p]} == {}            # no mismatch
    assert {p: (v, read[p]) for p, v in secondary.items() if v != read[p]} == {}           # 2023-Q1, Q2, Q4 agree
    assert set(secondary) == {"2023-Q1", "2023-Q2", "2023-Q4"}


def test_an_ods_copy_reads_the_same_as_the_xlsx(tmp_path):
    ods = write_ods(tmp_path / "Tables_2024Q1.ods", read_workbook(WORKBOOK))
    with_source(ods)
    key = lambda rows: sorted((r["series_id"], r["period"], r["value"]) for r in rows)  # noqa: E731
    assert key(read_file(ods)) == key(read_file(WORKBOOK))


def test_a_second_real_edition_without_cover_or_notes_reads_by_its_titles():
    """The October to December 2023 draft: only a Contents sheet, Tables 2 to 12, quarters 2022 Q4 to 2023 Q4."""
    grids = read_workbook(WORKBOOK_2023Q4)
    assert "Cover" not in grids and "Notes" not in grids and "Table 1" not in grids
    meta = yaml.safe_load((WORKBOOK_2023Q4.parent / "source.yml").read_text(encoding="utf-8"))
    assert hashlib.sha256(WORKBOOK_2023Q4.read_bytes()).hexdigest() == meta["sha256"]
    out = run("ingest", str(WORKBOOK_2023Q4), "--dry-run")
    assert out.returncode == 0, out.stderr
    rows = rows_of(out.stdout)
    assert values(rows, "licence_recalls") == {"2022-Q4": "6092", "2023-Q1": "6824", "2023-Q2": "6814",
                                               "2023-Q3": "7030", "2023-Q4": "7152"}
    assert values(rows, "recall_reason_count_non_compliance")["2022-Q4"] == "4378"
    assert values(rows, "recall_reason_non_compliance")["2022-Q4"] == "71.9"        # 4378 / 6092
    # the dry run says what it would add: the one quarter not held yet, and nothing else
    assert {(r["series_id"], r["period"]) for r in rows if r["change"] == "new"} == {
        (r["series_id"], "2022-Q4") for r in rows}
    assert {r["change"] for r in rows if r["period"] != "2022-Q4"} == {"held"}
    assert "Added (25 new figures):" in out.stderr or "Added (25 new figures):" in out.stdout
    # cross-check: every figure of the four quarters both drafts hold is the same in both
    later = {(r["series_id"], r["period"]): r["value"] for r in read_file(WORKBOOK)}
    both = {(r["series_id"], r["period"]): r["value"] for r in rows if (r["series_id"], r["period"]) in later}
    assert len(both) == 100 and {k: (v, later[k]) for k, v in both.items() if v != later[k]} == {}


# ---------------------------------------------------------------- refusals

def refused(path: Path, data: Path | None = None):
    args = ["ingest", str(path), *(["--data", str(data)] if data else ["--dry-run"])]
    out = run(*args)
    assert out.returncode == 1, out.stdout + out.stderr
    assert out.stdout == "" and "nothing written" in out.stderr
    return out.stderr


def test_a_moved_header_is_refused_with_file_sheet_and_cell(tmp_path):
    bad = edited_copy(tmp_path, lambda b: b["Table 10"].insert_rows(5))
    assert f"{bad}, sheet 'Table 10', cell A5: blank row above the header" in refused(bad)


def test_a_changed_header_is_refused_with_its_cell(tmp_path):
    def edit(book):
        book["Table 2"]["A5"] = "Gender"
        book["Table 2"]["A5"], book["Table 2"]["B5"] = "Sex", "Sentence"
    bad = edited_copy(tmp_path, edit)
    assert "sheet 'Table 2', cell B5: header moved or changed: expected 'Sentence type', found 'Sentence'" in refused(bad)


def test_an_unreadable_period_heading_is_refused(tmp_path):
    bad = edited_copy(tmp_path, lambda b: b["Table 2"].__setitem__("H5", "Latest quarter"))
    assert "sheet 'Table 2', cell H5: header moved or changed: 'Latest quarter'" in refused(bad)


def test_a_value_that_is_no_number_is_refused(tmp_path):
    bad = edited_copy(tmp_path, lambda b: b["Table 2"].__setitem__("H6", "about 7,400"))
    assert "sheet 'Table 2', cell H6: 'about 7,400' is neither a number nor a suppression marker" in refused(bad)


def test_a_missing_table_is_refused(tmp_path):
    bad = edited_copy(tmp_path, lambda b: b.remove(b["Table 10"]))
    err = refused(bad)
    assert f"{bad}, cell A1: missing table" in err and "reason for recall" in err


def test_an_unknown_layout_is_refused(tmp_path):
    def edit(book):
        for name in book.sheetnames[3:]:
            book[name]["A1"] = "Something else entirely"
    bad = edited_copy(tmp_path, edit)
    err = refused(bad)
    assert f"{bad}, sheet 'Table 1', cell A1: unknown layout: no sheet's title (cell A1) matches" in err
    assert "sheets found: Cover, Contents, Notes, Table 1," in err


def test_cover_and_notes_sheets_are_not_required(tmp_path):
    copy = edited_copy(tmp_path, lambda b: (b.remove(b["Cover"]), b.remove(b["Notes"])))
    key = lambda rows: sorted((r["series_id"], r["period"], r["value"]) for r in rows)  # noqa: E731
    assert key(read_file(copy)) == key(read_file(WORKBOOK))


def test_a_file_that_is_not_the_one_described_is_refused(tmp_path, data_copy):
    bad = edited_copy(tmp_path, lambda b: b["Table 2"].__setitem__("H6", 7416))
    with_source(bad, sha256="0" * 64)
    before = (data_copy / "licence_recalls.csv").read_bytes()
    assert "differs from the sha256" in refused(bad, data_copy)
    assert (data_copy / "licence_recalls.csv").read_bytes() == before


def test_suppression_markers_are_kept_as_explicit_missing_values(tmp_path):
    def edit(book):
        book["Table 10"]["H16"] = "[c]"     # HDC - Equipment Tamper, Jan to Mar 2024
        book["Table 10"]["G16"] = ".."
    rows = read_file(edited_copy(tmp_path, edit))
    tamper = [r for r in rows if r["series_id"] == "recall_reason_count_hdc_equipment_tamper"]
    got = {r["period"]: (r["value"], r["note"].split(";")[1].strip() if r["value"] in ("[c]", "..") else "")
           for r in tamper}
    assert got["2024-Q1"] == ("[c]", "marker [c] in the source: confidential (disclosure control)")
    assert got["2023-Q4"] == ("..", "marker .. in the source: not available")
    assert values(rows, "recall_reason_hdc_equipment_tamper").keys() == {"2023-Q1", "2023-Q2", "2023-Q3"}


# ---------------------------------------------------------------- another publication, in .ods

PRISON_POPULATION = {  # a test fixture in the layout of OMSQ prison population Table 1.1 (values invented)
    "Cover": [["Prison population: 30 June 2026 (test fixture)"]],
    "Contents": [["Contents"], ["This worksheet contains one table."]],
    "Notes": [["Notes"], ["This worksheet contains one table."], ["Note", "Description"],
              ["[note 2]", "Recall: offenders recalled to custody after release on licence."]],
    "Table 1.1": [
        ["Table 1.1: Prison population by type of custody, England and Wales [note 1]"],
        ["This worksheet contains one table."],
        ["Source: Prison NOMIS"],
        ["Custody type", "31 Mar 2026", "30 Jun 2026"],
        ["All prisoners", 88000, 88500],
        ["Remand", "[x]", 17100],
        ["Recall [note 2]", 12700, "[c]"],
    ],
}


def test_another_publication_in_ods(tmp_path):
    ods = write_ods(tmp_path / "prison_population_2026Q2.ods", PRISON_POPULATION)
    with_source(ods, title="Offender Management Statistics Quarterly: prison population (test fixture)")
    out = run("ingest", str(ods), "--dry-run")
    assert out.returncode == 0, out.stderr
    rows = rows_of(out.stdout)
    assert values(rows, "recall_population") == {"2026-03-31": "12700", "2026-06-30": "[c]"}
    assert values(rows, "prison_population_remand") == {"2026-03-31": "[x]", "2026-06-30": "17100"}
    recall = next(r for r in rows if r["series_id"] == "recall_population" and r["period"] == "2026-03-31")
    assert recall["file"] == "recall_population.csv" and recall["period_type"] == "date"
    assert recall["table_ref"].startswith("Table 1.1, row 7 (Recall)") and "note 1, note 2" in recall["note"]
    with open(ROOT / "data" / "recall_population.csv", encoding="utf-8", newline="") as fh:
        held = {r["value"] for r in csv.DictReader(fh) if r["period"] == "2026-03-31"}
    assert recall["change"] == ("held" if "12700" in held else "revised" if held else "new")


CASELOAD = {  # a test fixture in the layout of the OMSQ probation caseload table, no Cover sheet (values invented)
    "Contents": [["Contents"]],
    "Table 6.1": [
        ["Table 6.1: Offenders under Probation Service supervision (caseload) by type of supervision, "
         "England and Wales [note 1]"],
        ["This worksheet contains one table."],
        ["Source: nDelius"],
        ["Type of supervision", "31 Dec 2025", "31 Mar 2026 [r]"],
        ["All offenders", 240000, 241000],
        ["Court orders", 150000, "[x]"],
        ["Pre-release", 60000, 61000],
        ["Post-release", 70000, 70500],
    ],
}


def test_the_probation_caseload_by_type_in_ods_without_a_cover_sheet(tmp_path):
    ods = write_ods(tmp_path / "probation_2026Q1.ods", CASELOAD)
    with_source(ods, title="Offender Management Statistics Quarterly: probation (test fixture)")
    rows = read_file(ods)
    assert values(rows, "probation_caseload_total") == {"2025-12-31": "240000", "2026-03-31": "241000"}
    assert values(rows, "probation_caseload_court_orders") == {"2025-12-31": "150000", "2026-03-31": "[x]"}
    assert values(rows, "probation_caseload_pre_release")["2026-03-31"] == "61000"
    assert values(rows, "probation_caseload_post_release")["2025-12-31"] == "70000"
    one = next(r for r in rows if r["series_id"] == "probation_caseload_pre_release")
    assert one["_file"] == "probation_caseload" and one["unit"] == "people" and one["period_type"] == "date"
    assert one["table_ref"].startswith("Table 6.1, row 7 (Pre-release), cell B7")


def test_a_caseload_table_missing_a_type_is_refused_with_its_cell(tmp_path):
    grids = {**CASELOAD, "Table 6.1": [r for r in CASELOAD["Table 6.1"] if r[0] != "Pre-release"]}
    ods = write_ods(tmp_path / "probation_bad.ods", grids)
    with_source(ods)
    with pytest.raises(IngestError, match=r"sheet 'Table 6.1', cell A4: no data row with Type of supervision = "
                                          r"'Pre-release'"):
        read_file(ods)


# ---------------------------------------------------------------- the quarterly path

def test_a_quarterly_update_from_a_spreadsheet(tmp_path, data_copy):
    """Ingest the workbook into a copy of data/, then a later edition that revises a past quarter; report both."""
    first_edition_only(data_copy)
    before = without_workbook_rows(shutil.copytree(data_copy, tmp_path / "before"))
    without_workbook_rows(data_copy)
    out = ingested(WORKBOOK, data_copy)
    assert out.returncode == 0, out.stderr
    assert "licence_recalls.csv  licence_recalls  2023-Q3: 7030" in out.stdout
    assert "recall_reasons.csv  recall_reason_count_non_compliance  2024-Q1: 5808" in out.stdout
    assert "recall_reason_non_compliance  2023-Q1: 37.1 -> 74" in out.stdout   # the held 37.1 was a share of reasons
    assert validate_data(data_copy) == []
    again = ingested(WORKBOOK, data_copy)
    assert "Added (0 new figures)" in again.stdout                              # nothing appended twice

    # a later edition revises Oct to Dec 2023 (cell G6 of Table 2): a new row beside the old one
    later = edited_copy(tmp_path, lambda b: b["Table 2"].__setitem__("G6", 7160), name="Tables_2024Q2.xlsx",
                        title="OMSQ licence recall tables, April to June 2024 (test edition)",
                        date_published="2024-10-31")
    lines_before = (data_copy / "licence_recalls.csv").read_text(encoding="utf-8").splitlines()
    out = ingested(later, data_copy)
    assert out.returncode == 0, out.stderr
    assert "licence_recalls  2023-Q4: 7152 -> 7160" in out.stdout
    lines_after = (data_copy / "licence_recalls.csv").read_text(encoding="utf-8").splitlines()
    assert lines_after[:len(lines_before)] == lines_before                      # never overwrites
    held = [r for r in csv.DictReader(io.StringIO("\n".join(lines_after)))
            if r["series_id"] == "licence_recalls" and r["period"] == "2023-Q4"]
    assert sorted(r["value"] for r in held) == ["7152", "7160"]

    report = compare(read_edition(), before, data_copy)
    assert ("licence_recalls", "licence_recalls", "2023-Q3", 7030.0) in report.new
    assert ("licence_recalls", "licence_recalls", "2023-Q4", 7152.0, 7160.0) in report.revised
    # a new quarter is a new edition: as_of moves forward, and the earlier edition's record stays as it was
    first_edition = (data_copy / "editions" / "2024-06.json").read_bytes()
    update = run("update", "--data", str(data_copy), "--baseline", str(before), "--no-build", "--as-of", "2024-09")
    assert update.returncode == 0, update.stderr
    assert (data_copy / "editions" / "2024-09.json").is_file()
    assert (data_copy / "editions" / "2024-06.json").read_bytes() == first_edition
    assert "licence_recalls.csv  licence_recalls  2023-Q3: 7,030" in update.stdout
    assert "licence_recalls.csv  licence_recalls  2023-Q4: 7,152 -> 7,160" in update.stdout
    assert "recall_reasons.csv  recall_reason_count_non_compliance  2024-Q1: 5,808" in update.stdout
    assert format_report(report) in update.stdout
    # the Jan to Mar 2023 ... Jul to Sep 2023 quarters settle a claim that needed 2023-Q3 as its base
    assert "flows-2024q3-up-42pct: cannot be verified -> accurate" in update.stdout


def test_ingest_refuses_data_that_would_not_validate(tmp_path, data_copy):
    # the reason counts map to recall_reasons.csv; without it the series has nowhere to go
    (data_copy / "recall_reasons.csv").unlink()
    before = (data_copy / "licence_recalls.csv").read_bytes()
    assert "recall_reasons.csv: data file not found" in refused(WORKBOOK, data_copy)
    assert (data_copy / "licence_recalls.csv").read_bytes() == before


def test_ingest_error_names_the_place():
    assert str(IngestError("f.xlsx", "Table 2", "B5", "bad")) == "f.xlsx, sheet 'Table 2', cell B5: bad"
