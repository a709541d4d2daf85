"""The quarterly update path: what changed between two versions of data/.

`python -m analysis update` validates the data, compares it with the data as last committed
in git (or `--baseline DIR`), rebuilds the book, and prints a report: new periods, revised
past values (old -> new), removed figures, and every claim whose verdict changed.  The
baseline does not move when the book is built, so running the update twice reports the same
changes.

Edition records are kept by `editions`.  The raw data files are never written, and a failed
update leaves data, records and site as they were.
"""

from __future__ import annotations

import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .claims import assess_claims
from .official_data import package_descriptor, read_series_file, series
from .params import Edition
from .periods import month_end, period_start
from .paths import repo_root


class BaselineError(RuntimeError):
    """The baseline data cannot be found or read."""


def committed_data(target: Path, revision: str = "HEAD", root: Path | None = None) -> Path:
    """Write `data/` as committed at `revision` (git) into `target`; return it.

    Uses `git ls-tree` and `git show`, so the working tree and the index are never touched.
    """
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
    """The figure each (file, series, period) resolves to under the precedence rule (`official_data.PRECEDENCE`)."""
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


def compare(edition: Edition, baseline: Path, new: Path) -> ChangeReport:
    """Compare two data folders figure by figure and claim by claim (both judged as of the same edition)."""
    old_values, new_values = effective_values(baseline), effective_values(new)
    report = ChangeReport()
    for key in sorted(new_values):
        if key not in old_values:
            report.new.append((*key, new_values[key]))
        elif not _same(old_values[key], new_values[key]):
            report.revised.append((*key, old_values[key], new_values[key]))
    report.removed = [(*key, value) for key, value in sorted(old_values.items()) if key not in new_values]
    before = assess_claims(edition, folder=baseline).set_index("id")["verdict"]
    after = assess_claims(edition, folder=new).set_index("id")["verdict"]
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


def periods_after_as_of(as_of: str, folder: Path) -> list[tuple[str, str, str]]:
    """(file, series, period) held in `folder` that begin after the as-of month: time to move as_of."""
    cut = month_end(as_of)
    found = []
    for res in package_descriptor(folder)["resources"]:
        frame = read_series_file(res["path"].removesuffix(".csv"), folder)
        for (series_id, period, kind) in frame[["series_id", "period", "period_type"]].drop_duplicates().itertuples(index=False):
            if period_start(period, kind) > cut:
                found.append((res["path"], series_id, period))
    return found
