"""Shared fixtures: the repository, a scratch copy of the data, and a built site."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.paths import DATA_DIR_ENV, repo_root

ROOT = repo_root()


@pytest.fixture
def data_copy(tmp_path, monkeypatch) -> Path:
    """A writable copy of data/, made the active data folder for this test."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    monkeypatch.setenv(DATA_DIR_ENV, str(target))
    return target


def set_value(csv_path: Path, series_id: str, period: str, new_value: str, publisher_kind: str | None = None) -> None:
    """Change one figure in a copy of a series file (every row for that series and period)."""
    import csv

    with open(csv_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    hits = 0
    for row in rows[1:]:
        if row[header.index("series_id")] == series_id and row[header.index("period")] == period:
            if publisher_kind and row[header.index("source_kind")] != publisher_kind:
                continue
            row[header.index("value")] = new_value
            hits += 1
    assert hits, f"no row {series_id} {period} in {csv_path}"
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
