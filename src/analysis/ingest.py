"""Read an official spreadsheet in the government's accessible layout into the book's series.

`python -m analysis ingest FILE [--source SOURCE_YML] [--data DIR] [--dry-run]`

The layout (Government Analysis Function guidance, used by the Ministry of Justice for its
statistics tables in .ods and .xlsx): one sheet per table, usually after `Cover`, `Contents` and
`Notes` sheets, though real editions come with any of those missing (the analysts' 2023 Q4 recall
tables have only `Contents`).  Each table sheet holds, from cell A1 down, a title row, notes rows and
a source row (text in column A only, no blank rows), then one header row and tidy data rows.  The
reader finds a table by its title and its header row, never by a fixed list of sheets.  Column headings name
periods ("Jan to Mar 2024", "Recalled in Jan to Mar 2024 returned by 30 Jun 2024", "31 Mar 2024");
cells hold numbers or suppression markers (`[x]`, `[c]`, `[z]`, `..`, `-`); titles and labels may
carry footnote markers such as `[note 3]`.

The reader finds each table by its title, maps the tables it knows to series, fills every
provenance column from the file and its `source.yml`, and merges the rows into `data/`: a new
period is appended, a changed past value becomes a new row beside the old one (a new vintage),
an unchanged value is left as it is held.  A layout it does not know, a missing table or a moved
header is refused with the file, sheet and cell; the merged data is validated before anything is
written, and nothing is written when anything is wrong.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .official_data import resolves_first
from .paths import data_dir
from .validation import validate_data

COLUMNS = ["series_id", "period", "period_type", "value", "unit", "publisher", "publication", "url", "table_ref",
           "date_published", "date_accessed", "licence", "source_kind", "note"]
MARKERS = {
    "[x]": "not available",
    "[c]": "confidential (disclosure control)",
    "[z]": "not applicable",
    "..": "not available",
    "-": "nil or not applicable",
}
#: Sheets of the layout that hold no table (read by nobody, and none of them required).
LAYOUT_SHEETS = ("Cover", "Contents", "Notes")
NOTE_MARK = re.compile(r"\s*\[note\s*(\d+)\]", re.IGNORECASE)
MONTHS = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                      "dec"], start=1)}
QUARTER_OF = {("jan", "mar"): 1, ("apr", "jun"): 2, ("jul", "sep"): 3, ("oct", "dec"): 4}
SOURCE_KEYS = ["publisher", "title", "url", "date_published", "date_accessed", "licence", "sha256", "source_kind"]


class IngestError(Exception):
    """A spreadsheet the reader refuses, located by file, sheet and cell."""

    def __init__(self, file, sheet: str | None, cell: str | None, problem: str):
        self.file, self.sheet, self.cell, self.problem = str(file), sheet, cell, problem
        where = self.file + (f", sheet {sheet!r}" if sheet else "") + (f", cell {cell}" if cell else "")
        super().__init__(f"{where}: {problem}")


def cell_ref(row: int, col: int) -> str:
    """Spreadsheet reference of a 1-based row and 0-based column, e.g. (5, 0) -> 'A5'."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def split_notes(text: str) -> tuple[str, list[str]]:
    """Strip footnote markers from a label: 'Table 3 [note 1][note 2]' -> ('Table 3', ['note 1', 'note 2'])."""
    notes = [f"note {n}" for n in NOTE_MARK.findall(text)]
    return NOTE_MARK.sub("", text).strip(), notes


REVISION_MARK = re.compile(r"\s*[\[(](?:r|p|revised|provisional)[\])]\s*$", re.IGNORECASE)


def parse_period(heading) -> tuple[str, str, str] | None:
    """A column heading as the book's (period, period_type, qualifier), or None when it names no period.

    The forms the OMSQ editions use: "Jan to Mar 2024", "January to March 2024", "Jan-Mar 2024" and
    "2024 Q1" -> ("2024-Q1", "quarter", ""); "Recalled in Jan to Mar 2024 returned by 30 Jun 2024"
    -> ("2024-Q1", "quarter", "returned by 30 Jun 2024"); "31 Mar 2024", "31-Mar-2024", "31/03/2024",
    "2024-03-31" or a date cell -> ("2024-03-31", "date", "").  A revised or provisional mark
    ("[r]", "(p)") is not part of the period.  "Quarter 1 2024" is not guessed (financial or calendar?).
    """
    if isinstance(heading, dt.datetime):
        heading = heading.date()
    if isinstance(heading, dt.date):
        return heading.isoformat(), "date", ""
    text = REVISION_MARK.sub("", " ".join(str(heading).split()))
    m = re.fullmatch(r"(?:recall period |recalled in )?([a-z]{3})[a-z]* ?(?:to|-|–) ?([a-z]{3})[a-z]* (\d{4})(?: (.+))?",
                     text, re.IGNORECASE)
    if m and (m.group(1).lower(), m.group(2).lower()) in QUARTER_OF:
        quarter = QUARTER_OF[(m.group(1).lower(), m.group(2).lower())]
        return f"{m.group(3)}-Q{quarter}", "quarter", m.group(4) or ""
    m = re.fullmatch(r"(\d{4}) ?Q([1-4])|Q([1-4]) (\d{4})", text, re.IGNORECASE)
    if m:
        year, quarter = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        return f"{year}-Q{quarter}", "quarter", ""
    return _parse_day(text)


def _parse_day(text: str) -> tuple[str, str, str] | None:
    """'31 Mar 2024', 'at 31 March 2024', '31-Mar-2024', '31/03/2024', '2024-03-31 00:00:00' -> ('2024-03-31', 'date', '')."""
    m = re.fullmatch(r"(?:at )?(\d{1,2})[ -]([a-z]{3})[a-z]*[ -](\d{4})", text, re.IGNORECASE)
    if m and m.group(2).lower() in MONTHS:
        parts = int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1))
    elif m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
        parts = int(m.group(3)), int(m.group(2)), int(m.group(1))
    elif m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?: 00:00:00)?", text):
        parts = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        return None
    try:
        return dt.date(*parts).isoformat(), "date", ""
    except ValueError:
        return None


def slug(label: str) -> str:
    """'Poor Behaviour - Relationships' -> 'poor_behaviour_relationships'; 'Facing further charge' -> 'further_charge'."""
    text = re.sub(r"^facing ", "", label.strip().lower())
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


# ---------------------------------------------------------------- reading the workbook

@dataclass
class Table:
    """One table sheet: its title, notes, header and data rows (row numbers are the spreadsheet's)."""

    sheet: str
    title: str
    notes: list[str]
    preamble: list[str]
    header_row: int
    header: list[str]
    rows: list[tuple[int, list]]


def read_workbook(path: Path) -> dict[str, list[list]]:
    """Every sheet of an .xlsx or .ods file as a grid of cell values, anchored at A1."""
    from python_calamine import CalamineWorkbook  # heavy: the spreadsheet reader, only for ingest

    if path.suffix.lower() not in (".xlsx", ".ods"):
        raise IngestError(path, None, None, "not an .xlsx or .ods file")
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as err:  # calamine raises its own error types for unreadable files
        raise IngestError(path, None, None, f"cannot be read as a spreadsheet ({err})") from None
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def parse_table(file: Path, sheet: str, grid: list[list]) -> Table:
    """Split a table sheet into title, notes rows, header and data, checking the layout."""
    if not grid or not _text(grid[0][0] if grid[0] else ""):
        raise IngestError(file, sheet, "A1", "no title in A1 (the accessible layout starts each table sheet with it)")
    title, notes = split_notes(_text(grid[0][0]))
    preamble = []
    for index, row in enumerate(grid[1:], start=2):
        cells = [_text(v) for v in row]
        if not any(cells):
            raise IngestError(file, sheet, f"A{index}", "blank row above the header: the accessible layout puts the "
                              "header directly below the title, notes and source rows, so the header has moved")
        if any(cells[1:]):
            header = cells
            data = [(n, list(r)) for n, r in enumerate(grid[index:], start=index + 1) if any(_text(v) for v in r)]
            return Table(sheet, title, notes, preamble, index, header, data)
        preamble.append(cells[0])
    raise IngestError(file, sheet, f"A{len(grid) + 1}", "no header row below the title and notes rows")


# ---------------------------------------------------------------- what the reader knows

@dataclass(frozen=True)
class Pick:
    """Rows of a table that become a series: fixed labels for some columns, optionally one series per label of `by`."""

    where: dict
    file: str
    series_id: str
    unit: str
    by: str | None = None
    what: str = ""


@dataclass(frozen=True)
class TableSpec:
    """A table the reader knows: a pattern its title matches, its label columns, and the series taken from it."""

    key: str
    title: str
    dims: tuple[str, ...]
    picks: tuple[Pick, ...]


@dataclass(frozen=True)
class Publication:
    """A publication the reader knows: the tables it needs, and series computed from them."""

    name: str
    tables: tuple[TableSpec, ...]
    derive: tuple = field(default=())


OMSQ_RECALLS = Publication(
    name="OMSQ licence recall tables",
    tables=(
        TableSpec("recalls", r"number of recalls from licence, by sex, sentence type,? and recall category",
                  ("Sex", "Sentence type", "Recall category"),
                  (Pick({"Sex": "Male and female", "Sentence type": "All sentence types", "Recall category": "All recalls"},
                        "licence_recalls", "licence_recalls", "recalls", what="recalls from licence in the quarter"),)),
        TableSpec("reasons", r"number of recalls, by sex, sentence and reason for recall",
                  ("Sex", "Sentence type", "Recall reason"),
                  (Pick({"Sex": "Male and female", "Sentence type": "All sentence types"}, "recall_reasons",
                        "recall_reason_count_{}", "recalls", by="Recall reason",
                        what="COUNT of recalls in the quarter with this reason recorded (a recall can have several "
                             "reasons, so the counts sum to more than the recalls)"),)),
    ),
    derive=("shares_of_recalls",),
)

OMSQ_PRISON_POPULATION = Publication(
    name="OMSQ prison population tables",
    tables=(
        TableSpec("population", r"prison population by type of custody", ("Custody type",),
                  (Pick({"Custody type": "All prisoners"}, "prison_population", "prison_population_total", "prisoners",
                        what="prison population at the date"),
                   Pick({"Custody type": "Remand"}, "prison_population", "prison_population_remand", "prisoners",
                        what="remand prisoners at the date"),
                   Pick({"Custody type": "Recall"}, "recall_population", "recall_population", "prisoners",
                        what="prisoners held on recall at the date"))),
    ),
)

OMSQ_PROBATION_CASELOAD = Publication(
    name="OMSQ probation caseload tables",
    tables=(
        TableSpec("caseload", r"(caseload|under (the )?probation service supervision).*by type of supervision",
                  ("Type of supervision",),
                  (Pick({"Type of supervision": "All offenders"}, "probation_caseload", "probation_caseload_total",
                        "people", what="people under Probation Service supervision at the date (each counted once)"),
                   Pick({"Type of supervision": "Court orders"}, "probation_caseload", "probation_caseload_court_orders",
                        "people", what="people supervised on a community order or suspended sentence order"),
                   Pick({"Type of supervision": "Pre-release"}, "probation_caseload", "probation_caseload_pre_release",
                        "people", what="people in custody supervised before release"),
                   Pick({"Type of supervision": "Post-release"}, "probation_caseload",
                        "probation_caseload_post_release", "people",
                        what="people supervised on licence or post-sentence supervision after release"))),
    ),
)

PUBLICATIONS = (OMSQ_RECALLS, OMSQ_PRISON_POPULATION, OMSQ_PROBATION_CASELOAD)


def find_tables(file: Path, grids: dict[str, list[list]]) -> tuple[Publication, dict[str, Table]]:
    """Check the workbook is in the accessible layout, recognise its publication, and find its tables by title."""
    titles = {}
    for sheet, grid in grids.items():
        if sheet in LAYOUT_SHEETS or not grid or not grid[0]:
            continue
        titles[sheet] = split_notes(_text(grid[0][0]))[0]
    for pub in PUBLICATIONS:
        found = {}
        for spec in pub.tables:
            hits = [s for s, t in titles.items() if re.search(spec.title, t, re.IGNORECASE)]
            if hits:
                found[spec.key] = hits[0]
        if not found:
            continue
        absent = [spec for spec in pub.tables if spec.key not in found]
        if absent:
            raise IngestError(file, None, "A1", f"missing table: this is the {pub.name}, but no sheet's title (cell A1) "
                              f"matches {absent[0].title!r}; sheets searched: {', '.join(titles)}")
        tables = {key: parse_table(file, sheet, grids[sheet]) for key, sheet in found.items()}
        return pub, tables
    raise IngestError(file, next(iter(titles), next(iter(grids), None)), "A1", "unknown layout: no sheet's title "
                      f"(cell A1) matches a table of a publication the reader knows "
                      f"({', '.join(p.name for p in PUBLICATIONS)}); sheets found: {', '.join(grids)}")


# ---------------------------------------------------------------- tidy rows

def cell_value(file: Path, sheet: str, row: int, col: int, raw) -> tuple[str, str]:
    """A cell as (value, note): a plain number, or a suppression marker kept verbatim with its meaning."""
    if isinstance(raw, bool):
        raise IngestError(file, sheet, cell_ref(row, col), f"{raw!r} is neither a number nor a suppression marker")
    if isinstance(raw, (int, float)):
        number = float(raw)
        return (str(int(number)) if number.is_integer() else f"{number:.10g}"), ""
    text = _text(raw)
    if text in MARKERS:
        return text, f"marker {text} in the source: {MARKERS[text]}"
    plain = text.replace(",", "")
    if re.fullmatch(r"-?\d+(\.\d+)?", plain):
        return plain, ""
    raise IngestError(file, sheet, cell_ref(row, col),
                      f"{text!r} is neither a number nor a suppression marker ({', '.join(MARKERS)})")


def table_rows(file: Path, table: Table, spec: TableSpec, provenance: dict) -> list[dict]:
    """The tidy rows a known table yields, after checking its header cell by cell."""
    ndims = len(spec.dims)
    for col, expected in enumerate(spec.dims):
        found = split_notes(table.header[col] if col < len(table.header) else "")[0]
        if found.lower() != expected.lower():
            raise IngestError(file, table.sheet, cell_ref(table.header_row, col),
                              f"header moved or changed: expected {expected!r}, found {found!r}")
    periods = {}
    for col in range(ndims, len(table.header)):
        heading = table.header[col]
        if not heading:
            continue
        parsed = parse_period(split_notes(heading)[0])
        if parsed is None:
            raise IngestError(file, table.sheet, cell_ref(table.header_row, col),
                              f"header moved or changed: {heading!r} is not a period heading the reader knows")
        periods[col] = (heading, parsed)
    if not periods:
        raise IngestError(file, table.sheet, cell_ref(table.header_row, ndims), "no period columns in the header")
    out = []
    for pick in spec.picks:
        matched = False
        for number, cells in table.rows:
            labels = [split_notes(_text(cells[c]) if c < len(cells) else "") for c in range(ndims)]
            named = {dim: labels[i][0] for i, dim in enumerate(spec.dims)}
            if any(named[d].lower() != v.lower() for d, v in pick.where.items()):
                continue
            matched = True
            series_id = pick.series_id.format(slug(named[pick.by])) if pick.by else pick.series_id
            row_notes = sorted({n for _, ns in labels for n in ns} | set(table.notes))
            label = " / ".join(named.values())
            for col, (heading, (period, period_type, qualifier)) in periods.items():
                value, marker = cell_value(file, table.sheet, number, col,
                                           cells[col] if col < len(cells) else None)
                note = "; ".join(x for x in [
                    f"{pick.what}" if pick.what else "",
                    f"column {heading!r}" if qualifier else "",
                    marker,
                    f"footnotes {', '.join(row_notes)} (see the Notes sheet)" if row_notes else "",
                    provenance["note"]] if x)
                out.append({
                    "series_id": series_id, "period": period, "period_type": period_type, "value": value,
                    "unit": pick.unit, "publisher": provenance["publisher"], "publication": provenance["title"],
                    "url": provenance["url"],
                    "table_ref": f"{table.sheet}, row {number} ({label}), cell {cell_ref(number, col)}",
                    "date_published": provenance["date_published"], "date_accessed": provenance["date_accessed"],
                    "licence": provenance["licence"], "source_kind": provenance["source_kind"], "note": note,
                    "_file": pick.file, "_source_note": provenance["note"]})
        if not matched:
            first = next(iter(pick.where))
            raise IngestError(file, table.sheet, cell_ref(table.header_row, spec.dims.index(first)),
                              "no data row with " + ", ".join(f"{k} = {v!r}" for k, v in pick.where.items()))
    return out


def shares_of_recalls(rows: list[dict]) -> list[dict]:
    """Share of recalls with each reason recorded: reason count / recalls in the quarter x 100, to one decimal.

    Both figures come from the same file (Table 10 and Table 2).  A suppressed count or total gives no share.
    """
    totals = {r["period"]: r for r in rows if r["series_id"] == "licence_recalls"}
    shares = []
    for r in rows:
        if not r["series_id"].startswith("recall_reason_count_") or r["period"] not in totals:
            continue
        total = totals[r["period"]]
        if r["value"] in MARKERS or total["value"] in MARKERS or float(total["value"]) == 0:
            continue
        share = round(float(r["value"]) / float(total["value"]) * 100, 1)
        shares.append({**r, "series_id": r["series_id"].replace("recall_reason_count_", "recall_reason_"),
                       "value": f"{share:g}", "unit": "percent",
                       "table_ref": f"{r['table_ref']} / {total['table_ref']}",
                       "note": (f"SHARE OF RECALLS computed at ingest: {r['value']} recalls with this reason / "
                                f"{total['value']} recalls x 100, rounded to one decimal; shares sum to more than "
                                f"100% because a recall can have several reasons; {r['_source_note']}")})
    return shares


DERIVATIONS = {"shares_of_recalls": shares_of_recalls}


# ---------------------------------------------------------------- provenance

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_source(file: Path, source: Path | None) -> dict:
    """The source metadata (source.yml beside the file unless given), checked against the file's checksum."""
    source = source or file.parent / "source.yml"
    if not source.is_file():
        raise IngestError(file, None, None, f"no source metadata: pass --source SOURCE_YML (looked for {source})")
    try:
        meta = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise IngestError(source, None, None, f"not valid YAML: {err}") from None
    missing = [k for k in SOURCE_KEYS if not str(meta.get(k) or "").strip()]
    if missing:
        raise IngestError(source, None, None, f"source metadata lacks {missing[0]!r} (needs {', '.join(SOURCE_KEYS)})")
    digest = sha256(file)
    if meta["sha256"] != digest:
        raise IngestError(file, None, None, f"checksum {digest} differs from the sha256 in {source} "
                          f"({meta['sha256']}): not the file the metadata describes")
    where = f"{meta['repository']}@{meta['commit']}:{meta['path']}" if meta.get("commit") else meta["url"]
    note = f"read by ingest from {file.name} (sha256 {digest}; {where})"
    if meta.get("cross_check"):
        note += f". Cross-check: {str(meta['cross_check']).rstrip('.')}"
    if meta.get("date_published_basis"):
        note += f". date_published is the {meta['date_published_basis']}"
    return {**{k: str(meta[k]) for k in SOURCE_KEYS}, "note": note}


def read_file(file: Path, source: Path | None = None) -> list[dict]:
    """Every tidy row a spreadsheet yields, with full provenance (nothing is written)."""
    file = Path(file)
    if not file.is_file():
        raise IngestError(file, None, None, "file not found")
    provenance = load_source(file, Path(source) if source else None)
    pub, tables = find_tables(file, read_workbook(file))
    rows = []
    for spec in pub.tables:
        rows += table_rows(file, tables[spec.key], spec, provenance)
    for name in pub.derive:
        rows += DERIVATIONS[name](rows)
    return rows


# ---------------------------------------------------------------- merging into data/

def _held(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@dataclass
class Plan:
    """What an ingest would do: rows to add (new periods and revisions) and rows already held."""

    rows: list[dict] = field(default_factory=list)   # each with _change: new | revised | held, and _old for revised


def plan(rows: list[dict], data: Path) -> Plan:
    """Compare the rows read with the data held, row by row."""
    result = Plan()
    cache: dict[str, list[dict]] = {}
    for row in rows:
        path = data / f"{row['_file']}.csv"
        if not path.is_file():
            raise IngestError(path, None, None, "data file not found: the series this table maps to has no file")
        held = cache.setdefault(row["_file"], _held(path))
        same = [h for h in held if h["series_id"] == row["series_id"] and h["period"] == row["period"]]
        vintage = [h for h in same if h["publication"] == row["publication"]
                   and h["date_published"] == row["date_published"]]
        current = resolves_first(same)
        if vintage:
            if vintage[0]["value"] != row["value"]:
                raise IngestError(path, None, None, f"{row['series_id']} {row['period']} from this publication is "
                                  f"held as {vintage[0]['value']} but the file now says {row['value']}: same "
                                  "edition, different figure; refusing to overwrite")
            change, old = "held", vintage[0]["value"]
        elif current is None:
            change, old = "new", ""
        elif current["value"] == row["value"] or _numeric_equal(current["value"], row["value"]):
            change, old = "held", current["value"]
        else:
            change, old = "revised", current["value"]
        result.rows.append({**row, "_change": change, "_old": old})
    return result


def _numeric_equal(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return False


def _csv_line(row: dict) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([row[c] for c in COLUMNS])
    return buf.getvalue()


def _append(folder: Path, rows: list[dict]) -> None:
    for name in sorted({r["_file"] for r in rows}):
        path = folder / f"{name}.csv"
        text = path.read_text(encoding="utf-8")
        with open(path, "a", encoding="utf-8", newline="") as fh:
            if text and not text.endswith("\n"):
                fh.write("\n")
            fh.writelines(_csv_line(r) for r in rows if r["_file"] == name)


def apply(result: Plan, data: Path) -> list[str]:
    """Validate the merged data in a scratch copy, then append the new rows to data/. Returns problems (empty = written)."""
    adding = [r for r in result.rows if r["_change"] != "held"]
    if not adding:
        return []
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "data"
        shutil.copytree(data, copy, ignore=shutil.ignore_patterns("raw"))
        _append(copy, adding)
        problems = [str(p) for p in validate_data(copy)]
    if problems:
        return problems
    _append(data, adding)
    return []


def dry_run_csv(result: Plan) -> str:
    """Every tidy row read, as CSV: `change` (new, revised or held) and the held value, then the data columns."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["change", "held_value", "file", *COLUMNS])
    for r in result.rows:
        writer.writerow([r["_change"], r["_old"], f"{r['_file']}.csv", *[r[c] for c in COLUMNS]])
    return buf.getvalue()


def summary(result: Plan) -> str:
    """What the ingest added and revised, in plain text."""
    new = [r for r in result.rows if r["_change"] == "new"]
    revised = [r for r in result.rows if r["_change"] == "revised"]
    held = [r for r in result.rows if r["_change"] == "held"]
    lines = [f"Added ({len(new)} new figures):"]
    lines += [f"  {r['_file']}.csv  {r['series_id']}  {r['period']}: {r['value']}" for r in new] or ["  none"]
    lines.append(f"Revised ({len(revised)}, each kept as a new row beside the old one):")
    lines += [f"  {r['_file']}.csv  {r['series_id']}  {r['period']}: {r['_old']} -> {r['value']}"
              for r in revised] or ["  none"]
    lines.append(f"Already held, unchanged: {len(held)}")
    return "\n".join(lines)


def ingest(file, source=None, data=None, dry_run: bool = False, out=sys.stdout, err=sys.stderr) -> int:
    """Read FILE, compare with data/, and (unless dry_run) append new and revised rows. Returns an exit code."""
    data = Path(data) if data else data_dir()
    try:
        result = plan(read_file(Path(file), source), data)
    except IngestError as error:
        print(f"ingest refused: {error}; nothing written", file=err)
        return 1
    if dry_run:
        out.write(dry_run_csv(result))
        print(summary(result) + "\n(dry run: nothing written)", file=err)
        return 0
    problems = apply(result, data)
    if problems:
        for problem in problems:
            print(problem, file=err)
        print(f"ingest refused: the merged data would have {len(problems)} problem(s); nothing written", file=err)
        return 1
    print(summary(result), file=out)
    return 0
