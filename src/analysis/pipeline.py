"""Run the chapter notebooks and build the book.

`build` validates the data, executes each chapter notebook with papermill (two at a time)
into `_build/executed/`, stages the book sources with the executed notebooks and the
vendored vega bundle, builds with Jupyter Book (warnings as errors, execution off) into a
temporary folder, and only then swaps the new site into `_build/html`.  A failed or
interrupted build leaves the last good site as it was.

A notebook is executed again only when its cells, its parameters, the data files it read
last time, or the helper package changed (content hashes in `_build/cache/state.json`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import nbformat
import yaml

from .paths import DATA_DIR_ENV, READS_LOG_ENV, params_file, repo_root

#: Papermill metadata that changes on every run and must not reach committed notebooks or HTML.
VOLATILE_NOTEBOOK_KEYS = ("start_time", "end_time", "duration", "input_path", "output_path", "environment_variables")
INJECTED_CELL_ID = "injected-parameters"


class BuildError(RuntimeError):
    """A build step failed; the message says which notebook and cell, or which step."""


@dataclass
class Chapter:
    """One chapter: its notebook and the parameters it runs with."""

    name: str
    notebook: Path
    parameters: dict = field(default_factory=dict)


def parse_override(text: str) -> tuple[str | None, str, object]:
    """Split 'CHAPTER.NAME=VALUE' (or 'NAME=VALUE' for every chapter); VALUE is read as YAML."""
    if "=" not in text:
        raise ValueError(f"--param needs CHAPTER.NAME=VALUE, got {text!r}")
    key, raw = text.split("=", 1)
    chapter, _, name = key.rpartition(".")
    return (chapter or None), name, yaml.safe_load(raw)


def load_chapters(overrides: list[str] | None = None, path: Path | None = None) -> list[Chapter]:
    """Read the parameters file and apply command-line overrides.

    Shared parameters (such as `as_of`) go to every chapter; a chapter's own parameters win.
    """
    path = path or params_file()
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    shared = dict(spec.get("shared", {}))
    chapters = []
    for name, entry in [*spec["chapters"].items(), *spec.get("pages", {}).items()]:
        if not entry.get("notebook"):
            continue  # a planned chapter: claims registered, no page yet
        params = {**shared, **(entry.get("parameters") or {})}
        chapters.append(Chapter(name, repo_root() / entry["notebook"], params))
    by_name = {c.name: c for c in chapters}
    for text in overrides or []:
        chapter, name, value = parse_override(text)
        if chapter and chapter not in by_name:
            raise ValueError(f"--param {text!r}: no chapter {chapter!r} in {path.name} (have {', '.join(by_name)})")
        targets = [by_name[chapter]] if chapter else [c for c in chapters if name in c.parameters] or chapters
        for target in targets:
            if name not in target.parameters:
                raise ValueError(f"--param {text!r}: chapter {target.name!r} has no parameter {name!r} "
                                 f"(has {', '.join(target.parameters)})")
            target.parameters[name] = value
    return chapters


def chapter_list(path: Path | None = None) -> list[dict]:
    """The one list of chapters, in book order: name, title, question, notebook (None when planned)."""
    spec = yaml.safe_load((path or params_file()).read_text(encoding="utf-8"))
    return [{"name": name, "title": entry["title"], "question": entry["question"],
             "notebook": entry.get("notebook")} for name, entry in spec["chapters"].items()]


def sha256_bytes(*chunks: bytes) -> str:
    """Hash a sequence of byte strings."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(hashlib.sha256(chunk).digest())
    return digest.hexdigest()


def notebook_source_hash(path: Path) -> str:
    """Hash a notebook's cell types and sources only: outputs and injected parameters do not count."""
    nb = nbformat.read(path, as_version=4)
    parts = [f"{c.cell_type}\n{c.source}".encode() for c in nb.cells
             if "injected-parameters" not in c.metadata.get("tags", [])]
    return sha256_bytes(*parts)


def package_hash() -> str:
    """Hash the helper package's source files."""
    pkg = Path(__file__).parent
    files = sorted(pkg.rglob("*.py"))
    return sha256_bytes(*[f.relative_to(pkg).as_posix().encode() + b"\0" + f.read_bytes() for f in files])


def portable_path(name: str) -> str:
    """A data file's path as the cache records it: relative to the repository root when inside it.

    A copied or moved checkout then compares its own files, not those of the old location.
    """
    path = Path(name)
    try:
        return path.resolve().relative_to(repo_root().resolve()).as_posix()
    except ValueError:
        return str(path)


def inputs_hash(chapter: Chapter, reads: list[str], helpers: str) -> str:
    """The cache key of one chapter: notebook sources, parameters, helpers, and data it reads."""
    parts = [notebook_source_hash(chapter.notebook).encode(),
             json.dumps(chapter.parameters, sort_keys=True, default=str).encode(), helpers.encode()]
    for name in sorted(reads):
        path = Path(name) if Path(name).is_absolute() else repo_root() / name
        parts.append(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"<missing>"))
    return sha256_bytes(*parts)


def strip_volatile(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove timestamps and paths papermill and nbclient write, so reruns are byte-identical."""
    meta = nb.metadata.get("papermill", {})
    for key in VOLATILE_NOTEBOOK_KEYS:
        meta.pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = INJECTED_CELL_ID
            if "remove-cell" not in cell.metadata["tags"]:
                cell.metadata["tags"].append("remove-cell")
    return nb


def execute_notebook(notebook: str, output: str, parameters: dict, data_dir: str | None = None) -> dict:
    """Execute one notebook with papermill; return the data files it read and seconds taken.

    Runs in a worker process.  The output is written to a temporary file first and moved
    into place only when execution succeeded.
    """
    import papermill as pm

    start = time.monotonic()
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    saved = {key: os.environ.get(key) for key in (READS_LOG_ENV, DATA_DIR_ENV)}
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "reads.log"
        log.touch()
        os.environ[READS_LOG_ENV] = str(log)
        if data_dir:
            os.environ[DATA_DIR_ENV] = data_dir
        partial = Path(tmp) / out.name
        try:
            for attempt in (1, 2):
                try:
                    pm.execute_notebook(notebook, str(partial), parameters=parameters, kernel_name="python3",
                                        cwd=str(Path(notebook).parent), progress_bar=False, log_output=False,
                                        report_mode=False)
                    break
                except pm.PapermillExecutionError:
                    raise
                except Exception as err:  # the kernel failed to start or died: not the notebook's fault
                    if attempt == 2:
                        raise BuildError(f"{Path(notebook).relative_to(repo_root())}: the kernel failed twice "
                                         f"({type(err).__name__}: {err})") from None
                    log.write_text("")
        except pm.PapermillExecutionError as err:
            raise BuildError(f"{Path(notebook).relative_to(repo_root())} failed in cell {err.cell_index} "
                             f"(execution count {err.exec_count}): {err.ename}: {err.evalue}") from None
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        nb = strip_volatile(nbformat.read(partial, as_version=4))
        staged = out.with_suffix(".tmp")
        nbformat.write(nb, staged)
        os.replace(staged, out)
        reads = sorted(set(portable_path(line) for line in log.read_text().splitlines() if line))
    return {"reads": reads, "seconds": round(time.monotonic() - start, 1)}


def run_notebooks(jobs: list[tuple[Chapter, Path]], workers: int = 2, data_dir: str | None = None,
                  echo=print) -> dict[str, dict]:
    """Execute notebooks two at a time; stop with a BuildError naming the first failure."""
    results: dict[str, dict] = {}
    if not jobs:
        return results
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=get_context("spawn")) as pool:
        futures = {}
        for chapter, output in jobs:
            echo(f"  executing {chapter.notebook.relative_to(repo_root())} with {chapter.parameters}")
            futures[chapter.name] = pool.submit(execute_notebook, str(chapter.notebook), str(output),
                                                chapter.parameters, data_dir)
        errors = []
        for name, future in futures.items():
            try:
                results[name] = future.result()
                echo(f"  done {name} in {results[name]['seconds']} s")
            except BuildError as err:
                errors.append(str(err))
        if errors:
            raise BuildError("; ".join(errors))
    return results


@dataclass
class BuildPaths:
    """Where a build writes: executed notebooks, staged sources, cache state and the site."""

    root: Path

    @property
    def executed(self) -> Path:
        return self.root / "executed"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    @property
    def site(self) -> Path:
        return self.root / "html"


def read_state(paths: BuildPaths) -> dict:
    """The cache state of the last successful executions and build."""
    state_file = paths.cache / "state.json"
    return json.loads(state_file.read_text()) if state_file.is_file() else {"notebooks": {}, "site": None}


def write_state(paths: BuildPaths, state: dict) -> None:
    """Write the cache state atomically."""
    paths.cache.mkdir(parents=True, exist_ok=True)
    tmp = paths.cache / "state.json.tmp"
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
    os.replace(tmp, paths.cache / "state.json")


def vega_bundle(paths: BuildPaths) -> Path:
    """The vendored vega bundle, generated once per installed altair / vl-convert version."""
    import altair
    import vl_convert

    from .charts import vega_bundle_js

    target = paths.cache / f"vega-bundle-{altair.__version__}-{vl_convert.__version__}.js"
    if not target.is_file():
        paths.cache.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(vega_bundle_js(), encoding="utf-8")
        os.replace(tmp, target)
    return target


def stage_sources(paths: BuildPaths, chapters: list[Chapter], stage: Path) -> None:
    """Lay out a book source folder: config, pages, executed notebooks, static files."""
    root = repo_root()
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(root / name, stage / name)
    shutil.copytree(root / "book", stage / "book", ignore=shutil.ignore_patterns("_static"))
    shutil.copytree(root / "book" / "_static", stage / "_static")
    shutil.copy2(vega_bundle(paths), stage / "_static" / "vega-bundle.js")
    shutil.copy2(root / "CONTRIBUTING.md", stage / "CONTRIBUTING.md")  # included by book/contributing.md
    for chapter in chapters:
        target = stage / chapter.notebook.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(paths.executed / f"{chapter.name}.ipynb", target)


def tree_hash(folder: Path) -> str:
    """Hash every file below a folder, names and contents."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return sha256_bytes(*[p.relative_to(folder).as_posix().encode() + b"\0" + p.read_bytes() for p in files])


def jupyter_book_build(stage: Path, output: Path) -> Path:
    """Run Jupyter Book on the staged sources; return the built HTML folder or raise BuildError."""
    exe = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(exe), "build", str(stage), "--path-output", str(output), "--builder", "html",
           "-W", "-n", "--keep-going", "--quiet"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        log = (proc.stdout + proc.stderr).strip().splitlines()
        interesting = [line for line in log if "WARNING" in line or "ERROR" in line or "Error" in line]
        raise BuildError("Jupyter Book failed:\n" + "\n".join((interesting or log)[-40:]))
    return output / "_build" / "html"


def swap_site(new_site: Path, paths: BuildPaths) -> None:
    """Move the new site into place; the old one is removed only after the move."""
    paths.site.parent.mkdir(parents=True, exist_ok=True)
    old = paths.root / "html.old"
    if old.exists():
        shutil.rmtree(old)
    if paths.site.exists():
        os.replace(paths.site, old)
    os.replace(new_site, paths.site)
    if old.exists():
        shutil.rmtree(old)


def build(overrides: list[str] | None = None, force: bool = False, build_dir: Path | None = None,
          data: Path | None = None, echo=print) -> Path:
    """Validate, execute what changed, build the book, and swap it into place."""
    from .validation import validate_data

    t0 = time.monotonic()
    paths = BuildPaths(Path(build_dir) if build_dir else repo_root() / "_build")
    data_folder = str(Path(data).resolve()) if data else os.environ.get(DATA_DIR_ENV)
    if data_folder:
        os.environ[DATA_DIR_ENV] = data_folder
    problems = validate_data(Path(data_folder) if data_folder else None)
    if problems:
        raise BuildError("the data is not valid; the site was left as it was:\n" + "\n".join(f"  {p}" for p in problems))
    echo("data valid")
    chapters = load_chapters(overrides)
    state = read_state(paths)
    helpers = package_hash()
    jobs = []
    for chapter in chapters:
        entry = state["notebooks"].get(chapter.name)
        output = paths.executed / f"{chapter.name}.ipynb"
        fresh = (not force and entry and output.is_file()
                 and entry["key"] == inputs_hash(chapter, entry["reads"], helpers))
        if fresh:
            echo(f"  up to date: {chapter.notebook.relative_to(repo_root())}")
        else:
            jobs.append((chapter, output))
    results = run_notebooks(jobs, data_dir=data_folder, echo=echo)
    for chapter, _ in jobs:
        reads = results[chapter.name]["reads"]
        state["notebooks"][chapter.name] = {"key": inputs_hash(chapter, reads, helpers), "reads": reads}
    write_state(paths, state)

    paths.root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=paths.root, prefix="stage-") as tmp:
        stage = Path(tmp) / "source"
        stage.mkdir()
        stage_sources(paths, chapters, stage)
        import jupyter_book

        site_key = sha256_bytes(tree_hash(stage).encode(), jupyter_book.__version__.encode())
        if not force and state.get("site") == site_key and (paths.site / "index.html").is_file():
            echo(f"site up to date: {paths.site} ({time.monotonic() - t0:.1f} s)")
            return paths.site
        echo("  building the book with Jupyter Book")
        t1 = time.monotonic()
        new_site = jupyter_book_build(stage, Path(tmp) / "out")
        echo(f"  book built in {time.monotonic() - t1:.1f} s")
        swap_site(new_site, paths)
    state["site"] = site_key
    write_state(paths, state)
    snapshot_data(paths, Path(data_folder) if data_folder else repo_root() / "data")
    echo(f"site ready: {paths.site / 'index.html'} ({time.monotonic() - t0:.1f} s)")
    return paths.site


def snapshot_data(paths: BuildPaths, folder: Path) -> Path:
    """Keep a copy of the data behind the last good site: the baseline for the next update report."""
    target = paths.cache / "last-build-data"
    tmp = paths.cache / "last-build-data.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    shutil.copytree(folder, tmp)
    if target.exists():
        shutil.rmtree(target)
    os.replace(tmp, target)
    return target


def refresh_notebooks(names: list[str] | None = None, echo=print) -> None:
    """Re-execute chapter notebooks with the default parameters and commit-ready outputs in place.

    Use after an intended change to data or code, so nbval compares against the new outputs.
    """
    chapters = [c for c in load_chapters() if not names or c.name in names]
    with tempfile.TemporaryDirectory() as tmp:
        jobs = [(c, Path(tmp) / f"{c.name}.ipynb") for c in chapters]
        run_notebooks(jobs, echo=echo)
        for chapter, output in jobs:
            shutil.copyfile(output, chapter.notebook)
            echo(f"  refreshed {chapter.notebook.relative_to(repo_root())}")
