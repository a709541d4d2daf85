"""Benchmark: this book's clean build against Jupyter Book's own cached execution.

`python -m analysis bench` (or `make bench`) builds the same book twice from nothing, in
temporary folders, and prints both times and their ratio:

- ours: validate the data, execute every notebook with papermill (two at a time), build
  with Jupyter Book with execution off (`build(force=True)`);
- Jupyter Book's: the same sources with the committed notebooks, executed by Jupyter Book
  itself (`execute_notebooks: cache`, one at a time), then built.

A ratio under 1 means the clean build is faster.  Nothing in the repository is written.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from .pipeline import BuildPaths, build, load_chapters, stage_sources, vega_bundle
from .paths import repo_root


def time_ours(folder: Path) -> float:
    """Seconds for a clean build of the book with this project's pipeline."""
    start = time.monotonic()
    build(force=True, build_dir=folder, echo=lambda *_: None)
    return time.monotonic() - start


def time_jupyter_book(folder: Path) -> float:
    """Seconds for Jupyter Book to execute (with its cache, empty) and build the same sources."""
    start = time.monotonic()
    paths = BuildPaths(folder)
    chapters = load_chapters()
    paths.executed.mkdir(parents=True, exist_ok=True)
    for chapter in chapters:  # the committed notebooks, executed by Jupyter Book instead of papermill
        shutil.copy2(chapter.notebook, paths.executed / f"{chapter.name}.ipynb")
    stage = folder / "source"
    stage.mkdir(parents=True)
    stage_sources(paths, chapters, stage)
    config = yaml.safe_load((stage / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "cache"
    (stage / "_config.yml").write_text(yaml.safe_dump(config))
    exe = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run([str(exe), "build", str(stage), "--path-output", str(folder / "out"), "--quiet"],
                          capture_output=True, text=True, cwd=repo_root())
    if proc.returncode != 0:
        raise RuntimeError("Jupyter Book's own build failed:\n" + (proc.stdout + proc.stderr)[-2000:])
    return time.monotonic() - start


def run_bench(echo=print) -> dict[str, float]:
    """Time both builds once each, in fresh temporary folders; return the times and the ratio."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        vega_bundle(BuildPaths(Path(tmp) / "jb"))  # both builds then find the bundle ready
        shutil.copytree(Path(tmp) / "jb" / "cache", Path(tmp) / "ours" / "cache")
        jb = time_jupyter_book(Path(tmp) / "jb")
        ours = time_ours(Path(tmp) / "ours")
    n = len([c for c in load_chapters() if c.name != "register"])
    result = {"ours_seconds": round(ours, 1), "jupyter_book_seconds": round(jb, 1),
              "ratio": round(ours / jb, 2), "chapters": n}
    echo(f"clean build, this pipeline:         {result['ours_seconds']:6.1f} s")
    echo(f"Jupyter Book's cached execution:    {result['jupyter_book_seconds']:6.1f} s")
    echo(f"ratio (ours / Jupyter Book's):      {result['ratio']:6.2f}  with {n} chapter notebooks")
    return result
