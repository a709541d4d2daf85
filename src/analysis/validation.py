"""Validate `data/` against its Frictionless Data Package.

`data/datapackage.json` lists every series file with its Table Schema (shared in
`data/schemas/series.json`).  Frictionless checks types, required provenance, patterns and
duplicate keys; the checks below add what a schema cannot say: a period written in the
form its period type demands, no negative counts, and a cross-check note on every
secondary row.  Each problem names the file, the row and the column.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

import attrs
from frictionless import Check, Checklist, Resource, errors

from .claims import DOCUMENTS_FILE, REGISTER_DIR, figure_args, listed, load_left_out, load_register
from .official_data import SUPPRESSION_MARKERS, DataError
from .meaning import check_meaning
from .params import check_params
from .paths import data_dir
from .problems import Problem
from .units import count_units

PERIOD_FORMS = {
    "date": r"\d{4}-\d{2}-\d{2}",
    "calendar_year": r"\d{4}",
    "financial_year": r"\d{4}-\d{2}",
    "quarter": r"\d{4}-Q[1-4]",
    "year_ending": r"\d{4}-\d{2}-\d{2}",
    "date_range": r"\d{4}-\d{2}-\d{2}/\d{4}-\d{2}-\d{2}",
}


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
        if row["unit"] in count_units() and value < 0:
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


#: The field types the loader relies on (it reads every cell as text, except the access date).
EXPECTED_TYPES = {"series_id": "string", "period": "string", "period_type": "string", "value": "string",
                  "unit": "string", "publisher": "string", "publication": "string", "url": "string",
                  "table_ref": "string", "date_published": "string", "date_accessed": "date", "licence": "string",
                  "source_kind": "string", "note": "string"}


def check_schema(folder: Path, schema_path: str) -> list[Problem]:
    """The shared Table Schema parses and keeps the field names and types the loader relies on."""
    path = folder / schema_path
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [Problem(str(path), None, None, "the table schema is missing")]
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        return [Problem(str(path), getattr(err, "lineno", None), None, f"not valid JSON: {getattr(err, 'msg', err)}")]
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(fields, list):
        return [Problem(str(path), None, "fields", "the schema has no list of fields")]
    problems = []
    names = [f.get("name") if isinstance(f, dict) else None for f in fields]
    if names != list(EXPECTED_TYPES):
        problems.append(Problem(str(path), None, "fields", f"fields are {names}; the loader needs {list(EXPECTED_TYPES)}"))
    for index, f in enumerate(fields):
        if isinstance(f, dict) and f.get("name") in EXPECTED_TYPES and f.get("type", "string") != EXPECTED_TYPES[f["name"]]:
            problems.append(Problem(str(path), None, f"fields[{index}].type",
                                    f"field {f['name']!r} has type {f.get('type')!r}; the loader needs "
                                    f"{EXPECTED_TYPES[f['name']]!r}"))
    return problems


def check_text(path: Path) -> tuple[list[Problem], list[list[str]]]:
    """Read a CSV strictly: UTF-8 without a byte-order mark, quotes closed, no value spanning lines, rows present.

    Returns the problems and, when there are none, the parsed rows (header first).
    """
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return [Problem(str(path), 1, None, "the file starts with a byte-order mark; save it as UTF-8 without BOM")], []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        return [Problem(str(path), line, None, f"byte {raw[err.start]:#x} is not UTF-8 text (saved as Latin-1 or "
                        "Windows-1252?); save the file as UTF-8")], []
    if not text.strip():
        return [Problem(str(path), None, None, "the file is empty")], []
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as err:
        return [Problem(str(path), reader.line_num, None, f"the CSV cannot be read ({err}): a quoted value is not "
                        "closed, or the file was cut off")], []
    problems = []
    for number, row in enumerate(rows, start=1):
        if any("\n" in cell or "\r" in cell for cell in row):
            problems.append(Problem(str(path), number, None, "a quoted value runs over several lines (an unclosed "
                                    "quote swallows the rows after it)"))
            return problems, []
    if len(rows) < 2:
        problems.append(Problem(str(path), 1, None, "the file has a header but no rows of data"))
    return problems, rows


def validate_package(folder: Path) -> list[Problem]:
    """Validate every resource listed in `datapackage.json`, and that no CSV is left unlisted."""
    descriptor = folder / "datapackage.json"
    if not descriptor.is_file():
        return [Problem(str(descriptor), None, None, "the data package descriptor is missing")]
    try:
        meta = json.loads(descriptor.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        return [Problem(str(descriptor), getattr(err, "lineno", None), None, f"not valid JSON: {getattr(err, 'msg', err)}")]
    resources = meta.get("resources") if isinstance(meta, dict) else None
    if not isinstance(resources, list) or not resources:
        return [Problem(str(descriptor), None, "resources", "the descriptor lists no resources")]
    problems: list[Problem] = []
    listed = set()
    schemas_checked: dict[str, list[Problem]] = {}
    for index, res in enumerate(resources):
        path = res.get("path") if isinstance(res, dict) else None
        if not isinstance(path, str) or not path.endswith(".csv") or "/" in path or not (folder / path).is_file():
            problems.append(Problem(str(descriptor), None, f"resources[{index}].path", f"file {path!r} does not exist"))
            continue
        listed.add(path)
        schema_path = res.get("schema")
        if not isinstance(schema_path, str):
            problems.append(Problem(str(descriptor), None, f"resources[{index}].schema", "no table schema named"))
            continue
        if schema_path not in schemas_checked:
            schemas_checked[schema_path] = check_schema(folder, schema_path)
            problems += schemas_checked[schema_path]
        if schemas_checked[schema_path]:
            continue
        text_problems, rows = check_text(folder / path)
        if text_problems:
            problems += text_problems
            continue
        expected = ",".join(EXPECTED_TYPES)
        if ",".join(rows[0]) != expected:
            problems.append(Problem(str(folder / path), 1, None, f"header is {','.join(rows[0])!r}; the schema needs {expected!r}"))
            continue
        problems += validate_resource(folder, res, index)
    for csv_file in sorted(folder.glob("*.csv")):
        if csv_file.name not in listed:
            problems.append(Problem(str(csv_file), None, None, "file is not listed in datapackage.json"))
    return problems


#: Frictionless findings by what they depend on (the resource's descriptor, its schema's bytes and
#: the CSV's bytes), without the file's location: validating an unchanged file again (a second
#: command, a test on a copy of data/) costs a hash instead of about 0.1 s a file.
_CHECKED: dict[str, list[Problem] | str] = {}


def validate_resource(folder: Path, res: dict, index: int) -> list[Problem]:
    """Frictionless's checks and the book's own (CHECKS) on one listed CSV; problems name the file."""
    path = folder / res["path"]
    key = hashlib.sha256(json.dumps(res, sort_keys=True).encode() + b"\0" + (folder / res["schema"]).read_bytes()
                         + b"\0" + path.read_bytes()).hexdigest()
    found = _CHECKED.get(key)
    if found is None:
        try:
            resource = Resource(res, basepath=str(folder))
            report = resource.validate(checklist=Checklist(checks=CHECKS))
            found = [replace(p, file="") for p in _problems_from_report(str(path), report)]
        except Exception as err:  # frictionless refuses the descriptor itself
            found = f"cannot be checked: {err}"
        if str(folder) not in str(found):  # a message naming this folder is not kept for another
            _CHECKED[key] = found
    if isinstance(found, str):
        return [Problem(str(folder / "datapackage.json"), None, f"resources[{index}]", found)]
    return [replace(p, file=str(path)) for p in found]


@dataclass
class Report:
    """The outcome of validation: errors refuse the data; warnings are printed and listed in the catalogue."""

    errors: list[Problem]
    warnings: list[Problem]


def validate_all(folder: Path | None = None, chapters=None) -> Report:
    """Every check, in one place: used by `validate`, `build`, `update` and `ingest` alike.

    Form (the package, files and schema), meaning (provenance and values, see `analysis.meaning`),
    the claims register and documents, and the parameters (`params.yml` with any overrides).
    """
    folder = Path(folder) if folder else data_dir()
    errors = validate_package(folder)
    warnings: list[Problem] = []
    if not errors:
        meaning = check_meaning(folder)
        errors += meaning.errors
        warnings += meaning.warnings
    errors += check_params(chapters)
    if not errors:
        register = check_register(folder)
        errors += register.errors
        warnings += register.warnings
    return Report(errors, warnings)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: the fewest single-letter insertions, deletions and changes from a to b."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def check_register(folder: Path) -> Report:
    """The claims register loads, its documents are archived, and every file, series and period it names exists.

    A file that does not exist, a series that does not exist (unless the claim says which table
    would settle it, and the name is not one or two letters away from a held series), or a period
    written in a form its series does not use is an error: a typo would otherwise turn a claim
    into a claim that cannot be verified.  A well-formed period that is not held is a warning unless the
    claim says which table would settle it.
    """
    try:
        register = load_register(folder)
    except DataError as err:
        return Report([Problem(err.file, err.row, err.column, err.problem)], [])
    except FileNotFoundError as err:
        return Report([Problem(str(err.filename or folder), None, None, "cannot read: file not found")], [])
    report = Report(check_left_out(folder, register) + check_documents(folder, register), [])
    tables = HeldTables(folder)
    position: dict[str, int] = {}
    for claim in register["claims"]:
        position[claim["chapter"]] = position.get(claim["chapter"], 0) + 1
        where = (str(folder / REGISTER_DIR / f"{claim['chapter']}.yml"), position[claim["chapter"]])
        copies = [str(u) for u in (register["documents"].get(claim["document"], {}).get("copies") or [])]
        report.errors += check_not_its_own_evidence(claim, where, copies, tables)
        found = check_claim_reads(claim, where, tables)
        report.errors += found.errors
        report.warnings += found.warnings
    return report


def check_left_out(folder: Path, register: dict) -> list[Problem]:
    """The statements left out of the register are well formed and found word for word in their documents."""
    try:
        left_out = load_left_out(folder)
    except DataError as err:
        return [Problem(err.file, err.row, err.column, err.problem)]
    errors = []
    for i, entry in enumerate(left_out, start=1):
        archive = register["documents"][str(entry["document"])].get("archive")
        if archive and (folder / archive).is_file() and entry["quote"] not in (folder / archive).read_text(encoding="utf-8"):
            errors.append(Problem(str(folder / "documents" / "left-out.yml"), i, "quote",
                                  f"left-out entry #{i}: the quote is not in {archive} word for word"))
    return errors


def check_documents(folder: Path, register: dict) -> list[Problem]:
    """Every source document has a title and an archived copy that is UTF-8 text."""
    docs_file = str(folder / REGISTER_DIR / DOCUMENTS_FILE)
    errors = []
    for key, doc in register["documents"].items():
        archive = doc.get("archive") if isinstance(doc, dict) else None
        if not isinstance(doc, dict) or not doc.get("title"):
            errors.append(Problem(docs_file, None, f"documents.{key}.title", f"document {key!r} has no title"))
        elif not archive or not (folder / archive).is_file():
            errors.append(Problem(docs_file, None, f"documents.{key}.archive",
                                  f"document {key!r}: archived copy {archive!r} does not exist in {folder.name}/"))
        else:
            try:
                (folder / archive).read_text(encoding="utf-8")
            except UnicodeDecodeError:
                errors.append(Problem(str(folder / archive), None, None, "the archived document is not UTF-8 text"))
    return errors


class HeldTables:
    """The series and rows of each data file, read once per check of the register."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._series: dict[str, dict[str, set[tuple[str, str]]] | None] = {}
        self._rows: dict[str, list[dict]] = {}

    def rows(self, file: str) -> list[dict]:
        """The file's rows with their line number (`_row`); empty when the file does not exist."""
        if file not in self._rows:
            path = self.folder / f"{file}.csv"
            if path.is_file():
                with open(path, encoding="utf-8", newline="") as fh:
                    self._rows[file] = [dict(r, _row=n) for n, r in enumerate(csv.DictReader(fh), start=2)]
            else:
                self._rows[file] = []
        return self._rows[file]

    def series(self, file: str) -> dict[str, set[tuple[str, str]]] | None:
        """{series id: {(period, period_type)}} held in the file, or None when the file does not exist."""
        if file not in self._series:
            if not (self.folder / f"{file}.csv").is_file():
                self._series[file] = None
            else:
                table: dict[str, set[tuple[str, str]]] = {}
                for row in self.rows(file):
                    table.setdefault(row["series_id"], set()).add((row["period"], row["period_type"]))
                self._series[file] = table
        return self._series[file]


def check_not_its_own_evidence(claim: dict, where: tuple, copies: list[str], tables: HeldTables) -> list[Problem]:
    """A claim is not checked against a row whose source is its own document or a copy of it."""
    reads = figure_args(claim)
    if not copies or not reads.file:
        return []
    named, wanted = set(reads.series_ids), set(reads.periods)
    for row in tables.rows(reads.file):
        if row["series_id"] in named and (not wanted or row["period"] in wanted) and \
                any(copy in row.get("url", "") for copy in copies):
            return [Problem(*where, "official", f"claim {claim['id']!r} is checked against its own document or a copy "
                            f"of it ({reads.file}.csv row {row['_row']}: {row['url']}); a document is never evidence "
                            "for itself")]
    return []


def check_claim_reads(claim: dict, where: tuple, tables: HeldTables) -> Report:
    """The file, series and periods a claim's official figure reads exist and are written as held."""
    reads = figure_args(claim)
    args, settled = reads.args, bool(reads.settled_by)
    report = Report([], [])
    if "date" in args:
        try:
            dt.date.fromisoformat(str(args["date"]))
        except ValueError:
            report.errors.append(Problem(*where, "official.args.date",
                                         f"claim {claim['id']!r}: {args['date']!r} is not a date (YYYY-MM-DD)"))
    if not reads.file:
        return report
    table = tables.series(reads.file)
    if table is None:
        report.errors.append(Problem(*where, "official.args.file", f"claim {claim['id']!r} names data file "
                                     f"{reads.file!r}, which does not exist"))
        return report
    for key, name in reads.named:
        if name in table:
            continue
        near = [held for held in sorted(table) if edit_distance(name, held) <= 2]
        if near or not settled:
            hint = f" (did you mean {near[0]!r}?)" if near else " and no settled_by says which table would add it"
            report.errors.append(Problem(*where, f"official.args.{key}", f"claim {claim['id']!r} names series "
                                         f"{name!r}, which {reads.file}.csv does not hold{hint}"))
    names = reads.series_ids
    kinds = {kind for name in names if name in table for _, kind in table[name]}
    for key in ("period", "start", "end", "periods"):
        for period in map(str, listed(args.get(key))):
            if kinds and not any(re.fullmatch(PERIOD_FORMS[k], period) for k in kinds):
                report.errors.append(Problem(*where, f"official.args.{key}", f"claim {claim['id']!r}: period "
                                             f"{period!r} is not written as its series' periods are "
                                             f"({', '.join(sorted(kinds))})"))
            elif not settled and any(name in table and period not in {p for p, _ in table[name]} for name in names):
                report.warnings.append(Problem(*where, f"official.args.{key}", f"claim {claim['id']!r}: no figure for "
                                               f"{period} is held and no settled_by says which table would settle it"))
    return report


def validate_data(folder: Path | None = None) -> list[Problem]:
    """All errors with the data folder (warnings aside): the package, its tables, the register, the parameters."""
    return validate_all(folder).errors


def check_data_or_raise(folder: Path | None, chapters, error=ValueError) -> list[Problem]:
    """Validate; raise `error` listing every problem, or return the warnings."""
    report = validate_all(folder, chapters)
    if report.errors:
        raise error("the data is not valid; the site was left as it was:\n"
                    + "\n".join(f"  {p}" for p in report.errors))
    return report.warnings


