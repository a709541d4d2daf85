"""Start a chapter from the template: `python -m analysis new-chapter NAME`.

The chapter's register file (`data/claims/<name>.yml`) names its sections (anchor and
title), gives each claim a `section`, and may list caveats; `params.yml` gives its title and
question.  This writes `notebooks/<name>.ipynb` in the one chapter shape (the question,
verdicts at a glance, one section per claim group with the claims' cards and the evidence,
the published figure versus ours, caveats, sources).  Every figure on the page is glued by
the notebook's code from `data/`; edit the prose afterwards, keep the headings.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from .claims import load_register
from .pipeline import chapter_list
from .paths import repo_root

SETUP = '''from myst_nb import glue

from analysis.claims import load_register
from analysis.evidence import glue_sections
from analysis.charts import use_book_style
from analysis.pages import glue_chapter_claims, sources_list, verdict_summary

use_book_style()
CHAPTER = "{name}"
verdicts = glue_chapter_claims(CHAPTER, glue)
register = load_register()
claims = [c for c in register["claims"] if c["chapter"] == CHAPTER]
frames = glue_sections(CHAPTER, verdicts, claims, register["sections"][CHAPTER], as_of, glue)
glue(f"{{CHAPTER}}_summary", verdict_summary(verdicts), display=False)
glue(f"{{CHAPTER}}_sources", sources_list(frames), display=False)'''


def chapter_notebook(name: str) -> nbformat.NotebookNode:
    """The notebook for a chapter, built from the register's sections and caveats."""
    chapter = next((c for c in chapter_list() if c["name"] == name), None)
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
                          f"{{glue:text}}`{name}_summary`"),
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


def write_chapter(name: str, force: bool = False) -> Path:
    """Write notebooks/<name>.ipynb; refuses to overwrite an existing notebook unless forced."""
    target = repo_root() / "notebooks" / f"{name}.ipynb"
    if target.exists() and not force:
        raise FileExistsError(f"{target.relative_to(repo_root())} exists; pass --force to write it again")
    nbformat.write(chapter_notebook(name), target)
    return target
