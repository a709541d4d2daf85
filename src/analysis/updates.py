"""The quarterly update path: what changed between two versions of data/.

`python -m analysis update` validates the data, compares it with the data as last committed
in git (or `--baseline DIR`), rebuilds the book, and prints a report: new periods, revised
past values (old -> new), removed figures, and every claim whose verdict changed.  The
baseline does not move when the book is built, so running the update twice reports the same
changes.

It also records the edition (the book as of one `as_of` month) in `data/editions/<as_of>.json`:
every claim's verdict and figures, and the figures and verdicts that changed since the previous
edition.  The raw data files are never written, an edition's record is never rewritten, and a
failed update leaves data, records and site as they were.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .official_data import package_descriptor, read_series_file


class BaselineError(RuntimeError):
    """The baseline data cannot be found or read."""


def committed_data(target: Path, revision: str = "HEAD", root: Path | None = None) -> Path:
    """Write `data/` as committed at `revision` (git) into `target`; return it.

    Uses `git ls-tree` and `git show`, so the working tree and the index are never touched.
    """
    from .paths import repo_root

    root = root or repo_root()

    def git(*args: str) -> bytes:
        try:
            proc = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
        except FileNotFoundError:
            raise BaselineError("git is not installed; pass --baseline DIR") from None
        if proc.returncode != 0:
            first = proc.stderr.decode(errors="replace").strip().splitlines()[:1]
            raise BaselineError(f"cannot read data/ as committed at {revision} ({' '.join(first) or 'git failed'}); "
                                "pass --baseline DIR") from None
        return proc.stdout

    names = [n for n in git("ls-tree", "-r", "-z", "--name-only", revision, "--", "data/").decode().split("\0") if n]
    if not names:
        raise BaselineError(f"no data/ folder is committed at {revision}; pass --baseline DIR")
    for name in names:
        out = target / Path(name).relative_to("data")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(git("show", f"{revision}:{name}"))
    return target


@contextmanager
def baseline_data(folder: Path | None = None, revision: str = "HEAD"):
    """The data to compare with: `folder` when given, else `data/` as committed at `revision`.

    The git copy lives in a temporary folder removed on leaving the block.
    """
    if folder is not None:
        if not (Path(folder) / "datapackage.json").is_file():
            raise BaselineError(f"{folder} is not a data folder (no datapackage.json)")
        yield Path(folder)
        return
    with tempfile.TemporaryDirectory(prefix="baseline-") as tmp:
        yield committed_data(Path(tmp) / "data", revision)


@dataclass
class ChangeReport:
    """Differences between a baseline and a new data folder."""

    new: list[tuple[str, str, str, float]] = field(default_factory=list)
    revised: list[tuple[str, str, str, float, float]] = field(default_factory=list)
    removed: list[tuple[str, str, str, float]] = field(default_factory=list)
    verdicts: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.new or self.revised or self.removed or self.verdicts)


def effective_values(folder: Path) -> dict[tuple[str, str, str], float]:
    """The figure each (file, series, period) resolves to: official beats secondary, newest publication wins."""
    from .official_data import series

    values = {}
    for res in package_descriptor(folder)["resources"]:
        name = res["path"].removesuffix(".csv")
        for sid in sorted(read_series_file(name, folder)["series_id"].unique()):
            picked = series(name, sid, folder)
            for period, value in zip(picked["period"], picked["value"]):
                values[(name, sid, period)] = value
    return values


def _same(a: float, b: float) -> bool:
    return (pd.isna(a) and pd.isna(b)) or a == b


def compare(baseline: Path, new: Path) -> ChangeReport:
    """Compare two data folders figure by figure and claim by claim."""
    from .claims import assess_claims

    old_values, new_values = effective_values(baseline), effective_values(new)
    report = ChangeReport()
    for key in sorted(new_values):
        if key not in old_values:
            report.new.append((*key, new_values[key]))
        elif not _same(old_values[key], new_values[key]):
            report.revised.append((*key, old_values[key], new_values[key]))
    report.removed = [(*key, value) for key, value in sorted(old_values.items()) if key not in new_values]
    before = assess_claims(folder=baseline).set_index("id")["verdict"]
    after = assess_claims(folder=new).set_index("id")["verdict"]
    for cid in after.index:
        old = before.get(cid, "(new claim)")
        if old != after[cid]:
            report.verdicts.append((cid, old, after[cid]))
    return report


def _num(value: float) -> str:
    return "suppressed" if pd.isna(value) else f"{value:,g}"


def format_report(report: ChangeReport) -> str:
    """The "what changed" report, in plain text."""
    if report.empty:
        return "What changed: nothing (no new periods, no revisions, no verdict changes)."
    lines = ["What changed"]
    lines.append(f"  New figures ({len(report.new)}):")
    lines += [f"    {f}.csv  {s}  {p}: {_num(v)}" for f, s, p, v in report.new] or ["    none"]
    lines.append(f"  Revised figures ({len(report.revised)}):")
    lines += [f"    {f}.csv  {s}  {p}: {_num(a)} -> {_num(b)}" for f, s, p, a, b in report.revised] or ["    none"]
    if report.removed:
        lines.append(f"  Figures no longer held ({len(report.removed)}):")
        lines += [f"    {f}.csv  {s}  {p}: was {_num(v)}" for f, s, p, v in report.removed]
    lines.append(f"  Verdicts changed ({len(report.verdicts)}):")
    lines += [f"    {cid}: {a} -> {b}" for cid, a, b in report.verdicts] or ["    none"]
    return "\n".join(lines)


def period_start(period: str, period_type: str) -> pd.Timestamp:
    """The first day a period covers.

    date and date_range: the (first) date; calendar_year '2024': 1 January; financial_year
    '2015-16': 1 April 2015; quarter '2024-Q3': 1 July; year_ending '2024-06': 1 July 2023.
    """
    text = str(period).split("/")[0]
    if period_type == "quarter":
        year, quarter = text.split("-Q")
        return pd.Timestamp(int(year), 3 * int(quarter) - 2, 1)
    if period_type == "financial_year":
        return pd.Timestamp(int(text[:4]), 4, 1)
    if period_type == "calendar_year":
        return pd.Timestamp(int(text[:4]), 1, 1)
    if period_type == "year_ending":
        end = pd.Period(text[:7], freq="M")
        return (end - 11).start_time
    return pd.Timestamp(text)


def periods_after_as_of(as_of: str, folder: Path) -> list[tuple[str, str, str]]:
    """(file, series, period) held in `folder` that begin after the as-of month: time to move as_of."""
    from .figures import month_end

    cut = month_end(as_of)
    found = []
    for res in package_descriptor(folder)["resources"]:
        frame = read_series_file(res["path"].removesuffix(".csv"), folder)
        for (series_id, period, kind) in frame[["series_id", "period", "period_type"]].drop_duplicates().itertuples(index=False):
            if period_start(period, kind) > cut:
                found.append((res["path"], series_id, period))
    return found


# ---------------------------------------------------------------------------------------------
# Editions: the book as of one `as_of` month, recorded in <data>/editions/<as_of>.json.
# ---------------------------------------------------------------------------------------------

EDITIONS_DIR = "editions"


class EditionConflict(RuntimeError):
    """An edition's record already exists with different content; records are never rewritten."""


def _plain(value):
    """A figure as JSON: an integral float as an int, a suppressed figure as null."""
    if value is None or pd.isna(value):
        return None
    value = float(value)
    return int(value) if value.is_integer() else value


def edition_figures(folder: Path) -> list[dict]:
    """Every figure the book resolves to in a data folder, with the publication it comes from."""
    from .official_data import series

    figures = []
    for res in package_descriptor(folder)["resources"]:
        name = res["path"].removesuffix(".csv")
        for sid in sorted(read_series_file(name, folder)["series_id"].unique()):
            for _, row in series(name, sid, folder).iterrows():
                figures.append({"file": name, "series": sid, "period": row["period"], "value": _plain(row["value"]),
                                "publication": row["publication"], "date_published": row["date_published"]})
    return sorted(figures, key=lambda f: (f["file"], f["series"], f["period"]))


def edition_claims(folder: Path) -> list[dict]:
    """Every claim's verdict, official and stated values and reason, as the record keeps them."""
    from .claims import assess_claims

    frame = assess_claims(folder=folder)
    claims = []
    for _, row in frame.iterrows():
        claims.append({"id": row["id"], "chapter": row["chapter"], "verdict": row["verdict"],
                       "stated_value": _plain(row["stated_value"]), "official_value": _plain(row["official_value"]),
                       "reason": row["reason"]})
    return sorted(claims, key=lambda c: c["id"])


def edition_path(folder: Path, as_of: str) -> Path:
    """Where the record of the edition as of `as_of` lives."""
    return Path(folder) / EDITIONS_DIR / f"{as_of}.json"


def load_editions(folder: Path | None = None) -> list[dict]:
    """Every edition record in a data folder, oldest first (empty when none is recorded)."""
    from .official_data import log_read
    from .paths import data_dir

    base = Path(folder or data_dir()) / EDITIONS_DIR
    records = []
    for path in sorted(base.glob("*.json")):
        log_read(path)
        try:
            records.append(json.loads(path.read_text(encoding="utf-8")))
        except json.JSONDecodeError as err:
            raise ValueError(f"{path}: not valid JSON (line {err.lineno}, column {err.colno}): {err.msg}") from err
    return sorted(records, key=lambda r: r["as_of"])


def edition_record(folder: Path, as_of: str, previous: dict | None) -> dict:
    """The record of the edition as of `as_of`: every claim and figure, and what changed since `previous`.

    Changes are measured against the previous edition's record (the book as it was last
    published), so the record does not depend on when, or how often, `update` runs.  The first
    edition has no previous one and lists no changes.
    """
    figures = edition_figures(folder)
    claims = edition_claims(folder)
    new, revised, verdicts = [], [], []
    if previous is not None:
        old = {(f["file"], f["series"], f["period"]): f for f in previous["figures"]}
        for fig in figures:
            before = old.get((fig["file"], fig["series"], fig["period"]))
            if before is None:
                new.append(fig)
            elif before["value"] != fig["value"]:
                revised.append({**fig, "old_value": before["value"], "old_publication": before["publication"]})
        old_verdicts = {c["id"]: c["verdict"] for c in previous["claims"]}
        verdicts = [{"id": c["id"], "old": old_verdicts.get(c["id"], "(new claim)"), "new": c["verdict"]}
                    for c in claims if old_verdicts.get(c["id"]) != c["verdict"]]
    return {"edition": as_of, "as_of": as_of, "previous": previous["as_of"] if previous else None,
            "new_figures": new, "revised_figures": revised, "verdicts_changed": verdicts,
            "claims": claims, "figures": figures}


def dump_record(record: dict) -> str:
    """The record as written to disk: sorted keys, one figure or claim per line, newline at the end."""
    lines = ["{"]
    keys = sorted(record)
    for i, key in enumerate(keys):
        comma = "," if i < len(keys) - 1 else ""
        value = record[key]
        if isinstance(value, list) and value:
            items = [json.dumps(item, sort_keys=True, ensure_ascii=False) for item in value]
            lines.append(f" {json.dumps(key)}: [")
            lines += [f"  {item}," for item in items[:-1]] + [f"  {items[-1]}", f" ]{comma}"]
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, sort_keys=True, ensure_ascii=False)}{comma}")
    return "\n".join(lines + ["}"]) + "\n"


def write_edition(folder: Path, as_of: str) -> tuple[Path, bool]:
    """Write the record of the edition as of `as_of` into `<folder>/editions/`; never rewrite one.

    Returns the path and whether a file was written.  When a record for `as_of` already exists
    with the same content nothing is written; with different content an EditionConflict is
    raised and nothing is written (a published edition stays as it was: start a new edition
    with a new `as_of`).  An edition older than the newest recorded one is refused too.
    """
    import os
    import re

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(as_of)):
        raise ValueError(f"as_of {as_of!r} is not a month written YYYY-MM")
    path = edition_path(folder, as_of)
    records = [r for r in load_editions(folder) if r["as_of"] != as_of]
    earlier = [r for r in records if r["as_of"] < as_of]
    if any(r["as_of"] > as_of for r in records):
        newest = max(r["as_of"] for r in records)
        raise EditionConflict(f"{path}: edition {as_of} is older than the newest recorded edition {newest}; "
                              "editions are added in order")
    text = dump_record(edition_record(folder, as_of, earlier[-1] if earlier else None))
    if path.is_file():
        existing = path.read_text(encoding="utf-8")
        if existing == text:
            return path, False
        old, new = json.loads(existing), json.loads(text)
        before = {c["id"]: c for c in old.get("claims", [])}
        differing = [c["id"] for c in new["claims"] if before.get(c["id"]) != c][:5]
        detail = f"claims that differ include {', '.join(differing)}" if differing else "its figures differ"
        raise EditionConflict(f"{path} already records edition {as_of} with different content ({detail}); "
                              "an edition's record is never rewritten: set a new as_of in params.yml "
                              "(or pass --as-of YYYY-MM) for a new edition")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path, True


def verdict_history(records: list[dict]) -> dict[str, list[tuple[str, str]]]:
    """For each claim whose verdict changed across editions: (as_of, verdict) at each change, oldest first."""
    history: dict[str, list[tuple[str, str]]] = {}
    for record in records:
        for claim in record["claims"]:
            steps = history.setdefault(claim["id"], [])
            if not steps or steps[-1][1] != claim["verdict"]:
                steps.append((record["as_of"], claim["verdict"]))
    return {cid: steps for cid, steps in history.items() if len(steps) > 1}
