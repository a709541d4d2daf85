"""Validate `data/` against its Frictionless Data Package.

`data/datapackage.json` lists every series file with its Table Schema (shared in
`data/schemas/series.json`).  Frictionless checks types, required provenance, patterns and
duplicate keys; the checks below add what a schema cannot say: a period written in the
form its period type demands, no negative counts, and a cross-check note on every
secondary row.  Each problem names the file, the row and the column.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import attrs
from frictionless import Check, Checklist, Resource, errors

from .official_data import SUPPRESSION_MARKERS, DataError
from .paths import data_dir

PERIOD_FORMS = {
    "date": r"\d{4}-\d{2}-\d{2}",
    "calendar_year": r"\d{4}",
    "financial_year": r"\d{4}-\d{2}",
    "quarter": r"\d{4}-Q[1-4]",
    "year_ending": r"\d{4}-\d{2}-\d{2}",
    "date_range": r"\d{4}-\d{2}-\d{2}/\d{4}-\d{2}-\d{2}",
}
COUNT_UNITS = {"people", "prisoners", "recalls", "releases", "cases", "fte", "headcount", "offences", "orders",
               "days", "gbp", "gbp_millions"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, located by file, row and column."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f", row {self.row}" if self.row else "") + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.message}"


@attrs.define(kw_only=True, repr=False)
class period_matches_type(Check):
    """The period is written in the form its period_type demands, and is a real date."""

    type = "period-matches-type"
    Errors = [errors.CellError]

    def validate_row(self, row):
        kind, period = row["period_type"], row["period"]
        form = PERIOD_FORMS.get(kind or "")
        if not form or period is None:
            return
        if not re.fullmatch(form, period):
            yield errors.CellError.from_row(row, field_name="period",
                                            note=f"period {period!r} is not in the form {kind} needs ({form})")
            return
        if kind == "financial_year" and int(period[5:7]) != (int(period[2:4]) + 1) % 100:
            yield errors.CellError.from_row(row, field_name="period",
                                            note=f"financial year {period!r} must end the year after it starts")
        if kind in ("date", "year_ending", "date_range"):
            import datetime as dt
            for part in period.split("/"):
                try:
                    dt.date.fromisoformat(part)
                except ValueError:
                    yield errors.CellError.from_row(row, field_name="period", note=f"{part!r} is not a calendar date")


@attrs.define(kw_only=True, repr=False)
class counts_not_negative(Check):
    """Counts, money and days cannot be negative; percentages lie between 0 and 100."""

    type = "counts-not-negative"
    Errors = [errors.CellError]

    def validate_row(self, row):
        raw = row["value"]
        if raw is None or raw in SUPPRESSION_MARKERS:
            return
        try:
            value = float(raw)
        except ValueError:
            return
        if row["unit"] in COUNT_UNITS and value < 0:
            yield errors.CellError.from_row(row, field_name="value", note=f"a count in {row['unit']} cannot be negative ({raw})")
        if row["unit"] == "percent" and not 0 <= value <= 100:
            yield errors.CellError.from_row(row, field_name="value", note=f"a percentage must lie between 0 and 100 ({raw})")


@attrs.define(kw_only=True, repr=False)
class secondary_rows_cross_checked(Check):
    """A secondary row must say in its note what official figure it was checked against."""

    type = "secondary-rows-cross-checked"
    Errors = [errors.CellError]

    def validate_row(self, row):
        if row["source_kind"] == "secondary" and not (row["note"] or "").strip():
            yield errors.CellError.from_row(row, field_name="note",
                                            note="a secondary figure needs a note saying how it was cross-checked")


@attrs.define(kw_only=True, repr=False)
class suppressed_values_explained(Check):
    """A suppression marker must be explained in the note."""

    type = "suppressed-values-explained"
    Errors = [errors.CellError]

    def validate_row(self, row):
        if row["value"] in SUPPRESSION_MARKERS and not (row["note"] or "").strip():
            yield errors.CellError.from_row(
                row, field_name="note",
                note=f"value {row['value']!r} ({SUPPRESSION_MARKERS[row['value']]}) needs a note explaining it")


@attrs.define(kw_only=True, repr=False)
class official_rows_dated(Check):
    """An official figure must carry the date its publication came out."""

    type = "official-rows-dated"
    Errors = [errors.CellError]

    def validate_row(self, row):
        if row["source_kind"] == "official" and row["date_published"] == "unknown":
            yield errors.CellError.from_row(row, field_name="date_published",
                                            note="an official figure needs the date its publication came out")


CHECKS = [official_rows_dated(), period_matches_type(), counts_not_negative(), secondary_rows_cross_checked(), suppressed_values_explained()]


def describe(err) -> str:
    """A plain-words message for one frictionless error."""
    note = getattr(err, "note", "") or ""
    cell = getattr(err, "cell", None)
    if err.type == "constraint-error":
        if '"required"' in note:
            return "a value is required here"
        if '"enum"' in note or '"pattern"' in note:
            return f"{cell!r} is not allowed here ({note})"
        return f"{cell!r} breaks a constraint ({note})"
    if err.type == "type-error":
        return f"{cell!r} is not of the expected type ({note})"
    if err.type == "primary-key":
        return f"duplicate row: the primary key (series_id, period, date_published, publication) repeats ({note})"
    if err.type in ("extra-cell", "missing-cell", "blank-row", "duplicate-label", "incorrect-label", "missing-label", "extra-label"):
        return err.message
    return note or err.message


def _problems_from_report(file: str, report) -> list[Problem]:
    problems = []
    for task in report.tasks:
        ragged = {err.row_number for err in task.errors if err.type in ("extra-cell", "missing-cell")}
        for err in task.errors:
            row = getattr(err, "row_number", None)
            if row in ragged and err.type not in ("extra-cell", "missing-cell"):
                continue  # the shifted cells of a ragged row are consequences, not separate problems
            problems.append(Problem(file, row, getattr(err, "field_name", None), describe(err)))
    return problems


def validate_package(folder: Path) -> list[Problem]:
    """Validate every resource listed in `datapackage.json`, and that no CSV is left unlisted."""
    descriptor = folder / "datapackage.json"
    if not descriptor.is_file():
        return [Problem(str(descriptor), None, None, "the data package descriptor is missing")]
    try:
        meta = json.loads(descriptor.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        return [Problem(str(descriptor), err.lineno, None, f"not valid JSON: {err.msg}")]
    problems: list[Problem] = []
    listed = set()
    for index, res in enumerate(meta.get("resources", [])):
        path = res.get("path")
        if not path or not (folder / path).is_file():
            problems.append(Problem(str(descriptor), None, f"resources[{index}].path", f"file {path!r} does not exist"))
            continue
        listed.add(path)
        resource = Resource(res, basepath=str(folder))
        header = (folder / path).read_text(encoding="utf-8").splitlines()[:1]
        expected = ",".join(f["name"] for f in resource.schema.to_descriptor()["fields"])
        if header and header[0].strip().lstrip("\ufeff") != expected:
            problems.append(Problem(str(folder / path), 1, None,
                                    f"header is {header[0]!r}; the schema needs {expected!r}"))
            continue
        report = resource.validate(checklist=Checklist(checks=CHECKS))
        problems += _problems_from_report(str(folder / path), report)
    for csv in sorted(folder.glob("*.csv")):
        if csv.name not in listed:
            problems.append(Problem(str(csv), None, None, "file is not listed in datapackage.json"))
    return problems


def validate_data(folder: Path | None = None) -> list[Problem]:
    """All problems with the data folder: the package, its tables, and the claims register."""
    from .claims import load_register

    folder = Path(folder) if folder else data_dir()
    problems = validate_package(folder)
    try:
        load_register(folder)
    except DataError as err:
        problems.append(Problem(err.file, err.row, err.column, err.problem))
    except FileNotFoundError as err:
        problems.append(Problem(str(err.filename or folder / "claims"), None, None, "cannot read: file missing"))
    return problems


def package_descriptor(folder: Path | None = None) -> dict:
    """The data package descriptor as a dict (for the catalogue page)."""
    folder = Path(folder) if folder else data_dir()
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))

