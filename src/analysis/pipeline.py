"""Run the chapter notebooks and build the book.

`build` validates the data, executes each chapter notebook with papermill (two at a time)
into `_build/executed/`, stages the book sources with the executed notebooks and the
vendored vega bundle, builds with Jupyter Book (warnings as errors, execution off) into a
temporary folder, and only then swaps the new site into `_build/html`.  A failed or
interrupted build leaves the last good site as it was.

A notebook is executed again only when its cells, its parameters, the data files it read
last time, or the helper package changed (content hashes in `_build/cache/state.json`).
Executed notebooks enter that cache only when the whole build succeeds: a notebook that ran
in a failed build is run again next time, so no output made from bad input survives.

One build runs at a time (`_build/build.lock` holds its process id; a lock left by a dead
process is taken over).  Everything temporary lives in `_build/run-<id>/`, removed on every
way out, and left-overs of a killed build are removed by the next one.
"""

from __future__ import annotations

import errno
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
    from .params import read_params

    path = path or params_file()
    spec = read_params(path)
    shared = dict(spec.get("shared") or {})
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
    from .params import read_params

    spec = read_params(path or params_file())
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


def portable_path(name: str, data_folder: str | Path | None = None) -> str:
    """A file's path as the cache records it: `data/<file>` for a file in the data folder in use
    (data/ or `--data DIR`), else relative to the repository root when inside it.

    A copied or moved checkout then compares its own files, and a build with `--data DIR`
    compares the files of DIR, not those of data/.
    """
    path = Path(name).resolve()
    folder = Path(data_folder).resolve() if data_folder else repo_root().resolve() / "data"
    try:
        return "data/" + path.relative_to(folder).as_posix()
    except ValueError:
        pass
    try:
        return path.relative_to(repo_root().resolve()).as_posix()
    except ValueError:
        return str(path)


def resolve_read(name: str, data_folder: str | Path | None = None) -> Path:
    """Where a recorded read lives now: `data/...` in the data folder in use, others below the root."""
    if name.startswith("data/"):
        folder = Path(data_folder) if data_folder else Path(os.environ.get(DATA_DIR_ENV) or repo_root() / "data")
        return folder / name.removeprefix("data/")
    return Path(name) if Path(name).is_absolute() else repo_root() / name


def inputs_hash(chapter: Chapter, reads: list[str], helpers: str, data_folder: str | Path | None = None) -> str:
    """The cache key of one chapter: notebook sources, parameters, helpers, and data it reads."""
    parts = [notebook_source_hash(chapter.notebook).encode(),
             json.dumps(chapter.parameters, sort_keys=True, default=str).encode(), helpers.encode()]
    for name in sorted(reads):
        path = resolve_read(name, data_folder)
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


def one_line(err: BaseException) -> str:
    """An exception as one plain line: its type and the first line of its message."""
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__


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
                        raise BuildError(f"{Path(notebook).relative_to(repo_root())}: the Python kernel failed to "
                                         f"start or died, twice ({one_line(err)})") from None
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
        reads = sorted(set(portable_path(line, data_dir) for line in log.read_text().splitlines() if line))
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
            except OSError as err:
                errors.append(f"{name}: {disk_message(err)}")
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


def stage_sources(paths: BuildPaths, chapters: list[Chapter], stage: Path, fresh: dict[str, Path] | None = None) -> None:
    """Lay out a book source folder: config, pages, executed notebooks, static files.

    `fresh` maps chapters executed in this build to their outputs; the others come from the cache.
    """
    root = repo_root()
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(root / name, stage / name)
    shutil.copytree(root / "book", stage / "book", ignore=shutil.ignore_patterns("_static"))
    shutil.copytree(root / "book" / "_static", stage / "_static")
    shutil.copy2(vega_bundle(paths), stage / "_static" / "vega-bundle.js")
    shutil.copy2(root / "CONTRIBUTING.md", stage / "CONTRIBUTING.md")  # included by book/contributing.md
    as_of = next((c.parameters["as_of"] for c in chapters if "as_of" in c.parameters), "")
    (stage / "_site.json").write_text(json.dumps({"published": published_date(), "as_of": str(as_of)}))
    for chapter in chapters:
        target = stage / chapter.notebook.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2((fresh or {}).get(chapter.name, paths.executed / f"{chapter.name}.ipynb"), target)


def published_date() -> str:
    """The site's published date: $SITE_PUBLISHED, else the date of the last commit, else today.

    The commit date keeps two builds of the same commit byte-identical.
    """
    if os.environ.get("SITE_PUBLISHED"):
        return os.environ["SITE_PUBLISHED"]
    proc = subprocess.run(["git", "-C", str(repo_root()), "log", "-1", "--format=%cs"], capture_output=True, text=True)
    if proc.returncode == 0 and proc.stdout.strip():
        return proc.stdout.strip()
    return time.strftime("%Y-%m-%d")


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


def disk_message(err: OSError) -> str:
    """A plain line for a file-system error (a full disk above all)."""
    if err.errno == errno.ENOSPC:
        return f"no space left on the device while writing {err.filename or 'the build'}; free some space and build again"
    return one_line(err)


LOCK_NAME = "build.lock"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def acquire_lock(paths: BuildPaths) -> Path:
    """Take `_build/build.lock` (holding this process id); refuse while another live build holds it."""
    paths.root.mkdir(parents=True, exist_ok=True)
    lock = paths.root / LOCK_NAME
    for _ in range(3):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            try:
                pid = int(lock.read_text().strip() or 0)
            except (OSError, ValueError):
                pid = 0
            if pid and pid != os.getpid() and _pid_alive(pid):
                raise BuildError(f"another build (process {pid}) is running in {paths.root}; wait for it to finish "
                                 f"(or remove {lock} if that process is not a build)") from None
            lock.unlink(missing_ok=True)  # left by a dead build: take it over
            continue
        with os.fdopen(fd, "w") as fh:
            fh.write(str(os.getpid()))
        remove_leftovers(paths)
        return lock
    raise BuildError(f"cannot take the build lock {lock}")


def release_lock(lock: Path) -> None:
    """Remove the lock if this process holds it."""
    try:
        if lock.read_text().strip() == str(os.getpid()):
            lock.unlink()
    except OSError:
        pass


def remove_leftovers(paths: BuildPaths) -> None:
    """Remove temporary folders a killed build left behind (called while holding the lock)."""
    for pattern in ("run-*", "stage-*", "html.old"):
        for path in paths.root.glob(pattern):
            shutil.rmtree(path, ignore_errors=True)
    for path in [*paths.cache.glob("*.tmp"), *paths.executed.glob("*.tmp")]:
        if path.is_file():
            path.unlink(missing_ok=True)


def build(overrides: list[str] | None = None, force: bool = False, build_dir: Path | None = None,
          data: Path | None = None, echo=print) -> Path:
    """Validate, execute what changed, build the book, and swap it into place.

    Holds the build lock throughout; every temporary file is removed however the build ends.
    A full disk is reported as a BuildError in one line.
    """
    paths = BuildPaths(Path(build_dir) if build_dir else repo_root() / "_build")
    lock = acquire_lock(paths)
    run = Path(tempfile.mkdtemp(dir=paths.root, prefix="run-"))
    saved_tmp = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(run)  # workers, kernels and Jupyter Book write their temporary files here
    try:
        return _build(paths, run, overrides, force, data, echo)
    except OSError as err:
        raise BuildError(disk_message(err)) from None
    finally:
        if saved_tmp is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_tmp
        shutil.rmtree(run, ignore_errors=True)
        release_lock(lock)


def _build(paths: BuildPaths, run: Path, overrides, force: bool, data, echo) -> Path:
    from .validation import check_data_or_raise

    t0 = time.monotonic()
    data_folder = str(Path(data).resolve()) if data else os.environ.get(DATA_DIR_ENV)
    if data_folder:
        os.environ[DATA_DIR_ENV] = data_folder
    chapters = load_chapters(overrides)
    for warning in check_data_or_raise(Path(data_folder) if data_folder else None, chapters, BuildError):
        echo(f"  warning: {warning}")
    echo("data valid")
    state = read_state(paths)
    helpers = package_hash()
    jobs = []
    for chapter in chapters:
        entry = state["notebooks"].get(chapter.name)
        output = paths.executed / f"{chapter.name}.ipynb"
        fresh = (not force and entry and output.is_file()
                 and entry["key"] == inputs_hash(chapter, entry["reads"], helpers, data_folder))
        if fresh:
            echo(f"  up to date: {chapter.notebook.relative_to(repo_root())}")
        else:
            jobs.append((chapter, run / "executed" / f"{chapter.name}.ipynb"))
    # executed notebooks stay in the run folder until the whole build has succeeded
    results = run_notebooks(jobs, data_dir=data_folder, echo=echo)
    entries = {chapter.name: {"key": inputs_hash(chapter, results[chapter.name]["reads"], helpers, data_folder),
                              "reads": results[chapter.name]["reads"]} for chapter, _ in jobs}
    outputs = {chapter.name: output for chapter, output in jobs}

    stage = run / "stage" / "source"
    stage.mkdir(parents=True)
    stage_sources(paths, chapters, stage, outputs)
    import jupyter_book

    site_key = sha256_bytes(tree_hash(stage).encode(), jupyter_book.__version__.encode())
    if not force and state.get("site") == site_key and (paths.site / "index.html").is_file():
        commit_executed(paths, outputs, entries, site_key)
        echo(f"site up to date: {paths.site} ({time.monotonic() - t0:.1f} s)")
        return paths.site
    echo("  building the book with Jupyter Book")
    t1 = time.monotonic()
    new_site = jupyter_book_build(stage, run / "stage" / "out")
    echo(f"  book built in {time.monotonic() - t1:.1f} s")
    # forget the old cache entries first: a build killed between here and the end re-executes them
    state = read_state(paths)
    for name in outputs:
        state["notebooks"].pop(name, None)
    state["site"] = None
    write_state(paths, state)
    swap_site(new_site, paths)
    commit_executed(paths, outputs, entries, site_key)
    echo(f"site ready: {paths.site / 'index.html'} ({time.monotonic() - t0:.1f} s)")
    return paths.site


def commit_executed(paths: BuildPaths, outputs: dict[str, Path], entries: dict[str, dict], site_key: str) -> None:
    """After a successful build: move the executed notebooks into the cache and record their keys."""
    state = read_state(paths)
    for name in outputs:
        state["notebooks"].pop(name, None)
    write_state(paths, state)
    paths.executed.mkdir(parents=True, exist_ok=True)
    for name, output in outputs.items():
        os.replace(output, paths.executed / f"{name}.ipynb")
    state["notebooks"].update(entries)
    state["site"] = site_key
    write_state(paths, state)


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
