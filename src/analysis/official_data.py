"""Load the official series held in `data/`.

Every series file is a tidy CSV: one published figure per row, with its provenance
(publisher, publication, URL, table, date published).  The schema is in
`data/schemas/series.json`; `analysis.validation` checks files against it.

Loading never rewrites a file.  Each file read is logged (when `$ANALYSIS_READS_LOG` is set)
so the pipeline knows which notebooks depend on which data.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from copy import deepcopy
from pathlib import Path

import pandas as pd
import yaml

from .paths import READS_LOG_ENV, data_dir

#: Markers that statistical tables use for figures not available or suppressed.
SUPPRESSION_MARKERS = {
    "[x]": "not available",
    "[c]": "confidential (disclosure control)",
    "[z]": "not applicable",
    "..": "not available",
    "-": "nil or not applicable",
    "*": "suppressed (small number)",
}

PROVENANCE_COLUMNS = ["publisher", "publication", "url", "table_ref", "date_published"]


class DataError(ValueError):
    """A data file is not as the schema says; the message names file, row and column."""

    def __init__(self, file: str | Path, row: int | None, column: str | None, problem: str):
        self.file, self.row, self.column, self.problem = str(file), row, column, problem
        where = self.file
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {problem}")


#: Breaks in a series' basis: {series_id: (first period on the new basis, what changed)}.  One place,
#: read by the chapters that mark the break and by the data catalogue's list of gaps.
_CASELOAD_2026 = ("2026", "from January to March 2026 the Ministry of Justice's enhanced processing of probation data "
                          "gives a more complete caseload, not applied to earlier periods (OMSQ probation note 49); "
                          "figures before and after are not directly comparable")
SERIES_BREAKS = {
    "community_sentences": ("2017", "the Ministry of Justice changed how it processes court data for the Criminal "
                                    "Justice System Statistics in 2017; figures before and after are not fully comparable"),
    "probation_caseload_total": _CASELOAD_2026,
    "probation_caseload_court_orders": _CASELOAD_2026,
    "probation_caseload_post_release": _CASELOAD_2026,
    "probation_caseload_pre_release": _CASELOAD_2026,
}


def break_between(series_id: str, periods: list[str]) -> tuple[str, str] | None:
    """The series break (year, what changed) that falls within the span of `periods`, or None."""
    found = SERIES_BREAKS.get(series_id)
    years = [str(p)[:4] for p in periods if p]
    if found and years and min(years) < found[0] <= max(years):
        return found
    return None


#: The reader-facing name of every series (`data/series_names.yml`): what chart titles, tables and downloads call it.
SERIES_NAMES = "series_names.yml"


def series_names(folder: Path | None = None) -> dict[str, str]:
    """{series_id: the name a reader sees}, read from `data/series_names.yml` (its read is logged, so a
    renamed series re-runs the notebooks that show it).  A file that is not a mapping of text to text fails
    with the file and the key."""
    path = (folder or data_dir()) / SERIES_NAMES
    log_read(path)
    raw = path.read_bytes()
    key = (str(path.resolve()), hashlib.sha256(raw).hexdigest())
    if key not in _NAMES:
        _NAMES.clear()
        _NAMES[key] = _checked_names(path, yaml.safe_load(raw.decode("utf-8")))
    return dict(_NAMES[key])


_NAMES: dict[tuple[str, str], dict[str, str]] = {}


def series_name(series_id: str, folder: Path | None = None) -> str:
    """One series as a reader names it ('recall_population' -> 'People in prison on recall'); a series still
    to be added, which the names file lacks, reads as its id in words ('Recall population')."""
    return series_names(folder).get(series_id) or series_id.replace("_", " ").capitalize()


def _checked_names(path: Path, found: object) -> dict[str, str]:
    if not isinstance(found, dict):
        raise DataError(path, None, None, "must map each series_id to its name")
    for key, name in found.items():
        if not isinstance(name, str) or not name.strip():
            raise DataError(path, None, str(key), f"the name of {key!r} must be text, not {name!r}")
    return found


def package_descriptor(folder: Path | None = None) -> dict:
    """The data package descriptor as a dict (for the catalogue page and the edition records)."""
    folder = Path(folder) if folder else data_dir()
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def log_read(path: Path) -> None:
    """Record that `path` was read, so the pipeline can track a notebook's data inputs."""
    log = os.environ.get(READS_LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{Path(path).resolve()}\n")


def parse_value(raw: str, file: str | Path, row: int) -> float:
    """Turn a published value into a float; suppression markers become NaN, anything else fails."""
    text = (raw or "").strip()
    if text in SUPPRESSION_MARKERS:
        return float("nan")
    try:
        return float(text)
    except ValueError:
        raise DataError(file, row, "value", f"{raw!r} is neither a number nor a suppression marker "
                        f"({', '.join(SUPPRESSION_MARKERS)})") from None


def read_series_file(name: str, folder: Path | None = None) -> pd.DataFrame:
    """Read `data/<name>.csv` as strings, parse `value`, and return every row.

    Row numbers in errors count the header as row 1, as a spreadsheet would.
    """
    key, frame = _parsed(name, folder)
    return frame.copy()


#: Parsed data files, and series picked from them, by path and content hash: judging every claim
#: reads the same files hundreds of times, and parsing them was most of the time (a changed byte
#: is a new key, so nothing goes stale).  Callers get copies.
_PARSED: dict[tuple[str, str], pd.DataFrame] = {}
_SERIES: dict[tuple[str, str, str], pd.DataFrame] = {}


def _parsed(name: str, folder: Path | None) -> tuple[tuple[str, str], pd.DataFrame]:
    """The parsed file (cached, not to be changed) and its cache key; the read is logged every time."""
    path = (folder or data_dir()) / f"{name}.csv"
    if not path.is_file():
        raise DataError(path, None, None, "file not found")
    log_read(path)
    raw = path.read_bytes()
    key = (str(path.resolve()), hashlib.sha256(raw).hexdigest())
    if key not in _PARSED:
        if len(_PARSED) >= 64:
            _PARSED.clear()
            _SERIES.clear()
        _PARSED[key] = _parse_series_file(path, raw)
    return key, _PARSED[key]


def _parse_series_file(path: Path, raw: bytes) -> pd.DataFrame:
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    if not rows:
        raise DataError(path, None, None, "file is empty")
    header = rows[0]
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DataError(path, number, None, f"expected {len(header)} fields as in the header, found {len(row)} "
                            "(an unquoted comma?)")
    frame = pd.DataFrame(rows[1:], columns=header, dtype=str)
    missing = [c for c in ["series_id", "period", "period_type", "value", "unit", *PROVENANCE_COLUMNS] if c not in header]
    if missing:
        raise DataError(path, 1, missing[0], "column missing from the header")
    frame["value"] = [parse_value(v, path, i + 2) for i, v in enumerate(frame["value"])]
    frame["suppressed"] = frame["value"].isna()
    return frame


#: The precedence rule, written once: where a period has several rows, an official figure beats a
#: secondary one, and among rows of the same kind the newest publication wins (later bulletins revise
#: earlier ones; an unknown publication date counts as oldest).
PRECEDENCE = "official beats secondary, newest publication wins"


def precedence(row) -> tuple[bool, str]:
    """The sort key of the precedence rule for one row (a mapping with source_kind and date_published)."""
    published = str(row["date_published"])
    return row["source_kind"] == "official", "" if published == "unknown" else published


def resolves_first(rows: list[dict]) -> dict | None:
    """The row a period resolves to under the precedence rule (None when there is none)."""
    return max(rows, key=precedence) if rows else None


def series(name: str, series_id: str, folder: Path | None = None) -> pd.DataFrame:
    """Return one series from a data file, one row per period.

    Where a period has several rows, the precedence rule picks one (`PRECEDENCE`: official beats
    secondary, newest publication wins).  The other rows stay in the file and in the data catalogue.
    """
    key, frame = _parsed(name, folder)
    picked = _SERIES.get((*key, series_id))
    if picked is None:
        rows = frame[frame["series_id"] == series_id]
        if rows.empty:
            raise DataError(Path(folder or data_dir()) / f"{name}.csv", None, "series_id",
                            f"holds no series {series_id!r}")
        keys = [precedence(row) for row in rows[["source_kind", "date_published"]].to_dict("records")]
        rows = rows.assign(_official=[k[0] for k in keys], _dated=[k[1] for k in keys])
        rows = rows.sort_values(["period", "_official", "_dated"]).drop_duplicates("period", keep="last")
        picked = _SERIES[(*key, series_id)] = rows.drop(columns=["_official", "_dated"]).reset_index(drop=True)
    return picked.copy()


_POINTS: dict[tuple[str, str, str], dict[str, tuple[float | None, dict]]] = {}


def point(name: str, series_id: str, period: str, folder: Path | None = None) -> tuple[float | None, dict | None]:
    """The value and provenance of one series' figure for `period` (as `value_on` and `source_of` give them
    from `series`), or (None, None) when the period is not held; indexed once per file content, since
    judging every claim looks up hundreds of single figures."""
    key, _ = _parsed(name, folder)
    index = _POINTS.get((*key, series_id))
    if index is None:
        frame = series(name, series_id, folder)
        cols = [*PROVENANCE_COLUMNS, "source_kind"]
        index = {}
        for row in frame.to_dict("records"):
            if str(row["period"]) not in index:
                value = None if pd.isna(row["value"]) else float(row["value"])
                index[str(row["period"])] = (value, {col: row[col] for col in cols})
        if len(_POINTS) >= 512:
            _POINTS.clear()
        _POINTS[(*key, series_id)] = index
    value, src = index.get(str(period), (None, None))
    return value, (dict(src) if src is not None else None)


def dated_series(name: str, series_id: str, folder: Path | None = None) -> pd.DataFrame:
    """Return a stock series (period_type `date`) with a `date` column, oldest first."""
    rows = series(name, series_id, folder)
    rows = rows[rows["period_type"] == "date"].copy()
    rows["date"] = pd.to_datetime(rows["period"])
    return rows.sort_values("date").reset_index(drop=True)


def value_on(frame: pd.DataFrame, period: str) -> float | None:
    """Return the value for `period` (as written in the file), or None when it is not held."""
    hit = frame.loc[frame["period"] == str(period), "value"]
    if hit.empty or pd.isna(hit.iloc[0]):
        return None
    return float(hit.iloc[0])


def source_of(frame: pd.DataFrame, period: str) -> dict | None:
    """Return the provenance of the figure for `period`, or None when it is not held."""
    hit = frame[frame["period"] == str(period)]
    if hit.empty:
        return None
    row = hit.iloc[0]
    return {col: row[col] for col in [*PROVENANCE_COLUMNS, "source_kind"]}


#: Parsed register files by path and content hash (a changed byte is a new key).
_YAML_FILES: dict[tuple[str, str], object] = {}


def read_yaml(path: Path, copy: bool = True) -> dict:
    """Read one register file; malformed or empty YAML is refused with the file named.  Each version is parsed
    once a run; `copy` False hands back the parsed mapping itself, for a caller that only reads it."""
    log_read(path)
    try:
        raw = Path(path).read_bytes()
        key = (str(Path(path).resolve()), hashlib.sha256(raw).hexdigest())
        if key not in _YAML_FILES:   # the register is read several times a run: parse each version once
            if len(_YAML_FILES) >= 64:
                _YAML_FILES.clear()
            _YAML_FILES[key] = yaml.load(raw.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        content = deepcopy(_YAML_FILES[key]) if copy else _YAML_FILES[key]  # callers may change what they get
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise DataError(path, (mark.line + 1) if mark else None, None, f"not valid YAML: {getattr(err, 'problem', err)}") from None
    except UnicodeDecodeError as err:
        raise DataError(path, None, None, f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    if not isinstance(content, dict):
        raise DataError(path, None, None, "empty, or not a mapping of keys to values")
    return content
