"""Add a chapter with one command: `python -m analysis new-chapter NAME [--title T --question Q]`.

It lists the chapter in `params.yml` (title, question, notebook: a planned chapter gets its
notebook line; a new one is added at the end of `chapters:`), lists it in `_toc.yml` in the
same order, and writes its notebook from the one template below.  Write the chapter's claims
first: the chapter's register file (`data/claims/<name>.yml`) names its sections (anchor and
title), gives each claim a `section`, and may list caveats; `params.yml` gives its title and
question.  This writes `notebooks/<name>.ipynb` in the one chapter shape (the question,
verdicts at a glance, one section per claim group with the claims' cards and the evidence,
the published figure versus ours, caveats, sources).  Every figure on the page is glued by
the notebook's code from `data/`; edit the prose afterwards, keep the headings.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from .claims import load_register
from .params import chapter_list
from .paths import repo_root

SETUP = '''from myst_nb import glue

from analysis.charts import use_book_style
from analysis.claims import load_register
from analysis.editions import read_edition
from analysis.evidence import glue_sections
from analysis.pages import glue_chapter_claims, sources_list, verdict_summary

use_book_style()
CHAPTER = "{name}"
edition = read_edition(as_of)  # the as-of month, the chapter pages and the released editions, read once
verdicts = glue_chapter_claims(CHAPTER, glue, edition)
register = load_register()
claims = [c for c in register["claims"] if c["chapter"] == CHAPTER]
frames = glue_sections(CHAPTER, verdicts, claims, register["sections"][CHAPTER], as_of, glue)
glue(f"{{CHAPTER}}_summary", verdict_summary(verdicts), display=False)
glue(f"{{CHAPTER}}_sources", sources_list(frames), display=False)'''


def chapter_notebook(name: str, chapters: list[dict] | None = None) -> nbformat.NotebookNode:
    """The notebook for a chapter, built from the register's sections and caveats."""
    chapter = next((c for c in (chapters or chapter_list()) if c["name"] == name), None)
    if chapter is None:
        raise ValueError(f"no chapter {name!r} in params.yml")
    register = load_register()
    sections = register["sections"].get(name) or {}
    if not sections:
        raise ValueError(f"data/claims/{name}.yml has no 'sections': name the claim groups first")
    evidence = "## The evidence\n"
    for anchor, title in sections.items():
        evidence += (f"\n({anchor})=\n### {title}\n\n```{{glue:}} {anchor}__cards\n```\n\n"
                     f"```{{glue:figure}} {anchor}__evidence\n:name: fig-{anchor}\n\n{{glue:text}}`{anchor}__caption`\n```\n")
    caveats = register["caveats"].get(name) or ["Definitions differ more often than numbers lie: each claim's "
                                                 "card says which series, period and publication it is checked against."]
    cells = [
        new_markdown_cell(f"# {chapter['title']}: {chapter['question'][0].lower()}{chapter['question'][1:]}\n\n"
                          f"**The answer.** {{glue:text}}`{name}_answer`\n\n{{glue:text}}`{name}_summary`"),
        new_code_cell('# Parameters (papermill overrides these from params.yml).\n'
                      'as_of = "2024-06"  # the latest month of official data the page reports on (YYYY-MM)',
                      metadata={"tags": ["parameters", "remove-cell"]}),
        new_code_cell(SETUP.format(name=name), metadata={"tags": ["remove-cell"]}),
        new_markdown_cell(f"## Verdicts at a glance\n\n```{{glue:}} {name}_verdict_box\n```"),
        new_markdown_cell(evidence),
        new_markdown_cell(f"## Published figure versus ours\n\n```{{glue:}} {name}_comparison\n```"),
        new_markdown_cell("## Caveats\n\n" + "\n".join(f"- {c}" for c in caveats)),
        new_markdown_cell(f"## Sources\n\n```{{glue:}} {name}_sources\n```"),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{name}-{i}"
    return nb


NAME = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


def list_in_params(text: str, name: str, title: str | None, question: str | None) -> str:
    """params.yml with the chapter's notebook listed (its comments and order kept).

    A planned chapter (title and question, no notebook) gets a `notebook:` line after its question;
    a chapter not yet in the file is added at the end of `chapters:`, with title and question.
    """
    notebook = f"notebooks/{name}.ipynb"
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == f"  {name}:"), None)
    if start is not None:
        end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith("    ")), len(lines))
        block = lines[start:end]
        if any(line.strip().startswith("notebook:") for line in block):
            raise ValueError(f"chapter {name!r} already has a notebook in params.yml")
        at = next((start + j + 1 for j, line in enumerate(block) if line.strip().startswith("question:")), start + 1)
        return "".join(lines[:at] + [f"    notebook: {notebook}\n"] + lines[at:])
    if not title or not question:
        raise ValueError(f"chapter {name!r} is not in params.yml: give --title and --question")
    pages = next((i for i, line in enumerate(lines) if line.startswith("pages:")), len(lines))
    entry = [f"  {name}:\n", f"    title: {json.dumps(title)}\n", f"    question: {json.dumps(question)}\n",
             f"    notebook: {notebook}\n", "    parameters: {}\n"]
    return "".join(lines[:pages] + entry + lines[pages:])


def list_in_toc(text: str, chapters: list[dict]) -> str:
    """_toc.yml with its Chapters part listing every built chapter in the order of params.yml."""
    lines = text.splitlines(keepends=True)
    head = next(i for i, line in enumerate(lines) if line.strip() == "- caption: Chapters")
    first = head + 2  # after "chapters:"
    end = next((i for i in range(first, len(lines)) if not lines[i].startswith("      ")), len(lines))
    entries = [f"      - file: {c['notebook'].removesuffix('.ipynb')}\n" for c in chapters if c["notebook"]]
    return "".join(lines[:first] + entries + lines[end:])


def write_chapter(name: str, force: bool = False, title: str | None = None, question: str | None = None,
                  root: Path | None = None) -> Path:
    """Add the chapter: list it in params.yml and _toc.yml and write notebooks/<name>.ipynb from the template.

    Refuses (and changes nothing) when the name is not a lower-case slug, when its register file
    has no sections, or when the notebook exists (unless forced, which rewrites only the notebook).
    """
    root = root or repo_root()
    if not NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not a chapter name (lower-case words joined by hyphens)")
    target = root / "notebooks" / f"{name}.ipynb"
    if target.exists() and not force:
        raise FileExistsError(f"{target.relative_to(root)} exists; pass --force to write it again")
    if not (root / "data" / "claims" / f"{name}.yml").is_file():
        raise ValueError(f"data/claims/{name}.yml is missing: write the chapter's sections and claims first "
                         "(CONTRIBUTING.md, 'Adding a chapter')")
    params, toc = root / "params.yml", root / "_toc.yml"
    listed = any(c["name"] == name and c["notebook"] for c in chapter_list(params))
    new_params = params.read_text(encoding="utf-8") if listed else list_in_params(
        params.read_text(encoding="utf-8"), name, title, question)
    tmp = params.with_suffix(".yml.new")
    tmp.write_text(new_params, encoding="utf-8")
    try:
        chapters = chapter_list(tmp)
        notebook = chapter_notebook(name, chapters)  # refuses a register file without sections
    finally:
        tmp.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    params.write_text(new_params, encoding="utf-8")
    toc.write_text(list_in_toc(toc.read_text(encoding="utf-8"), chapters), encoding="utf-8")
    return target
