"""A document's own table, read from its archived copy: one register entry for the whole table, not a claim a row.

A chapter's register file names a table under `stated_tables:` by the document it is in and the labels that
begin its first and last rows; every line between them is one row, a label then the row's figure, with a
leading `*` marking a row scored out of the smaller maximum.  The figures are read from the archived text,
never typed: the table is checked as a whole (`verdicts.judge_reconciliation`) against the summary the same
document gives of it.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd

from .official_data import DataError, log_read, read_yaml
from .paths import data_dir

#: Keys of a table's entry under `stated_tables:`, all required but `starred_maximum`.
TABLE_KEYS = ("section", "document", "heading", "first", "last", "unit", "maximum")
#: One row: its label, then (after tabs) its figure, `*` first when out of the smaller maximum.
ROW = re.compile(r"^(?P<label>[^\t]+)\t+(?P<star>\*?)(?P<value>\d+(?:\.\d+)?)\s*$")

_CACHE: dict[tuple, pd.DataFrame] = {}


def table_specs(folder: Path | None = None) -> dict[str, tuple[Path, dict]]:
    """Every table the register names, as {name: (the chapter file it is in, its entry)}."""
    directory = (folder or data_dir()) / "claims"
    found: dict[str, tuple[Path, dict]] = {}
    for path in sorted(directory.glob("*.yml")):
        if path.name == "documents.yml":
            continue
        for name, spec in (read_yaml(path, copy=False).get("stated_tables") or {}).items():
            found[name] = (path, spec)
    return found


def stated_table(name: str, folder: Path | None = None) -> pd.DataFrame:
    """The rows of table `name` as the document states them: label, value, maximum, starred, line (1-based).

    Refused with the register file and key when the table is not named or its entry lacks a key, and with
    the archived document and line when a row between the first and the last does not read as a label and
    a figure, or when the first or last row is not found.
    """
    base = folder or data_dir()
    specs = table_specs(base)
    if name not in specs:
        raise DataError(base / "claims", None, "stated_tables", f"no table {name!r} is named under 'stated_tables'")
    path, spec = specs[name]
    for key in TABLE_KEYS:
        if key not in (spec or {}):
            raise DataError(path, None, f"stated_tables.{name}.{key}", f"table {name!r} has no {key!r}")
    documents = (read_yaml(base / "claims" / "documents.yml", copy=False).get("documents") or {})
    doc = documents.get(str(spec["document"]))
    if not doc:
        raise DataError(path, None, f"stated_tables.{name}.document", f"table {name!r} cites unknown document {spec['document']!r}")
    archive = base / doc["archive"]
    raw = archive.read_bytes()
    key = (str(archive), hashlib.sha256(raw).hexdigest(), repr(sorted(spec.items())))
    if key in _CACHE:
        return _CACHE[key].copy()
    log_read(archive)
    lines = raw.decode("utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(str(spec["first"]) + "\t")]
    ends = [i for i, line in enumerate(lines) if line.startswith(str(spec["last"]) + "\t")]
    if not starts or not ends or ends[-1] < starts[0]:
        missing = "first" if not starts else "last"
        raise DataError(archive, None, f"stated_tables.{name}.{missing}",
                        f"table {name!r}: no row beginning {spec[missing]!r} followed by a tab")
    rows = []
    for i in range(starts[0], ends[-1] + 1):
        line = lines[i]
        if not line.strip():
            continue
        match = ROW.match(line)
        if not match:
            raise DataError(archive, i + 1, "value", f"table {name!r}: the row {line.strip()!r} is not a label and a figure")
        starred = bool(match["star"])
        maximum = spec.get("starred_maximum") if starred else spec["maximum"]
        rows.append({"label": match["label"].strip(), "value": float(match["value"]), "maximum": float(maximum),
                     "starred": starred, "line": i + 1})
    frame = pd.DataFrame(rows)
    over = frame[frame["value"] > frame["maximum"]]
    if not over.empty:
        row = over.iloc[0]
        raise DataError(archive, int(row["line"]), "value",
                        f"table {name!r}: {row['label']} scores {row['value']:g}, more than its maximum {row['maximum']:g}")
    _CACHE[key] = frame
    return frame.copy()


def row_key(label: str) -> str:
    """A table row's label as the end of a series id: 'Lewisham & Bromley' -> 'lewisham_and_bromley' (a trailing
    ' PDU' dropped), so that a row's figure held in data/ is found by the row's own words."""
    text = re.sub(r"\s+PDU$", "", label.strip()).lower().replace("&", "and")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def table_heading(name: str, folder: Path | None = None) -> str:
    """The table's heading as the document gives it."""
    return str(table_specs(folder)[name][1]["heading"])
