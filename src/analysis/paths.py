"""Where the book's files live.

The repository root holds `_config.yml`, `_toc.yml`, `data/`, `notebooks/` and `book/`.
Notebooks run with their own folder as working directory, so every helper finds files
through these functions rather than through relative paths.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

#: Environment variable that points the helpers at another data folder (tests, updates).
DATA_DIR_ENV = "ANALYSIS_DATA_DIR"
#: Environment variable naming a file in which every data file read is logged.
READS_LOG_ENV = "ANALYSIS_READS_LOG"
#: A folder of chart images drawn by earlier builds, keyed by what each shows (default: the build's own cache);
#: the tests share one across their builds.
CHART_IMAGES_ENV = "ANALYSIS_CHART_IMAGES"


def repo_root() -> Path:
    """Return the repository root: the checkout the command runs in, else the one holding this package.

    The working directory comes first, so that a copied or moved checkout builds its own files
    even when its virtual environment still points at the package of the old location.
    """
    cwd = Path.cwd().resolve()
    here = Path(__file__).resolve()
    for start in (cwd, here):
        for parent in [start, *start.parents]:
            if (parent / "_toc.yml").is_file() and (parent / "data").is_dir() and (parent / "params.yml").is_file():
                return parent
    raise FileNotFoundError("cannot find the repository root (a folder holding _toc.yml, params.yml and data/)")


def data_dir() -> Path:
    """Return the data folder: `$ANALYSIS_DATA_DIR` when set, else `<root>/data`."""
    override = os.environ.get(DATA_DIR_ENV)
    return Path(override).resolve() if override else repo_root() / "data"


def params_file() -> Path:
    """Return the one parameters file that holds the as-of period and chapter parameters."""
    return repo_root() / "params.yml"


@contextmanager
def using_data(folder: Path | None):
    """Point every helper at another data folder for the duration (None leaves things as they are)."""
    if folder is None:
        yield
        return
    saved = os.environ.get(DATA_DIR_ENV)
    os.environ[DATA_DIR_ENV] = str(Path(folder).resolve())
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(DATA_DIR_ENV, None)
        else:
            os.environ[DATA_DIR_ENV] = saved
