"""Checks of meaning, not only form, over the rows of `data/` (run after the schema checks pass).

Errors refuse the data: an unknown series, a unit the series is not published in, a web
address that is not one, a licence not on the list, a publication dated after it was
accessed or in the future, a period in the future (unless the note marks a projection), and two official rows for one series, period and publication date
with different values.  Warnings are printed and listed on the data catalogue page: a value
far outside its series' recent range, unless the note says why (a break in the series), and
a period that begins after its figure's publication date (unless the note marks a projection).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from .official_data import SUPPRESSION_MARKERS, log_read, resolves_first
from .periods import period_bounds
from .problems import Problem

#: Licences a figure may be republished under; "unknown" is allowed only on secondary rows.
KNOWN_LICENCES = {"OGL-3.0", "OGL-UK-3.0", "Open Parliament Licence", "CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0"}
UNITS_FILE = "schemas/series-units.json"
#: Words in a note that mark a figure for a period not yet over as a projection.
PROJECTION_WORDS = re.compile(r"projection|projected|forecast", re.I)
#: Words in a note that explain a jump in a series.
BREAK_WORDS = re.compile(r"break|discontinu|new basis|redefin|definition|reclassif|change in (method|coverage|counting)", re.I)
#: A value more than this many times its series' recent range (or less than its inverse) is flagged.
JUMP_FACTOR = 10.0
#: How many earlier periods make a series' recent range, and how many years back they may lie.
RECENT = 3
RECENT_YEARS = 5
#: Hosts that are placeholders, not sources.
PLACEHOLDER_HOSTS = {"todo", "tbd", "example.com", "www.example.com", "localhost", "x", "xxx"}


@dataclass
class MeaningReport:
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def url_problem(url: str) -> str | None:
    """Why a source address is not a usable web address, or None when it is one."""
    if any(ch.isspace() for ch in url):
        return f"{url!r} is not a web address (it contains spaces)"
    parts = urlparse(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return f"{url!r} is not a web address (http:// or https:// and a host)"
    if host in PLACEHOLDER_HOSTS or "." not in host or not re.fullmatch(r"[a-z0-9.-]+", host):
        return f"{url!r} has the placeholder or malformed host {host!r}"
    return None


def licence_problem(licence: str, source_kind: str) -> str | None:
    """Why a licence is not acceptable, or None."""
    if licence in KNOWN_LICENCES:
        return None
    if licence == "unknown":
        return None if source_kind == "secondary" else "an official figure needs its licence (not 'unknown')"
    return f"licence {licence!r} is not one the book can republish under ({', '.join(sorted(KNOWN_LICENCES))}, or 'unknown' on secondary rows)"


def published_day(text: str) -> dt.date | None:
    """The (earliest) day a YYYY-MM or YYYY-MM-DD publication date stands for; None for 'unknown'."""
    if text == "unknown":
        return None
    return dt.date.fromisoformat(text if len(text) == 10 else f"{text}-01")


def read_rows(path: Path) -> list[dict]:
    """Rows of a checked CSV as dicts, each with its spreadsheet row number under '_row'."""
    with open(path, encoding="utf-8", newline="") as fh:
        return [dict(row, _row=number) for number, row in enumerate(csv.DictReader(fh), start=2)]


def load_units(folder: Path) -> tuple[dict[str, list[str]] | None, list[Problem]]:
    """The units each series may use, from `schemas/series-units.json`."""

    path = folder / UNITS_FILE
    log_read(path)
    try:
        units = json.loads(path.read_text(encoding="utf-8"))["units"]
        assert isinstance(units, dict)
    except FileNotFoundError:
        return None, [Problem(str(path), None, None, "the list of series and their units is missing")]
    except (ValueError, KeyError, TypeError, AssertionError) as err:
        return None, [Problem(str(path), None, "units", f"not a valid list of series and units ({type(err).__name__})")]
    return units, []


def check_row(file: str, row: dict, units: dict | None, today: dt.date) -> list[Problem]:
    """Errors in one row's provenance and meaning."""
    flags = []
    n = row["_row"]
    if units is not None:
        allowed = units.get(row["series_id"])
        if allowed is None:
            flags.append(Problem(file, n, "series_id", f"unknown series {row['series_id']!r} (not in {UNITS_FILE}: "
                              "a typo, or add the new series there)"))
        elif row["unit"] not in allowed:
            flags.append(Problem(file, n, "unit", f"series {row['series_id']!r} is published in {' or '.join(allowed)}, "
                              f"not {row['unit']!r}"))
    why = url_problem(row["url"])
    if why:
        flags.append(Problem(file, n, "url", why))
    why = licence_problem(row["licence"], row["source_kind"])
    if why:
        flags.append(Problem(file, n, "licence", why))
    accessed = dt.date.fromisoformat(row["date_accessed"])
    published = published_day(row["date_published"])
    if accessed > today:
        flags.append(Problem(file, n, "date_accessed", f"accessed {row['date_accessed']}, which is in the future"))
    if published and published > today:
        flags.append(Problem(file, n, "date_published", f"published {row['date_published']}, which is in the future"))
    elif published and published > accessed:
        flags.append(Problem(file, n, "date_published", f"published {row['date_published']}, after it was accessed "
                          f"({row['date_accessed']})"))
    start, _ = period_bounds(row["period"], row["period_type"])
    if start > today and not PROJECTION_WORDS.search(row.get("note") or ""):
        flags.append(Problem(file, n, "period", f"period {row['period']} is in the future; mark a projection as such "
                          "in the note"))
    return flags


def check_row_warnings(file: str, row: dict) -> list[Problem]:
    """Doubts about one row that do not refuse it: a period that begins after its figure was published."""
    published = published_day(row["date_published"])
    start, _ = period_bounds(row["period"], row["period_type"])
    if published and start > published and not PROJECTION_WORDS.search(row.get("note") or ""):
        return [Problem(file, row["_row"], "period", f"period {row['period']} begins after the figure's publication date "
                     f"({row['date_published']}); correct the date, or mark a projection as such in the note")]
    return []


def check_official_unique(file: str, rows: list[dict]) -> list[Problem]:
    """One official value per series, period and publication date."""
    first: dict[tuple, dict] = {}
    flags = []
    for row in rows:
        if row["source_kind"] != "official":
            continue
        key = (row["series_id"], row["period"], row["date_published"])
        if key in first and first[key]["value"].strip() != row["value"].strip():
            flags.append(Problem(file, row["_row"], "value",
                              f"two official values for {key[0]} {key[1]} published {key[2]}: {first[key]['value']} "
                              f"(row {first[key]['_row']}) and {row['value']}; keep one, or date the revision"))
        first.setdefault(key, row)
    return flags


def _number(text: str) -> float | None:
    text = text.strip()
    if text in SUPPRESSION_MARKERS:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def check_jumps(file: str, rows: list[dict]) -> list[Problem]:
    """Flag a value far outside its series' recent range, unless its note says why.

    The recent range is the figures for the previous RECENT periods of the same series and
    period type (official before secondary, newest publication first).  A value more than
    JUMP_FACTOR times the largest of them, or less than the smallest divided by JUMP_FACTOR,
    is flagged.
    """
    groups: dict[tuple, dict[str, list[dict]]] = {}
    for row in rows:
        if _number(row["value"]) is not None:
            groups.setdefault((row["series_id"], row["period_type"], row["unit"]), {}).setdefault(row["period"], []).append(row)
    flags = []
    for (sid, _, _), by_period in groups.items():
        periods = sorted(by_period)
        best = {p: resolves_first(by_period[p]) for p in periods}
        for i, period in enumerate(periods):
            start = period_bounds(period, best[period]["period_type"])[0]
            recent = [_number(best[p]["value"]) for p in periods[max(0, i - RECENT):i]
                      if (start - period_bounds(p, best[p]["period_type"])[0]).days <= 366 * RECENT_YEARS]
            recent = [v for v in recent if v and v > 0]
            if not recent:
                continue
            low, high = min(recent), max(recent)
            for row in by_period[period]:
                value = _number(row["value"])
                if value is None or value <= 0:
                    continue
                if (value > JUMP_FACTOR * high or value < low / JUMP_FACTOR) and not BREAK_WORDS.search(row.get("note") or ""):
                    flags.append(Problem(file, row["_row"], "value",
                                      f"{sid} {period} is {row['value']}, far outside its recent range "
                                      f"({low:,g} to {high:,g}); check it, or say in the note why (a break in the series)"))
    return flags


def check_meaning(folder: Path, today: dt.date | None = None) -> MeaningReport:
    """Run every meaning check over the files listed in the data package (which already passed the schema)."""
    today = today or dt.date.today()
    report = MeaningReport()
    units, flags = load_units(folder)
    report.errors += flags
    meta = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for res in meta["resources"]:
        path = folder / res["path"]
        rows = read_rows(path)
        for row in rows:
            report.errors += check_row(str(path), row, units, today)
            report.warnings += check_row_warnings(str(path), row)
        report.errors += check_official_unique(str(path), rows)
        report.warnings += check_jumps(str(path), rows)
    return report
