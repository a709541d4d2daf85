"""The gauntlet: malformed and wrong input of every kind, each refused (or flagged) naming where.

Most cases break one thing in a scratch copy of data/ (or of params.yml) and call the one
validation directly; a few go through the command line (no traceback may reach the user) or
a real build (the last good site must survive, and restored data must be published).
After every case the scratch copy is byte-identical to what it was before validation ran,
and the repository's data/ is untouched by the whole module.
"""

from __future__ import annotations

import re
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.params import check_params
from analysis.params import load_chapters
from analysis.validation import validate_all

from .conftest import ROOT

TODAY_SAFE_FUTURE = "2099-06-30"


def tree_digest(folder: Path) -> str:
    """Hash of every file's name and bytes below a folder."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module", autouse=True)
def repository_data_untouched():
    before = tree_digest(ROOT / "data")
    yield
    assert tree_digest(ROOT / "data") == before, "the gauntlet changed data/"


# ---------------------------------------------------------------------------------------------
# Editing helpers: each returns nothing and changes one thing in the scratch folder.

RECALL = "recall_population.csv"
OFFICIAL_ROW = None  # filled lazily: the line number of the official 2024-06-30 recall row


def lines_of(folder: Path, name: str) -> list[str]:
    return (folder / name).read_text(encoding="utf-8").splitlines(keepends=True)


def official_recall_line(folder: Path) -> int:
    """1-based line number (= spreadsheet row) of the official recall row for 2024-06-30."""
    for number, line in enumerate(lines_of(folder, RECALL), start=1):
        if line.startswith("recall_population,2024-06-30,") and ",official," in line:
            return number
    raise AssertionError("fixture row missing")


def edit_cell(folder: Path, column: str, value: str, name: str = RECALL, row: int | None = None) -> int:
    """Set one cell of one row (default: the official recall row for 2024-06-30); return the row number."""
    import csv
    import io

    row = row or official_recall_line(folder)
    lines = lines_of(folder, name)
    header = next(csv.reader([lines[0]]))
    cells = next(csv.reader([lines[row - 1]]))
    cells[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    lines[row - 1] = out.getvalue()
    (folder / name).write_text("".join(lines), encoding="utf-8")
    return row


def append_copy(folder: Path, changes: dict[str, str], name: str = RECALL) -> int:
    """Append a copy of the official recall row with some cells changed; return its row number."""
    import csv
    import io

    lines = lines_of(folder, name)
    header = next(csv.reader([lines[0]]))
    cells = next(csv.reader([lines[official_recall_line(folder) - 1]]))
    for column, value in changes.items():
        cells[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    text = "".join(lines)
    (folder / name).write_text(text + ("" if text.endswith("\n") else "\n") + out.getvalue(), encoding="utf-8")
    return len(lines) + 1


def replace_text(folder: Path, name: str, old: str, new: str, count: int = 1) -> None:
    text = (folder / name).read_text(encoding="utf-8")
    assert old in text, (name, old)
    (folder / name).write_text(text.replace(old, new, count), encoding="utf-8")


def cut_inside_quotes(folder: Path) -> int:
    """Cut the file off inside a quoted field, as an interrupted download would."""
    text = (folder / RECALL).read_text(encoding="utf-8")
    at = text.index(',"Bromley') + 6
    (folder / RECALL).write_text(text[:at], encoding="utf-8")
    return text[:at].count("\n") + 1


def unclosed_quote(folder: Path) -> int:
    """Open a quote in the middle of the file and never close it on that line."""
    lines = lines_of(folder, RECALL)
    assert ",text," in lines[1]
    lines[1] = lines[1].replace(",text,", ',"text,', 1)
    (folder / RECALL).write_text("".join(lines), encoding="utf-8")
    return 2


def latin1(folder: Path) -> int:
    row = official_recall_line(folder)
    edit_cell(folder, "note", "Caf\u00e9 figure")
    raw = (folder / RECALL).read_bytes().replace("Caf\u00e9".encode(), "Caf\u00e9".encode("latin-1"))
    (folder / RECALL).write_bytes(raw)
    return row


def schema_type(folder: Path) -> None:
    schema = json.loads((folder / "schemas/series.json").read_text())
    schema["fields"][3]["type"] = "integer"
    (folder / "schemas/series.json").write_text(json.dumps(schema))


def conflicting_official(folder: Path) -> int:
    return append_copy(folder, {"value": "13500", "publication": "Another bulletin, same day"})


def jump(folder: Path) -> int:
    return edit_cell(folder, "value", "1219900")


def claim_edit(old: str, new: str, name: str = "claims/community-sentences.yml"):
    return lambda folder: replace_text(folder, name, old, new)


# Each case: id, the change, the file named, the place named (row/column/key text), words in the
# message, and whether it is an error (refused) or a warning (flagged).
CASES = [
    # form of the files
    ("truncated-in-quoted-field", cut_inside_quotes, RECALL, "row", "cut off", "error"),
    ("unclosed-quote-mid-file", unclosed_quote, RECALL, "row 2", "", "error"),
    ("byte-order-mark", lambda f: (f / RECALL).write_bytes(b"\xef\xbb\xbf" + (f / RECALL).read_bytes()), RECALL, "row 1", "byte-order mark", "error"),
    ("header-only", lambda f: (f / RECALL).write_text(lines_of(f, RECALL)[0]), RECALL, "row 1", "no rows", "error"),
    ("empty-file", lambda f: (f / RECALL).write_text(""), RECALL, RECALL, "empty", "error"),
    ("latin-1-text", latin1, RECALL, "row", "not UTF-8", "error"),
    ("schema-type-changed", schema_type, "series.json", "fields[3].type", "integer", "error"),
    ("schema-not-json", lambda f: (f / "schemas/series.json").write_text("{fields: ["), "series.json", "line 1", "not valid JSON", "error"),
    ("datapackage-not-json", lambda f: replace_text(f, "datapackage.json", '"resources"', "resources"), "datapackage.json", "line 23", "not valid JSON", "error"),
    ("datapackage-missing-file", lambda f: replace_text(f, "datapackage.json", '"recall_population.csv"', '"recalls.csv"'), "datapackage.json", "resources[", "does not exist", "error"),
    ("unlisted-csv", lambda f: (f / "stray.csv").write_text("a,b\n1,2\n"), "stray.csv", "stray.csv", "not listed", "error"),
    ("wrong-header", lambda f: replace_text(f, RECALL, "series_id,period,", "series,period,"), RECALL, "row 1", "header", "error"),
    ("ragged-row", lambda f: edit_cell(f, "value", "12,199") and replace_text(f, RECALL, '"12,199"', "12,199"), RECALL, "row", "", "error"),
    # values and provenance against the schema
    ("value-as-words", lambda f: edit_cell(f, "value", "twelve thousand"), RECALL, "column 'value'", "", "error"),
    ("negative-count", lambda f: edit_cell(f, "value", "-5"), RECALL, "column 'value'", "cannot be negative", "error"),
    ("percent-over-100", lambda f: edit_cell(f, "value", "140", "recall_reasons.csv", row=2), "recall_reasons.csv", "column 'value'", "between 0 and 100", "error"),
    ("impossible-date", lambda f: edit_cell(f, "period", "2024-13-45"), RECALL, "column 'period'", "not a calendar date", "error"),
    ("period-wrong-form", lambda f: edit_cell(f, "period", "2024-Q2"), RECALL, "column 'period'", "not in the form", "error"),
    ("unknown-period-type", lambda f: edit_cell(f, "period_type", "weekly"), RECALL, "column 'period_type'", "", "error"),
    ("unit-not-in-schema", lambda f: edit_cell(f, "unit", "bodies"), RECALL, "column 'unit'", "", "error"),
    ("missing-publisher", lambda f: edit_cell(f, "publisher", ""), RECALL, "column 'publisher'", "required", "error"),
    ("url-without-scheme", lambda f: edit_cell(f, "url", "www.gov.uk/x"), RECALL, "column 'url'", "", "error"),
    ("official-undated", lambda f: edit_cell(f, "date_published", "unknown"), RECALL, "column 'date_published'", "needs the date", "error"),
    ("secondary-without-note", lambda f: edit_cell(f, "note", "", row=3), RECALL, "column 'note'", "cross-checked", "error"),
    ("suppressed-without-note", lambda f: edit_cell(f, "value", "[x]") and edit_cell(f, "note", ""), RECALL, "column 'note'", "explaining", "error"),
    ("unknown-source-kind", lambda f: edit_cell(f, "source_kind", "hearsay"), RECALL, "column 'source_kind'", "", "error"),
    ("duplicate-row", lambda f: append_copy(f, {}), RECALL, "row", "primary key", "error"),
    # meaning
    ("series-id-typo", lambda f: edit_cell(f, "series_id", "recall_populaton"), RECALL, "column 'series_id'", "unknown series", "error"),
    ("valid-but-wrong-unit", lambda f: edit_cell(f, "unit", "people"), RECALL, "column 'unit'", "published in prisoners", "error"),
    ("url-placeholder", lambda f: edit_cell(f, "url", "http://TODO"), RECALL, "column 'url'", "placeholder", "error"),
    ("url-prose", lambda f: edit_cell(f, "url", "https://see the MoJ website"), RECALL, "column 'url'", "not a web address", "error"),
    ("published-after-accessed", lambda f: edit_cell(f, "date_accessed", "2024-10-01"), RECALL, "column 'date_published'", "after it was accessed", "error"),
    ("published-in-future", lambda f: edit_cell(f, "date_published", "2099-01-01"), RECALL, "column 'date_published'", "in the future", "error"),
    ("accessed-in-future", lambda f: edit_cell(f, "date_accessed", "2099-01-01"), RECALL, "column 'date_accessed'", "in the future", "error"),
    ("future-period", lambda f: append_copy(f, {"period": TODAY_SAFE_FUTURE}), RECALL, "column 'period'", "in the future", "error"),
    ("licence-all-rights-reserved", lambda f: edit_cell(f, "licence", "all rights reserved"), RECALL, "column 'licence'", "not one the book can republish", "error"),
    ("official-licence-unknown", lambda f: edit_cell(f, "licence", "unknown"), RECALL, "column 'licence'", "needs its licence", "error"),
    ("conflicting-official-values", conflicting_official, RECALL, "column 'value'", "two official values", "error"),
    ("value-100-times-too-large", jump, RECALL, "column 'value'", "far outside its recent range", "warning"),
    ("period-after-publication", lambda f: edit_cell(f, "date_published", "2024-05-01"), RECALL, "column 'period'", "begins after", "warning"),
    # the claims register and documents
    ("claim-series-typo", claim_edit("series_id: community_sentences\n", "series_id: community_sentence\n"), "community-sentences.yml", "official.args.series_id", "did you mean", "error"),
    ("claim-unknown-file", claim_edit("file: court_sentences\n", "file: court_sentence\n"), "community-sentences.yml", "official.args.file", "does not exist", "error"),
    ("claim-unknown-function", claim_edit("function: figures.published\n", "function: figures.publish\n"), "community-sentences.yml", "official.function", "not a function", "error"),
    ("claim-stated-value-text", claim_edit("value: 150000\n", "value: \"about 150,000\"\n"), "community-sentences.yml", "stated.value", "must be a number", "error"),
    ("claim-period-malformed", claim_edit('period: "2012"\n', 'period: "2012-13"\n'), "community-sentences.yml", "official.args.period", "not written as", "error"),
    ("claim-unknown-document", claim_edit('document: "01"\n', 'document: "09"\n'), "community-sentences.yml", "document", "unknown document", "error"),
    ("claims-malformed-yaml", claim_edit("- id: cs-2012-about-150000\n", "- id: [cs-2012\n"), "community-sentences.yml", "row", "not valid YAML", "error"),
    ("claims-empty-yaml", lambda f: (f / "claims/community-sentences.yml").write_text(""), "community-sentences.yml", "community-sentences.yml", "empty", "error"),
    ("document-archive-missing", lambda f: (f / "documents/01-chief-inspector-sentencing-review-statement.txt").unlink(), "documents.yml", "documents.01.archive", "does not exist", "error"),
    ("claim-period-not-held", claim_edit('period: "2012"\n      settled_by: "MoJ Criminal Justice System Statistics, Outcomes by Offence data tool (community sentences, 2012)"\n', 'period: "1990"\n'), "community-sentences.yml", "official.args.period", "no figure for 1990", "warning"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_or_flagged_naming_where(case, tmp_path):
    _, change, file, place, words, kind = case
    folder = tmp_path / "data"
    shutil.copytree(ROOT / "data", folder)
    change(folder)
    before = tree_digest(folder)
    report = validate_all(folder, chapters=[])
    assert tree_digest(folder) == before, "validation rewrote the data"
    found = report.errors if kind == "error" else report.warnings
    hits = [str(p) for p in found if file in str(p) and place in str(p) and words.lower() in str(p).lower()]
    assert hits, f"expected {kind} naming {file} / {place} / {words!r}; got errors {list(map(str, report.errors))} " \
                 f"warnings {list(map(str, report.warnings))}"
    if kind == "warning":
        assert report.errors == [], list(map(str, report.errors))


def test_the_real_data_passes_and_every_warning_names_where():
    report = validate_all(ROOT / "data")
    assert report.errors == []
    assert all(w.file and w.row and w.column for w in report.warnings), list(map(str, report.warnings))


# ---------------------------------------------------------------------------------------------
# params.yml: types and ranges declared beside each parameter

def params_copy(tmp_path, edit) -> Path:
    path = tmp_path / "params.yml"
    text = (ROOT / "params.yml").read_text(encoding="utf-8")
    path.write_text(edit(text), encoding="utf-8")
    return path


PARAM_CASES = [
    ("base-year-text", lambda t: t.replace("base_year: 2010", 'base_year: "abc"'), "chapters.recall.parameters.base_year", "whole number"),
    ("base-year-out-of-range", lambda t: t.replace("base_year: 2010", "base_year: 1850"), "chapters.recall.parameters.base_year", "must lie from"),
    ("threshold-negative", lambda t: t.replace("threshold: 50", "threshold: -5"), "chapters.caseload.parameters.threshold", "greater than 0"),
    ("dispersion-text", lambda t: t.replace("dispersion: 0.5", "dispersion: wide"), "chapters.caseload.parameters.dispersion", "must be a number"),
    ("as-of-not-a-month", lambda t: re.sub(r'as_of: "\d{4}-\d{2}"', 'as_of: "2024-13"', t), "shared.as_of", "YYYY-MM"),
    ("as-of-unquoted-date", lambda t: re.sub(r'as_of: "\d{4}-\d{2}"', "as_of: 2024-06-30", t), "shared.as_of", "YYYY-MM"),
    ("measure-unknown", lambda t: t.replace("measure: court_outcomes", "measure: vibes"), "chapters.community-sentences.parameters.measure", "one of"),
    ("years-reversed", lambda t: t.replace("base_year: 2012", "base_year: 2023"), "chapters.community-sentences.parameters.base_year", "before comparison_year"),
    ("staffing-date-words", lambda t: t.replace('staffing_date: "2024-06-30"', "staffing_date: June"), "chapters.caseload.parameters.staffing_date", "YYYY-MM-DD"),
    ("staffing-date-after-as-of", lambda t: t.replace('staffing_date: "2024-06-30"', 'staffing_date: "2030-09-30"'), "chapters.caseload.parameters.staffing_date", "not be after as_of"),
    ("undeclared-parameter", lambda t: t.replace("      threshold: {type: number, above: 0, max: 1000}\n", ""), "chapters.caseload.parameters.threshold", "no check declared"),
    ("malformed-yaml", lambda t: t.replace("chapters:\n", "chapters: [\n", 1), "params.yml", "line"),
    ("empty-file", lambda t: "", "params.yml", "empty"),
]


@pytest.mark.parametrize("case", PARAM_CASES, ids=[c[0] for c in PARAM_CASES])
def test_bad_parameters_are_refused_naming_the_key(case, tmp_path):
    _, edit, place, words = case
    path = params_copy(tmp_path, edit)
    problems = [str(p) for p in check_params(path=path)]
    assert any(place in p and words.lower() in p.lower() for p in problems), problems
    assert all(p.startswith("params.yml") for p in problems), problems


def test_the_real_parameters_pass():
    assert check_params() == []


def test_command_line_overrides_are_checked_too():
    chapters = load_chapters(["recall.base_year=abc", "caseload.threshold=-5"])
    problems = [str(p) for p in check_params(chapters)]
    assert any("recall.parameters.base_year" in p and "whole number" in p for p in problems), problems
    assert any("caseload.parameters.threshold" in p and "greater than 0" in p for p in problems), problems


# ---------------------------------------------------------------------------------------------
# The command line: plain lines, never a traceback

def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "ANALYSIS_DATA_DIR"}
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, env=env, cwd=ROOT)


@pytest.mark.parametrize("change, words", [
    (lambda f: replace_text(f, "claims/recall.yml", "claims:", "claims: ["), "recall.yml"),
    (cut_inside_quotes, "recall_population.csv, row"),
    (lambda f: (f / "datapackage.json").write_bytes(b"\xff\xfe{"), "datapackage.json"),
], ids=["malformed-register-yaml", "truncated-csv", "binary-datapackage"])
def test_validate_command_prints_plain_lines_not_tracebacks(tmp_path, change, words):
    folder = tmp_path / "data"
    shutil.copytree(ROOT / "data", folder)
    change(folder)
    out = run_cli("validate", "--data", str(folder))
    assert out.returncode == 1
    assert "Traceback" not in out.stdout + out.stderr
    assert words in out.stdout, out.stdout + out.stderr


def test_claims_command_with_broken_register_gives_one_line(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(ROOT / "data", folder)
    (folder / "claims/recall.yml").write_text("")
    out = run_cli("claims", "--data", str(folder))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "recall.yml" in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
