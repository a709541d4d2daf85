"""Adding a chapter is one command: `new-chapter` lists it in params.yml and _toc.yml, writes its
notebook from the one template, and the next build publishes its page."""

import os
import subprocess
import sys

import pytest
import yaml

from analysis.scaffold import list_in_params, list_in_toc, write_chapter

from .conftest import ROOT, copy_build
from .test_moved_checkout import build_in, tracked_copy


def run(checkout, *args):
    env = {**os.environ, "PYTHONPATH": str(checkout / "src")}
    env.pop("ANALYSIS_DATA_DIR", None)
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=checkout, env=env,
                          capture_output=True, text=True, timeout=120)


def unbuilt(checkout, name):
    """Make a built chapter a planned one in a copy: no notebook line, no table-of-contents entry."""
    params = checkout / "params.yml"
    params.write_text("".join(line for line in params.read_text().splitlines(keepends=True)
                              if line.strip() != f"notebook: notebooks/{name}.ipynb"))
    toc = checkout / "_toc.yml"
    toc.write_text("".join(line for line in toc.read_text().splitlines(keepends=True)
                           if line.strip() != f"- file: notebooks/{name}"))
    (checkout / "notebooks" / f"{name}.ipynb").unlink()


def test_one_command_makes_a_chapter_and_the_build_publishes_it(tmp_path, shared_build):
    checkout = tmp_path / "repo"
    tracked_copy(checkout)
    copy_build(shared_build, checkout / "_build")
    unbuilt(checkout, "wider-justice")
    out = run(checkout, "new-chapter", "wider-justice")
    assert out.returncode == 0, out.stderr
    assert "listed wider-justice in params.yml and _toc.yml" in out.stdout
    spec = yaml.safe_load((checkout / "params.yml").read_text())
    assert spec["chapters"]["wider-justice"]["notebook"] == "notebooks/wider-justice.ipynb"
    # the same lines as the repository's own files: order and comments kept
    assert (checkout / "params.yml").read_text() == (ROOT / "params.yml").read_text()
    assert (checkout / "_toc.yml").read_text() == (ROOT / "_toc.yml").read_text()
    log = build_in(checkout)
    assert "executing notebooks/wider-justice.ipynb" in log, log
    page = (checkout / "_build" / "html" / "notebooks" / "wider-justice.html").read_text()
    assert "Verdicts at a glance" in page and "Published figure versus ours" in page
    register = yaml.safe_load((ROOT / "data" / "claims" / "wider-justice.yml").read_text())
    first = register["claims"][0]
    assert f'id="{first["section"]}"' in page
    # asked again, it refuses and changes nothing
    again = run(checkout, "new-chapter", "wider-justice")
    assert again.returncode == 1 and "exists; pass --force" in again.stderr


def test_a_new_chapter_is_added_at_the_end_of_the_chapters_in_both_files():
    params = "chapters:\n  a:\n    title: A\n    question: Why?\n    notebook: notebooks/a.ipynb\npages:\n  register: {}\n"
    added = list_in_params(params, "b-c", "B and C", "How many?")
    assert added.endswith('  b-c:\n    title: "B and C"\n    question: "How many?"\n'
                          "    notebook: notebooks/b-c.ipynb\n    parameters: {}\npages:\n  register: {}\n")
    planned = "chapters:\n  a:\n    title: A\n    question: Why?\n    parameters: {}\n"
    assert "    question: Why?\n    notebook: notebooks/a.ipynb\n    parameters: {}\n" in list_in_params(planned, "a", None, None)
    with pytest.raises(ValueError, match="already has a notebook"):
        list_in_params(params, "a", None, None)
    with pytest.raises(ValueError, match="give --title and --question"):
        list_in_params(params, "d", None, None)
    toc = "parts:\n  - caption: Chapters\n    chapters:\n      - file: notebooks/a\n  - caption: About\n    chapters:\n      - file: book/x\n"
    chapters = [{"name": "a", "notebook": "notebooks/a.ipynb"}, {"name": "p", "notebook": None},
                {"name": "b", "notebook": "notebooks/b.ipynb"}]
    assert list_in_toc(toc, chapters) == toc.replace("      - file: notebooks/a\n",
                                                     "      - file: notebooks/a\n      - file: notebooks/b\n")


def test_new_chapter_refuses_a_bad_name_or_a_chapter_without_claims(tmp_path):
    with pytest.raises(ValueError, match="not a chapter name"):
        write_chapter("Bad Name", root=tmp_path)
    (tmp_path / "notebooks").mkdir()
    with pytest.raises(ValueError, match="data/claims/new-one.yml is missing"):
        write_chapter("new-one", root=tmp_path, title="T", question="Q?")
    assert not (tmp_path / "notebooks" / "new-one.ipynb").exists()
