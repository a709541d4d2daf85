"""A copied or moved checkout re-executes exactly the notebooks whose inputs changed there."""

import os
import shutil
import subprocess
import sys

from .conftest import ROOT, copy_build, set_value


def tracked_copy(target):
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, files):
        src = ROOT / name.decode()
        if src.is_file():
            (target / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target / name.decode())


def build_in(checkout):
    env = {**os.environ, "PYTHONPATH": str(checkout / "src")}
    env.pop("ANALYSIS_DATA_DIR", None)
    out = subprocess.run([sys.executable, "-m", "analysis", "build"], cwd=checkout, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    return out.stdout


def test_moved_checkout_rebuilds_what_its_own_data_changed(tmp_path, shared_build):
    first = tmp_path / "first"
    tracked_copy(first)
    # the session's build of the repository, carried into the copy: the copy's own build finds every
    # notebook up to date (the cache records portable paths and content hashes, not locations)
    copy_build(shared_build, first / "_build")
    log = build_in(first)
    assert "executing" not in log, log
    moved = tmp_path / "moved"
    first.rename(moved)
    state = (moved / "_build" / "cache" / "state.json").read_text()
    assert str(first) not in state and "data/recall_population.csv" in state
    set_value(moved / "data" / "recall_population.csv", "recall_population", "2024-06-30", "12345", "official")
    log = build_in(moved)
    assert "executing notebooks/recall.ipynb" in log, log
    assert "up to date: notebooks/caseload.ipynb" in log, log   # it does not read the recall series
    assert "12,345" in (moved / "_build" / "html" / "notebooks" / "recall.html").read_text()
