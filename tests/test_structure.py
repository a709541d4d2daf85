"""The book's structure: one list of chapters, a split block-style register, self-contained code."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import yaml

from analysis.claims import REQUIRED_KEYS, load_register, register_files
from analysis.pages import chapters_html
from analysis.params import chapter_list
from analysis.verdicts import ROUNDING_ALIASES

ROOT = Path(__file__).resolve().parents[1]
KEY_ORDER = ["id", "section", "claimant", "speaker", "occasion", "claimed_at", "document", "quote", "claim",
             "stated", "kind", "official"]


def built() -> list[dict]:
    return [c for c in chapter_list() if c["notebook"]]


def test_toc_lists_the_built_chapters_in_params_order():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    part = next(p for p in toc["parts"] if p["caption"] == "Chapters")
    assert [c["file"] for c in part["chapters"]] == [c["notebook"].removesuffix(".ipynb") for c in built()]


def test_register_has_one_file_per_chapter_and_nothing_else():
    assert {p.stem for p in register_files()} == {c["name"] for c in chapter_list()}
    assert (ROOT / "data" / "claims" / "documents.yml").is_file()


def test_landing_page_lists_every_chapter_from_the_one_list():
    frame = pd.DataFrame({"chapter": [c["name"] for c in chapter_list()]})
    markup = chapters_html(chapter_list(), frame).markup
    for ch in chapter_list():
        assert ch["question"].replace("'", "&#x27;") in markup
    for ch in built():
        assert f'href="../{ch["notebook"].removesuffix(".ipynb")}.html"' in markup
    assert "{glue:} chapters_list" in (ROOT / "book" / "index.md").read_text()


def _flow_nodes(node) -> list:
    found = []
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        if node.flow_style:
            found.append(node.start_mark.line + 1)
        children = node.value if isinstance(node, yaml.SequenceNode) else [v for pair in node.value for v in pair]
        for child in children:
            found += _flow_nodes(child)
    return found


def test_register_files_are_block_style_with_one_key_order_and_canonical_words():
    canonical = (set(ROUNDING_ALIASES.values()) - {"exact"}) | {""}
    for path in register_files():
        text = path.read_text(encoding="utf-8")
        assert _flow_nodes(yaml.compose(text)) == [], (path.name, _flow_nodes(yaml.compose(text)))
        for claim in yaml.safe_load(text)["claims"]:
            keys = [k for k in claim if k in KEY_ORDER]
            assert keys == sorted(keys, key=KEY_ORDER.index), (path.name, claim["id"], keys)
            assert set(REQUIRED_KEYS) <= set(claim)
            assert claim["stated"].get("rounding", "") in canonical, (claim["id"], claim["stated"]["rounding"])


def test_flow_style_is_detected():
    assert _flow_nodes(yaml.compose("claims:\n- id: a\n  stated: {value: 1}\n")) == [3]
    assert _flow_nodes(yaml.compose("claims:\n- id: a\n  stated:\n    value: 1\n")) == []


def test_every_claim_of_a_built_chapter_has_a_section():
    names = {c["name"] for c in built()}
    missing = [c["id"] for c in load_register()["claims"] if c["chapter"] in names and not c.get("section")]
    assert missing == []


def test_nothing_reads_outside_the_repository():
    pattern = re.compile(r"\.\./shared|parent\s*/\s*[\"']shared|ROOT\.parent")
    places = [*(ROOT / "src").rglob("*.py"), *(ROOT / "tests").glob("*.py"), ROOT / "Makefile", ROOT / ".ci" / "run"]
    offenders = [str(p.relative_to(ROOT)) for p in places
                 if p.name != "test_structure.py" and pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_no_chapter_module_imports_another():
    import ast

    folder = ROOT / "src" / "analysis" / "chapters"
    names = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    assert {"recall", "community", "caseload"} <= names
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                mods = [node.module or ""] + [a.name for a in node.names]
                if node.level == 1 or (node.module or "").startswith("analysis.chapters"):
                    assert not set(mods) & names and not any(m.split(".")[-1] in names for m in mods), (path.name, mods)
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("analysis.chapters.") for a in node.names), path.name


def test_register_functions_resolve_in_chapter_or_general_modules():
    from analysis.claims import official_function

    assert official_function("recall.recall_population_on").__module__ == "analysis.chapters.recall"
    assert official_function("figures.published").__module__ == "analysis.figures"


SHAPE = ["## Verdicts at a glance", "## The evidence", "## Published figure versus ours", "## Caveats", "## Sources"]


def chapter_shape(path: Path) -> dict:
    """The headings and parameters of a chapter notebook, in order."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    headings = [line.strip() for c in nb.cells if c.cell_type == "markdown"
                for line in c.source.splitlines() if re.match(r"#{1,3} ", line)]
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    return {"headings": headings, "parameters": params}


def assert_chapter_shape(path: Path) -> None:
    shape = chapter_shape(path)
    headings = shape["headings"]
    assert len(shape["parameters"]) == 1 and "as_of" in shape["parameters"][0].source, path.name
    assert headings[0].startswith("# ") and headings[0].endswith("?") or ":" in headings[0], (path.name, headings[0])
    top = [h for h in headings if h.startswith("## ")]
    assert top == SHAPE, (path.name, top)
    evidence = headings[headings.index("## The evidence") + 1: headings.index("## Published figure versus ours")]
    assert evidence and all(h.startswith("### ") for h in evidence), (path.name, evidence)


def test_every_chapter_and_the_one_template_have_one_shape(tmp_path):
    import nbformat

    from analysis.scaffold import chapter_notebook

    made = tmp_path / "workforce.ipynb"
    nbformat.write(chapter_notebook("workforce"), made)  # what `new-chapter` writes
    assert_chapter_shape(made)
    for ch in built():
        assert_chapter_shape(ROOT / ch["notebook"])


def test_shape_check_refuses_a_chapter_without_caveats(tmp_path):
    import nbformat
    import pytest

    from analysis.scaffold import chapter_notebook

    nb = chapter_notebook("workforce")
    nb.cells = [c for c in nb.cells if "## Caveats" not in c.source]
    nbformat.write(nb, tmp_path / "bad.ipynb")
    with pytest.raises(AssertionError):
        assert_chapter_shape(tmp_path / "bad.ipynb")


def test_every_claim_has_its_own_words_verbatim_from_its_archived_document():
    register = load_register()
    texts = {key: (ROOT / "data" / doc["archive"]).read_text(encoding="utf-8")
             for key, doc in register["documents"].items()}
    for claim in register["claims"]:
        for key in ("quote", "speaker", "claimed_at"):
            assert claim.get(key), (claim["id"], key)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(claim["claimed_at"])), claim["id"]
        assert claim["quote"] in texts[claim["document"]], (claim["id"], claim["quote"])


def test_statements_left_out_are_listed_with_a_reason_and_found_in_their_documents():
    from analysis.claims import load_left_out

    register = load_register()
    entries = load_left_out()
    assert len(entries) >= 50
    for entry in entries:
        text = (ROOT / "data" / register["documents"][str(entry["document"])]["archive"]).read_text(encoding="utf-8")
        assert entry["quote"] in text, entry["quote"]
        assert len(entry["reason"]) > 10


def test_a_left_out_entry_without_a_reason_is_refused_with_file_and_entry(data_copy):
    import pytest

    from analysis.official_data import DataError
    from analysis.claims import load_left_out

    path = data_copy / "documents" / "left-out.yml"
    entries = yaml.safe_load(path.read_text())
    entries["left_out"][2]["reason"] = ""
    path.write_text(yaml.safe_dump(entries))
    with pytest.raises(DataError, match=r"left-out.yml, row 3, column 'reason'"):
        load_left_out(data_copy)


def test_occasions_are_written_once_and_named_by_key(data_copy):
    import pytest

    from analysis.claims import load_register
    from analysis.official_data import DataError

    index = yaml.safe_load((ROOT / "data" / "claims" / "documents.yml").read_text())
    texts = list(index["occasions"].values())
    assert len(texts) == len(set(texts))  # each text once
    register = load_register()
    used = {c["occasion"] for c in register["claims"]}
    assert used == set(texts)  # every claim's key resolves to its text, and no occasion is unused
    path = data_copy / "claims" / "recall.yml"
    text = path.read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.startswith("  occasion: "))
    path.write_text(text.replace(first, "  occasion: no-such-occasion", 1), encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_register(data_copy)
    assert err.value.column == "occasion" and "recall.yml" in str(err.value)
    assert "'no-such-occasion'" in str(err.value)


def test_no_function_of_the_package_runs_over_sixty_lines():
    """A function that long holds more than one idea: split it (docstring included in the count)."""
    import ast

    long = []
    for path in (ROOT / "src" / "analysis").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > 60:
                long.append(f"{path.name}:{node.name} ({node.end_lineno - node.lineno + 1} lines)")
    assert long == []
