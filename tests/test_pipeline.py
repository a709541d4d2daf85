"""Parameters, cache keys and notebook clean-up in the build pipeline."""

import json

import nbformat
import pytest

from analysis.params import Chapter, load_chapters, parse_override
from analysis.pipeline import inputs_hash, notebook_source_hash, strip_volatile

from .conftest import ROOT


def test_parameters_come_from_one_file_with_shared_values():
    import yaml

    spec = yaml.safe_load((ROOT / "params.yml").read_text())
    as_of = spec["shared"]["as_of"]
    chapters = {c.name: c for c in load_chapters()}
    assert chapters["recall"].parameters == {"as_of": as_of, **spec["chapters"]["recall"]["parameters"]}
    assert chapters["register"].parameters == {"as_of": as_of}


def test_overrides_by_chapter_and_shared():
    chapters = {c.name: c for c in load_chapters(["recall.base_year=2014", "as_of=2025-03"])}
    assert chapters["recall"].parameters == {"as_of": "2025-03", "base_year": 2014}
    assert chapters["register"].parameters["as_of"] == "2025-03"


@pytest.mark.parametrize("text, message", [
    ("recall.base_year", "CHAPTER.NAME=VALUE"),
    ("nochapter.base_year=1", "no chapter 'nochapter'"),
    ("recall.colour=red", "has no parameter 'colour'"),
])
def test_bad_overrides_are_refused(text, message):
    with pytest.raises(ValueError, match=message):
        load_chapters([text])


def test_parse_override_reads_yaml_values():
    assert parse_override("recall.base_year=2014") == ("recall", "base_year", 2014)
    assert parse_override("as_of=2025-03") == (None, "as_of", "2025-03")


def test_source_hash_ignores_outputs_and_injected_parameters(tmp_path):
    nb = nbformat.read(ROOT / "notebooks" / "recall.ipynb", as_version=4)
    before = notebook_source_hash(ROOT / "notebooks" / "recall.ipynb")
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            if "injected-parameters" in cell.metadata.get("tags", []):
                cell.source = "as_of = '1999-01'"
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    assert notebook_source_hash(path) == before
    nb.cells[0].source += "\nA new sentence."
    nbformat.write(nb, path)
    assert notebook_source_hash(path) != before


def test_cache_key_changes_with_data_parameters_and_helpers(tmp_path):
    data = tmp_path / "recall_population.csv"
    data.write_text("a\n")
    chapter = Chapter("recall", ROOT / "notebooks" / "recall.ipynb", {"as_of": "2024-06"})
    key = inputs_hash(chapter, [str(data)], "helpers-1")
    assert key == inputs_hash(chapter, [str(data)], "helpers-1")
    data.write_text("b\n")
    assert inputs_hash(chapter, [str(data)], "helpers-1") != key
    data.write_text("a\n")
    assert inputs_hash(chapter, [str(data)], "helpers-2") != key
    chapter.parameters["as_of"] = "2025-06"
    assert inputs_hash(chapter, [str(data)], "helpers-1") != key


def test_strip_volatile_removes_timestamps_and_hides_injected_cell():
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"start_time": "t", "end_time": "t", "duration": 1.0, "input_path": "a",
                                "output_path": "b", "parameters": {"x": 1}}
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.metadata = {"tags": ["injected-parameters"], "papermill": {"start_time": "t"}, "execution": {"a": 1}}
    nb.cells = [cell]
    out = strip_volatile(nb)
    assert out.metadata["papermill"] == {"parameters": {"x": 1}}
    assert out.cells[0].metadata == {"tags": ["injected-parameters", "remove-cell"]}
    assert out.cells[0]["id"] == "injected-parameters"


def test_committed_notebooks_carry_no_volatile_metadata():
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        text = path.read_text()
        assert "start_time" not in text and "end_time" not in text, path
        nb = json.loads(text)
        assert any(c["cell_type"] == "code" and c.get("outputs") for c in nb["cells"]), f"{path} has no outputs"


def test_every_chapter_notebook_has_a_parameters_cell():
    for chapter in load_chapters():
        nb = nbformat.read(chapter.notebook, as_version=4)
        assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells), chapter.notebook
