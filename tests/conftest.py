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


@pytest.fixture(scope="session", autouse=True)
def shared_chart_images(tmp_path_factory, worker_id):
    """Every build in the session (in this process or a command it runs) draws each chart image once."""
    import os

    from analysis.paths import CHART_IMAGES_ENV

    base = tmp_path_factory.getbasetemp()
    folder = (base if worker_id == "master" else base.parent) / "chart-images"
    os.environ[CHART_IMAGES_ENV] = str(folder)
    yield folder


@pytest.fixture(scope="session")
def shared_build(tmp_path_factory, worker_id) -> Path:
    """One clean build of the book per test session, made by whichever xdist worker asks first
    and shared by all (a file lock keeps the others waiting).  Tests only read it; a test that
    builds again takes a copy (`build_copy`)."""
    import fcntl
    import os

    from analysis.pipeline import build

    base = tmp_path_factory.getbasetemp()
    root = base if worker_id == "master" else base.parent
    target = root / "shared-build"
    with open(root / "shared-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (target / "html" / "index.html").is_file():
                saved = os.environ.pop(DATA_DIR_ENV, None)   # the repository's own data, whatever the test set
                try:
                    build(build_dir=target, data=ROOT / "data", force=True, echo=lambda *_: None)
                finally:
                    os.environ.pop(DATA_DIR_ENV, None)
                    if saved is not None:
                        os.environ[DATA_DIR_ENV] = saved
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


def copy_build(shared: Path, target: Path) -> Path:
    """A private copy of the shared build folder (site, executed notebooks, cache) to build in."""
    shutil.copytree(shared, target, ignore=shutil.ignore_patterns("build.lock", "run-*"))
    return target


def first_edition_only(folder: Path) -> Path:
    """A data copy as it stood when only the first edition (2024-06) was released: the later edition
    records (and their corrections) removed, so a test can record editions from there in order."""
    for path in list((folder / "editions").glob("*.json")) + list((folder / "editions" / "corrections").glob("*.json")):
        if path.stem > "2024-06":
            path.unlink()
    return folder


#: Test files that take longest, started first: the two workers (`--dist loadfile`) then finish
#: together instead of one running a long file alone at the end.  (Measured with --durations=0.)
SLOW_FIRST = ["test_update.py", "test_browser.py", "test_site.py", "test_ingest.py", "test_build_safety.py",
              "test_editions.py", "test_new_chapter.py", "test_moved_checkout.py", "test_gauntlet.py",
              "test_chapters.py", "test_notebook_outputs.py", "test_claims.py"]


def pytest_collection_modifyitems(session, config, items):
    """Order the items by file, slowest files first (the same order on every worker)."""
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
