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

import atexit
import errno
import hashlib
import json
import logging
import multiprocessing.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from multiprocessing import get_context
from pathlib import Path

import nbformat

from .outputs import OUTPUTS_DIR_ENV, STAGED
from .params import Chapter, load_chapters
from .paths import CHART_IMAGES_ENV, DATA_DIR_ENV, READS_LOG_ENV, repo_root

#: Papermill metadata that changes on every run and must not reach committed notebooks or HTML.
VOLATILE_NOTEBOOK_KEYS = ("start_time", "end_time", "duration", "input_path", "output_path", "environment_variables")
INJECTED_CELL_ID = "injected-parameters"


class BuildError(RuntimeError):
    """A build step failed; the message says which notebook and cell, or which step."""


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


#: Environment variables a notebook reads; the warm kernel is given the build's values before each notebook.
KERNEL_ENV_KEYS = (READS_LOG_ENV, DATA_DIR_ENV, OUTPUTS_DIR_ENV, "TMPDIR", "SITE_PUBLISHED")

#: Run silently in the warm kernel before each notebook: the environment and working folder of a
#: new kernel, the book's own package dropped (so its module-level state starts afresh and every
#: data read is logged again), warnings shown again, and IPython's namespace, history and
#: execution counter reset.  Imported libraries (pandas, altair, myst_nb) stay loaded: that is
#: the cost a warm kernel saves.
RESET_CODE = """\
import os as _os, sys as _sys, warnings as _warnings
for _key, _value in {env!r}.items():
    if _value is None:
        _os.environ.pop(_key, None)
    else:
        _os.environ[_key] = _value
_os.chdir({cwd!r})
for _name in [_m for _m in _sys.modules if _m == "analysis" or _m.startswith("analysis.")]:
    del _sys.modules[_name]
if not hasattr(_sys, "_book_new_kernel_warning_filters"):  # the first notebook: keep a new kernel's filters
    _sys._book_new_kernel_warning_filters = list(_warnings.filters)
_warnings.filters[:] = _sys._book_new_kernel_warning_filters
_warnings.onceregistry.clear()
_warnings._filters_mutated()  # every module's record of warnings already shown is forgotten
get_ipython().run_line_magic("reset", "-f")
get_ipython().execution_count = 1
"""


class WarmKernel:
    """One Python kernel per worker process, kept between notebooks and reset before each one.

    Starting a kernel and importing pandas and altair cost about 2 s per notebook; a build's
    worker pays it once.  Each notebook still runs in a clean namespace with its own parameters
    (papermill injects them as usual), and its outputs are the same bytes as from a new kernel
    (tested against a new kernel, and by nbval).
    """

    def __init__(self):
        self.km = None

    def get(self, cwd: str):
        """The running kernel manager (started now when there is none or it died)."""
        from jupyter_client.manager import KernelManager  # heavy: started only when a notebook runs

        if self.km is not None and not self.km.is_alive():
            self.stop()
        if self.km is None:
            km = KernelManager(kernel_name="python3")
            km.start_kernel(cwd=cwd, extra_arguments=["--HistoryManager.hist_file=:memory:"])
            self.km = km
            # shut it down when this process ends: atexit for a command, Finalize for a pool
            # worker (which leaves through os._exit, skipping atexit)
            atexit.register(self.stop)
            multiprocessing.util.Finalize(self, WarmKernel.stop, args=(self,), exitpriority=100)
        return self.km

    def reset(self, cwd: str) -> None:
        """Give the kernel a new kernel's state (see RESET_CODE) before the next notebook."""
        kc = self.km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
            env = {key: os.environ.get(key) for key in KERNEL_ENV_KEYS}
            code = RESET_CODE.format(env=env, cwd=cwd)
            reply = kc.execute_interactive(code, silent=True, store_history=False, timeout=60)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"the warm kernel could not be reset: {reply['content'].get('evalue')}")
        finally:
            kc.stop_channels()

    def stop(self) -> None:
        """Shut the kernel down (at the end of a worker, or after it failed)."""
        if self.km is not None:
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:  # already gone
                pass
            self.km = None


_WARM = WarmKernel()


def _register_warm_engine() -> str:
    """Register (once) a papermill engine that executes on the warm kernel and closes its client."""
    from papermill.clientwrap import PapermillNotebookClient  # heavy: papermill, only when a notebook runs
    from papermill.engines import NBClientEngine, papermill_engines  # heavy
    from papermill.utils import merge_kwargs, remove_args  # heavy

    class WarmEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(safe_kwargs, timeout=execution_timeout or kwargs.get("timeout"),
                                        startup_timeout=start_timeout, kernel_name=kernel_name,
                                        log=logging.getLogger("papermill"), log_output=log_output,
                                        stdout_file=stdout_file, stderr_file=stderr_file)
            client = PapermillNotebookClient(nb_man, **final_kwargs)
            try:
                return client.execute()
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()

    if "warm" not in papermill_engines._engines:
        papermill_engines.register("warm", WarmEngine)
    return "warm"


def execute_notebook(notebook: str, output: str, parameters: dict, data_dir: str | None = None) -> dict:
    """Execute one notebook with papermill on the worker's warm kernel; return the data files it
    read and seconds taken.

    Runs in a worker process.  The output is written to a temporary file first and moved
    into place only when execution succeeded.  A kernel that fails to start or dies is replaced
    by a new one and the notebook tried once more.
    """
    import papermill as pm  # heavy: only when a notebook runs

    start = time.monotonic()
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    cwd = str(Path(notebook).parent)
    saved = {key: os.environ.get(key) for key in (READS_LOG_ENV, DATA_DIR_ENV, OUTPUTS_DIR_ENV)}
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "reads.log"
        log.touch()
        os.environ[READS_LOG_ENV] = str(log)
        published = Path(tmp) / "outputs"
        os.environ[OUTPUTS_DIR_ENV] = str(published)
        if data_dir:
            os.environ[DATA_DIR_ENV] = data_dir
        partial = Path(tmp) / out.name
        try:
            _run_on_warm_kernel(notebook, partial, parameters, cwd, log, published)
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
        outputs = outputs_of(out)
        shutil.rmtree(outputs, ignore_errors=True)
        if published.is_dir():
            shutil.move(published, outputs)
        staged = out.with_suffix(".tmp")
        nbformat.write(nb, staged)
        os.replace(staged, out)
        reads = sorted(set(portable_path(line, data_dir) for line in log.read_text().splitlines() if line))
    return {"reads": reads, "seconds": round(time.monotonic() - start, 1)}


def _run_on_warm_kernel(notebook: str, partial: Path, parameters: dict, cwd: str, log: Path, published: Path) -> None:
    """Papermill on the worker's warm kernel, reset first; a kernel that fails to start or dies is
    replaced and the notebook run once more (its reads log and published files emptied first)."""
    import papermill as pm  # heavy: only when a notebook runs

    for attempt in (1, 2):
        try:
            km = _WARM.get(cwd)
            _WARM.reset(cwd)
            pm.execute_notebook(notebook, str(partial), parameters=parameters, kernel_name="python3",
                                cwd=cwd, progress_bar=False, log_output=False, report_mode=False,
                                request_save_on_cell_execute=False,  # one write at the end
                                engine_name=_register_warm_engine(), km=km)
            return
        except pm.PapermillExecutionError:
            raise
        except Exception as err:  # the kernel failed to start or died: not the notebook's fault
            _WARM.stop()
            if attempt == 2:
                raise BuildError(f"{Path(notebook).relative_to(repo_root())}: the Python kernel failed to "
                                 f"start or died, twice ({one_line(err)})") from None
            log.write_text("")
            shutil.rmtree(published, ignore_errors=True)


def longest_first(jobs: list[tuple[Chapter, Path]]) -> list[tuple[Chapter, Path]]:
    """Order jobs so the slowest start first and two workers finish together.

    The last recorded time decides; with none, the register page (which gathers every chapter's
    claims) goes first, then the chapters in book order.
    """
    def key(job):
        chapter = job[0]
        if chapter.last_seconds is not None:
            return (0, -chapter.last_seconds)
        return (1, 0 if chapter.name == "register" else 1)
    return sorted(jobs, key=key)


def outputs_of(executed: Path) -> Path:
    """The folder of files an executed notebook published (see `analysis.outputs`), beside it."""
    return executed.with_suffix(".outputs")


def run_notebooks(jobs: list[tuple[Chapter, Path]], workers: int = 2, data_dir: str | None = None,
                  echo=print) -> dict[str, dict]:
    """Execute notebooks two at a time, slowest first; stop with a BuildError naming the first failure."""
    results: dict[str, dict] = {}
    if not jobs:
        return results
    jobs = longest_first(jobs)
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
    # named by the installed versions, read without importing altair (about 1 s) when cached
    target = paths.cache / f"vega-bundle-{version('altair')}-{version('vl-convert-python')}.js"
    if not target.is_file():
        from .charts import vega_bundle_js  # heavy: altair, only to make the bundle

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
    # the chart images are drawn once per content (site.chart_images keys them by what they show)
    (stage / "_site.json").write_text(json.dumps({"published": published_date(), "as_of": str(as_of),
                                                 "chart_images": os.environ.get(CHART_IMAGES_ENV)
                                                 or str(paths.cache / "chart-images")}))
    for chapter in chapters:
        target = stage / chapter.notebook.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        executed = (fresh or {}).get(chapter.name, paths.executed / f"{chapter.name}.ipynb")
        shutil.copy2(executed, target)
        if outputs_of(executed).is_dir():
            shutil.copytree(outputs_of(executed), stage / STAGED / chapter.name)


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
    site = output / "_build" / "html"
    write_root_page(site)
    return site


#: The site's front door: Jupyter Book writes a bare refresh; this one also names the book, carries
#: the favicon (so no browser asks for a missing /favicon.ico) and links on for readers whose browser
#: does not follow the refresh.
ROOT_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Refresh" content="0; url={target}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Probation in Numbers</title>
<link rel="icon" href="_static/favicon.svg">
<link rel="canonical" href="{target}">
</head>
<body><p><a href="{target}">Probation in Numbers</a></p></body>
</html>
"""


def write_root_page(site: Path) -> None:
    """Replace Jupyter Book's one-line redirect at the site root with ROOT_PAGE (same target)."""
    root = site / "index.html"
    if not root.is_file():
        return
    found = re.search(r'url=([^"\s]+)"', root.read_text(encoding="utf-8"))
    if found:
        root.write_text(ROOT_PAGE.format(target=found.group(1)), encoding="utf-8")


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


#: What a build reads from the checkout besides the data folder and the helper package.
BUILD_INPUTS = ("params.yml", "_config.yml", "_toc.yml", "CONTRIBUTING.md", "book", "notebooks")
#: Installed packages whose versions shape the output.
BUILD_PACKAGES = ("jupyter-book", "altair", "vl-convert-python", "pandas", "myst-nb", "sphinx",
                  "pydata-sphinx-theme", "sphinx-book-theme", "papermill", "nbformat")


def build_fingerprint(overrides: list[str] | None, data_folder: str | None) -> str:
    """One hash of everything a build reads, computed without importing the heavy stack.

    When it equals the last successful build's and the site is in place, nothing can have
    changed: the build says so and stops (no validation, no kernel, no Sphinx).  Anything
    else goes through the per-notebook and site keys as usual.
    """
    root = repo_root()
    parts = [json.dumps(overrides or []).encode(), package_hash().encode(), published_date().encode(),
             tree_hash(Path(data_folder) if data_folder else root / "data").encode()]
    for name in BUILD_INPUTS:
        path = root / name
        parts.append(name.encode() + b"\0" + (tree_hash(path).encode() if path.is_dir() else
                                              path.read_bytes() if path.is_file() else b"<missing>"))
    for package in BUILD_PACKAGES:
        try:
            parts.append(f"{package}=={version(package)}".encode())
        except PackageNotFoundError:
            parts.append(f"{package} missing".encode())
    return sha256_bytes(*parts)


def stale_notebooks(paths: BuildPaths, run: Path, chapters: list[Chapter], state: dict, helpers: str,
                    data_folder: str | None, force: bool, echo) -> list[tuple[Chapter, Path]]:
    """The notebooks to execute (with where their output goes in this run): those whose cells,
    parameters, helpers or the data files they last read changed, or every one when forced."""
    jobs = []
    for chapter in chapters:
        entry = state["notebooks"].get(chapter.name)
        output = paths.executed / f"{chapter.name}.ipynb"
        fresh = (not force and entry and output.is_file()
                 and entry["key"] == inputs_hash(chapter, entry["reads"], helpers, data_folder))
        if fresh:
            echo(f"  up to date: {chapter.notebook.relative_to(repo_root())}")
        else:
            chapter.last_seconds = (entry or {}).get("seconds")
            jobs.append((chapter, run / "executed" / f"{chapter.name}.ipynb"))
    return jobs


def _build(paths: BuildPaths, run: Path, overrides, force: bool, data, echo) -> Path:
    t0 = time.monotonic()
    data_folder = str(Path(data).resolve()) if data else os.environ.get(DATA_DIR_ENV)
    if data_folder:
        os.environ[DATA_DIR_ENV] = data_folder
    fingerprint = build_fingerprint(overrides, data_folder)
    if not force and read_state(paths).get("fingerprint") == fingerprint and (paths.site / "index.html").is_file():
        echo(f"site up to date: {paths.site} (nothing changed since the last build; {time.monotonic() - t0:.2f} s)")
        return paths.site
    from .validation import check_data_or_raise  # heavy: frictionless and pandas, never loaded by a no-op build

    chapters = load_chapters(overrides)
    for warning in check_data_or_raise(Path(data_folder) if data_folder else None, chapters, BuildError):
        echo(f"  warning: {warning}")
    echo("data valid")
    state = read_state(paths)
    helpers = package_hash()
    jobs = stale_notebooks(paths, run, chapters, state, helpers, data_folder, force, echo)
    # executed notebooks stay in the run folder until the whole build has succeeded
    results = run_notebooks(jobs, data_dir=data_folder, echo=echo)
    entries = {chapter.name: {"key": inputs_hash(chapter, results[chapter.name]["reads"], helpers, data_folder),
                              "reads": results[chapter.name]["reads"],
                              "seconds": results[chapter.name]["seconds"]} for chapter, _ in jobs}
    outputs = {chapter.name: output for chapter, output in jobs}

    stage = run / "stage" / "source"
    stage.mkdir(parents=True)
    stage_sources(paths, chapters, stage, outputs)

    # the Sphinx stage also reads the data folder (the data download) and runs the helper package
    # (site.py, and the root page written here), so both are in the key
    site_key = sha256_bytes(tree_hash(stage).encode(), tree_hash(Path(data_folder) if data_folder else
                                                                  repo_root() / "data").encode(),
                            version("jupyter-book").encode(), helpers.encode())
    if not force and state.get("site") == site_key and (paths.site / "index.html").is_file():
        commit_executed(paths, outputs, entries, site_key, fingerprint)
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
    state["fingerprint"] = None
    write_state(paths, state)
    swap_site(new_site, paths)
    commit_executed(paths, outputs, entries, site_key, fingerprint)
    echo(f"site ready: {paths.site / 'index.html'} ({time.monotonic() - t0:.1f} s)")
    return paths.site


def commit_executed(paths: BuildPaths, outputs: dict[str, Path], entries: dict[str, dict], site_key: str,
                    fingerprint: str | None = None) -> None:
    """After a successful build: move the executed notebooks into the cache and record their keys
    (and the build's fingerprint, last, so that a build killed on the way never looks up to date)."""
    state = read_state(paths)
    for name in outputs:
        state["notebooks"].pop(name, None)
    state["fingerprint"] = None
    write_state(paths, state)
    paths.executed.mkdir(parents=True, exist_ok=True)
    for name, output in outputs.items():
        target = paths.executed / f"{name}.ipynb"
        shutil.rmtree(outputs_of(target), ignore_errors=True)
        if outputs_of(output).is_dir():
            os.replace(outputs_of(output), outputs_of(target))
        os.replace(output, target)
    state["notebooks"].update(entries)
    state["site"] = site_key
    state["fingerprint"] = fingerprint
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
