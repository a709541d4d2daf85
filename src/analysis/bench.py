"""Benchmark: how long a contributor waits, measured side by side in one run.

`python -m analysis bench` (or `make bench`) works in temporary folders on a copy of `data/`
and prints, one line each:

Each clean build runs twice, alternating with the other, and the best of each counts.

- **clean build, this pipeline**: validate, execute every notebook on a warm kernel per worker
  (two workers), build with Jupyter Book with execution off;
- **Jupyter Book's cached execution**: the same sources with the committed notebooks, executed
  by Jupyter Book itself (`execute_notebooks: cache`, empty cache), then built;
- **no-op rebuild**: `python -m analysis build` again with nothing changed, as a process (start-up
  included): it hashes the inputs and stops;
- **one data change**: one value of `court_sentences.csv` changed in the copy; which notebooks
  re-executed (only those that read the file) and how long it took;
- **test suite**: `pytest -n 2 --dist loadfile` over the checkout, wall time (`--no-tests` skips it).

Nothing in the repository is written.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from .params import load_chapters
from .pipeline import BuildPaths, build, outputs_of, stage_sources, vega_bundle
from .paths import DATA_DIR_ENV, repo_root

#: The file and row the "one data change" step edits in its copy of `data/`.
CHANGED_FILE = "court_sentences.csv"


def time_ours(folder: Path, data: Path) -> float:
    """Seconds for a clean build of the book with this project's pipeline."""
    start = time.monotonic()
    build(force=True, build_dir=folder, data=data, echo=lambda *_: None)
    return time.monotonic() - start


def time_jupyter_book(folder: Path, data: Path, published: Path) -> float:
    """Seconds for Jupyter Book to execute (with its cache, empty) and build the same sources.

    `published` is the register notebook's outputs folder from our build: Jupyter Book runs the
    notebooks without the outputs variable, so the site stage reads the register files from there.
    """
    start = time.monotonic()
    paths = BuildPaths(folder)
    chapters = load_chapters()
    paths.executed.mkdir(parents=True, exist_ok=True)
    for chapter in chapters:  # the committed notebooks, executed by Jupyter Book instead of papermill
        shutil.copy2(chapter.notebook, paths.executed / f"{chapter.name}.ipynb")
    shutil.copytree(published, outputs_of(paths.executed / "register.ipynb"))
    stage = folder / "source"
    stage.mkdir(parents=True)
    stage_sources(paths, chapters, stage)
    config = yaml.safe_load((stage / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "cache"
    (stage / "_config.yml").write_text(yaml.safe_dump(config))
    exe = Path(sys.executable).with_name("jupyter-book")
    env = {**os.environ, DATA_DIR_ENV: str(data)}
    proc = subprocess.run([str(exe), "build", str(stage), "--path-output", str(folder / "out"), "--quiet"],
                          capture_output=True, text=True, cwd=repo_root(), env=env)
    if proc.returncode != 0:
        raise RuntimeError("Jupyter Book's own build failed:\n" + (proc.stdout + proc.stderr)[-2000:])
    return time.monotonic() - start


def time_noop(folder: Path, data: Path) -> tuple[float, str]:
    """Seconds for a whole `python -m analysis build` process when nothing changed, and its last line."""
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "analysis", "build", "--build-dir", str(folder), "--data", str(data)],
                          capture_output=True, text=True, cwd=repo_root())
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        raise RuntimeError("the no-op build failed:\n" + (proc.stdout + proc.stderr)[-2000:])
    return seconds, proc.stdout.strip().splitlines()[-1]


def change_one_value(data: Path) -> str:
    """Add 1 to the value of the last row of CHANGED_FILE in the copy; return what changed."""
    path = data / CHANGED_FILE
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    row = rows[-1]
    old = row["value"]
    row["value"] = str(int(float(old)) + 1)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return f"{CHANGED_FILE} {row['series_id']} {row['period']}: {old} -> {row['value']}"


def time_one_change(folder: Path, data: Path) -> tuple[float, list[str]]:
    """Seconds for the rebuild after one changed value, and the notebooks it re-executed."""
    lines: list[str] = []
    start = time.monotonic()
    build(build_dir=folder, data=data, echo=lines.append)
    seconds = time.monotonic() - start
    executed = [m.group(1) for line in lines if (m := re.search(r"executing notebooks/(\S+)\.ipynb", line))]
    return seconds, executed


def time_tests() -> float:
    """Wall seconds of the whole test suite, run as `make test` runs it."""
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadfile", "-q", "-p",
                           "no:cacheprovider"], capture_output=True, text=True, cwd=repo_root())
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        raise RuntimeError("the test suite failed:\n" + proc.stdout[-3000:])
    return seconds


def readers_of(filename: str, folder: Path) -> list[str]:
    """The notebooks whose recorded reads include `filename`, from the build's own state."""
    state = json.loads((BuildPaths(folder).cache / "state.json").read_text())
    return sorted(name for name, entry in state["notebooks"].items()
                  if any(read.endswith("/" + filename) for read in entry["reads"]))


def run_bench(tests: bool = True, repeat: int = 2, echo=print) -> dict:
    """Time every step in fresh temporary folders; the clean builds alternate (ours, Jupyter Book's,
    `repeat` times each) and the best of each is compared, so that neither gains from running second."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        root = Path(tmp)
        data = root / "data"
        shutil.copytree(repo_root() / "data", data)
        bundle = BuildPaths(root / "bundle")
        vega_bundle(bundle)  # every build then finds the bundle ready
        ours_times, jb_times = [], []
        for i in range(repeat):
            shutil.copytree(bundle.cache, BuildPaths(root / f"ours{i}").cache)
            shutil.copytree(bundle.cache, BuildPaths(root / f"jb{i}").cache)
            ours_times.append(time_ours(root / f"ours{i}", data))
            published = outputs_of(BuildPaths(root / f"ours{i}").executed / "register.ipynb")
            jb_times.append(time_jupyter_book(root / f"jb{i}", data, published))
        ours, jb = min(ours_times), min(jb_times)
        noop, noop_line = time_noop(root / "ours0", data)
        expected = readers_of(CHANGED_FILE, root / "ours0")
        change = change_one_value(data)
        one, executed = time_one_change(root / "ours0", data)
    result = {"clean_build_seconds": round(ours, 1), "jupyter_book_seconds": round(jb, 1),
              "ratio": round(ours / jb, 2), "noop_seconds": round(noop, 2), "noop_says": noop_line,
              "one_change": change, "one_change_seconds": round(one, 1), "one_change_executed": executed,
              "readers_of_changed_file": expected,
              "chapters": len([c for c in load_chapters() if c.name != "register"])}
    result["runs"] = {"ours": [round(t, 1) for t in ours_times], "jupyter_book": [round(t, 1) for t in jb_times]}
    echo(f"clean build, this pipeline:        {result['clean_build_seconds']:6.1f} s  (best of {result['runs']['ours']})")
    echo(f"Jupyter Book's cached execution:   {result['jupyter_book_seconds']:6.1f} s  (best of "
         f"{result['runs']['jupyter_book']})")
    echo(f"ratio (ours / Jupyter Book's):     {result['ratio']:6.2f}  ({result['chapters']} chapter notebooks "
         "and the register)")
    echo(f"no-op rebuild (whole process):     {result['noop_seconds']:6.2f} s  ({noop_line})")
    echo(f"one data change:                   {result['one_change_seconds']:6.1f} s  ({change}; re-executed "
         f"{', '.join(executed) or 'nothing'}; the notebooks that read it: {', '.join(expected)})")
    if tests:
        result["tests_seconds"] = round(time_tests(), 1)
        echo(f"test suite (pytest -n 2):          {result['tests_seconds']:6.1f} s")
    return result
