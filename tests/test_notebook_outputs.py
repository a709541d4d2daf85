"""Committed notebook outputs are a contract: a data change must show up as an nbval failure.

Also: prose carries no typed figures (every number a reader sees is glued from data).
"""

import re
import subprocess
import sys

import nbformat

from analysis.params import load_chapters
from analysis.pipeline import execute_notebook

from .conftest import ROOT, set_value

NBVAL = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"),
         "-p", "no:cacheprovider", "-q", "-o", "addopts="]


def run_nbval(notebook, env):
    return subprocess.run([sys.executable, "-m", "pytest", str(notebook), *NBVAL], capture_output=True, text=True,
                          env=env, cwd=ROOT)


def test_changed_recall_figure_fails_nbval_until_outputs_are_refreshed(data_copy, tmp_path):
    import os

    set_value(data_copy / "recall_population.csv", "recall_population", "2024-06-30", "12299", "official")
    env = {**os.environ}
    stale = run_nbval(ROOT / "notebooks" / "recall.ipynb", env)
    assert stale.returncode != 0, stale.stdout[-2000:]
    # Refreshing (re-executing with the default parameters on the new data) makes it pass again.
    recall = next(c for c in load_chapters() if c.name == "recall")
    refreshed = tmp_path / "recall.ipynb"
    execute_notebook(str(recall.notebook), str(refreshed), recall.parameters, str(data_copy))
    fresh = run_nbval(refreshed, env)
    assert fresh.returncode == 0, fresh.stdout[-2000:]
    assert "12,299" in refreshed.read_text()


GLUE_ROLE = re.compile(r"\{glue(:\w+)?\}`[^`]*`")
LINK_TARGET = re.compile(r"\]\([^)]*\)|\(([\w-]+)\)=")
ALLOWED = re.compile(r"\b(19|20)\d{2}\b")   # years name periods and laws (2000, the 1998 Act), not figures


def typed_figures(text: str) -> list[str]:
    """Numbers in prose outside glue roles, link targets and years."""
    text = GLUE_ROLE.sub("", LINK_TARGET.sub("", text))
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = ALLOWED.sub("", text)
    return re.findall(r"\d[\d,.]*%?", text)


def test_chapter_prose_has_no_typed_figures():
    for chapter in load_chapters():
        nb = nbformat.read(chapter.notebook, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                assert typed_figures(cell.source) == [], (chapter.notebook.name, cell.source[:200])


def test_book_pages_have_no_typed_figures():
    for page in (ROOT / "book").glob("*.md"):
        assert typed_figures(page.read_text()) == [], page.name


def test_the_prose_check_would_catch_a_typed_figure():
    assert typed_figures("The recall population was 12,199 in June.") == ["12,199"]
    assert typed_figures("It was {glue:text}`latest_value` in 2024.") == []
