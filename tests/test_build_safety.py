"""Builds that fail, are interrupted or collide publish nothing wrong and leave nothing behind.

Part of the gauntlet (see test_gauntlet.py): these cases need the build itself.  A copy of
the session's clean build is the last good site; the stale-output case then runs two more real builds; the
lock, interrupt, disk-full and kernel cases stop before Jupyter Book and take a second or two.
"""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import pipeline
from analysis.pipeline import BuildError, BuildPaths, acquire_lock, build, release_lock

from .conftest import ROOT, copy_build, set_value


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def quiet(*_):
    pass


@pytest.fixture(scope="module")
def good(tmp_path_factory, shared_build):
    """A data copy and a build directory holding the last good site built from it (a copy of the
    session's clean build, which was built from the same bytes: a build here finds it up to date)."""
    root = tmp_path_factory.mktemp("safety")
    import shutil

    shutil.copytree(ROOT / "data", root / "data")
    copy_build(shared_build, root / "build")
    lines: list[str] = []
    build(build_dir=root / "build", data=root / "data", echo=lines.append)
    assert any("site up to date" in line for line in lines), lines
    return root / "data", root / "build"


def leftovers(build_dir: Path) -> list[str]:
    return sorted(p.name for p in build_dir.iterdir() if p.name.startswith(("run-", "stage-", "html.old", "build.lock")))


def test_failed_build_then_restored_data_publishes_the_restored_figure(good):
    data, build_dir = good
    csv = data / "court_sentences.csv"
    original = csv.read_bytes()
    page = build_dir / "html" / "notebooks" / "community-sentences.html"
    assert "151,183" in page.read_text()
    site_before = digest(build_dir / "html")
    set_value(csv, "community_sentences", "2012", "999999")
    try:
        # the community chapter runs with the bad value; the recall chapter fails in the same build
        with pytest.raises(BuildError, match=r"recall.ipynb failed"):
            build(["recall.as_of=1990-01"], build_dir=build_dir, data=data, echo=quiet)
        assert digest(build_dir / "html") == site_before, "a failed build changed the site"
        cached = (build_dir / "executed" / "community-sentences.ipynb").read_text()
        assert "999,999" not in cached, "an output of the failed build entered the cache"
    finally:
        csv.write_bytes(original)
    lines: list[str] = []
    build(build_dir=build_dir, data=data, echo=lines.append)
    html = page.read_text()
    assert "151,183" in html and "999,999" not in html
    assert leftovers(build_dir) == []


def test_failed_book_build_keeps_new_outputs_out_of_the_cache(good, monkeypatch):
    data, build_dir = good
    csv = data / "court_sentences.csv"
    original = csv.read_bytes()
    site_before = digest(build_dir / "html")
    set_value(csv, "community_sentences", "2012", "999999")

    def broken(stage, output):
        raise BuildError("Jupyter Book failed: simulated")

    monkeypatch.setattr(pipeline, "jupyter_book_build", broken)
    try:
        with pytest.raises(BuildError, match="simulated"):
            build(build_dir=build_dir, data=data, echo=quiet)
    finally:
        csv.write_bytes(original)
    assert digest(build_dir / "html") == site_before
    assert "999,999" not in (build_dir / "executed" / "community-sentences.ipynb").read_text()
    lines: list[str] = []
    monkeypatch.undo()
    build(build_dir=build_dir, data=data, echo=lines.append)
    assert any("site up to date" in line for line in lines), lines  # the restored data matches the good site
    assert leftovers(build_dir) == []


def test_invalid_data_refused_before_anything_runs(good):
    data, build_dir = good
    csv = data / "recall_population.csv"
    original = csv.read_bytes()
    site_before = digest(build_dir / "html")
    csv.write_bytes(original[: len(original) // 2])  # cut off mid-file
    try:
        with pytest.raises(BuildError, match=r"recall_population.csv, row \d+"):
            build(build_dir=build_dir, data=data, echo=quiet)
    finally:
        csv.write_bytes(original)
    assert digest(build_dir / "html") == site_before and leftovers(build_dir) == []


def test_second_build_refused_while_the_first_holds_the_lock(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / "build.lock").write_text(str(holder.pid))
        with pytest.raises(BuildError, match=rf"another build \(process {holder.pid}\) is running"):
            build(build_dir=tmp_path, echo=quiet)
        assert (tmp_path / "build.lock").read_text() == str(holder.pid)   # not taken from a live build
    finally:
        holder.kill()
        holder.wait()


def test_lock_of_a_dead_build_is_taken_over_and_its_leftovers_removed(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / "build.lock").write_text(str(dead.pid))
    (tmp_path / "run-old" / "stage").mkdir(parents=True)
    (tmp_path / "run-old" / "stage" / "big.bin").write_bytes(b"x" * 1000)
    lock = acquire_lock(BuildPaths(tmp_path))
    assert lock.read_text() == str(os.getpid())
    assert not (tmp_path / "run-old").exists()
    release_lock(lock)
    assert not lock.exists()


def test_interrupted_build_removes_its_temporary_files_and_lock(tmp_path, monkeypatch):
    seen = {}

    def interrupted(jobs, **kwargs):
        seen["tmp"] = os.environ["TMPDIR"]
        Path(seen["tmp"], "partial.ipynb").write_text("{}")
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "run_notebooks", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(build_dir=tmp_path, echo=quiet)
    assert seen["tmp"].startswith(str(tmp_path / "run-"))
    assert not Path(seen["tmp"]).exists()
    assert leftovers(tmp_path) == []
    assert os.environ.get("TMPDIR") != seen["tmp"]


def test_disk_full_is_one_plain_line(tmp_path, monkeypatch):
    def full(jobs, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "_build/executed/recall.ipynb")

    monkeypatch.setattr(pipeline, "run_notebooks", full)
    with pytest.raises(BuildError) as caught:
        build(build_dir=tmp_path, echo=quiet)
    message = str(caught.value)
    assert "no space left on the device while writing _build/executed/recall.ipynb" in message
    assert "\n" not in message
    assert leftovers(tmp_path) == []


def test_kernel_that_will_not_start_is_one_plain_line(tmp_path, monkeypatch):
    import papermill

    calls = []

    def no_kernel(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("Kernel didn't respond in 60 seconds\n  (a long explanation follows)")

    monkeypatch.setattr(papermill, "execute_notebook", no_kernel)
    with pytest.raises(BuildError) as caught:
        pipeline.execute_notebook(str(ROOT / "notebooks" / "recall.ipynb"), str(tmp_path / "out.ipynb"), {})
    message = str(caught.value)
    assert message == ("notebooks/recall.ipynb: the Python kernel failed to start or died, twice "
                       "(RuntimeError: Kernel didn't respond in 60 seconds)")
    assert len(calls) == 2 and not (tmp_path / "out.ipynb").exists()


def test_build_command_reports_a_bad_parameter_in_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ANALYSIS_DATA_DIR"}
    out = subprocess.run([sys.executable, "-m", "analysis", "build", "--build-dir", str(tmp_path),
                          "--param", "recall.base_year=abc"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "params.yml, key 'chapters.recall.parameters.base_year': base_year must be a whole number, not 'abc'" in out.stderr
    assert not (tmp_path / "html").exists() and leftovers(tmp_path) == []


def test_any_changed_byte_of_data_reaches_the_published_download(tmp_path, shared_build):
    """A change no notebook reads (a note in data/sourcing/) still rebuilds the site stage, so the data
    package a reader downloads is the data the site was built from; no notebook is re-executed for it."""
    import shutil
    import zipfile

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    copy_build(shared_build, tmp_path / "build")
    path = data / "sourcing" / "cleanup.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nA line added by a test.\n", encoding="utf-8")
    log: list[str] = []
    site = build(build_dir=tmp_path / "build", data=data, echo=log.append)
    assert not any(line.startswith("site up to date") for line in log), log
    assert not any("executing" in line for line in log), log
    with zipfile.ZipFile(site / "_static" / "data" / "probation-in-numbers-data.zip") as archive:
        inside = [n for n in archive.namelist() if n.endswith("sourcing/cleanup.md")]
        assert len(inside) == 1
        assert archive.read(inside[0]) == path.read_bytes()
