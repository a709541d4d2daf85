"""The bench's own pieces: the one-value change it makes and how it names the notebooks that read a file."""

import csv
import json
import shutil

from analysis.bench import CHANGED_FILE, change_one_value, readers_of
from analysis.paths import repo_root
from analysis.pipeline import BuildPaths


def test_one_data_change_edits_exactly_one_value_in_the_copy(tmp_path):
    shutil.copy2(repo_root() / "data" / CHANGED_FILE, tmp_path / CHANGED_FILE)
    before = list(csv.DictReader((tmp_path / CHANGED_FILE).open(encoding="utf-8")))
    said = change_one_value(tmp_path)
    after = list(csv.DictReader((tmp_path / CHANGED_FILE).open(encoding="utf-8")))
    assert len(after) == len(before)
    changed = [(b, a) for b, a in zip(before, after) if b != a]
    assert len(changed) == 1
    old, new = changed[0]
    assert {k for k in old if old[k] != new[k]} == {"value"}
    assert int(new["value"]) == int(float(old["value"])) + 1
    assert said.endswith(f"{old['value']} -> {new['value']}")
    # the repository's own file is untouched
    assert (repo_root() / "data" / CHANGED_FILE).read_bytes() != (tmp_path / CHANGED_FILE).read_bytes()


def test_readers_of_a_file_come_from_the_recorded_reads(tmp_path):
    paths = BuildPaths(tmp_path)
    paths.cache.mkdir(parents=True)
    state = {"notebooks": {"recall": {"reads": ["data/licence_recalls.csv", "data/claims/recall.yml"]},
                           "register": {"reads": ["data/court_sentences.csv", "data/licence_recalls.csv"]},
                           "community-sentences": {"reads": ["data/court_sentences.csv"]}}}
    (paths.cache / "state.json").write_text(json.dumps(state))
    assert readers_of("court_sentences.csv", tmp_path) == ["community-sentences", "register"]
    assert readers_of("licence_recalls.csv", tmp_path) == ["recall", "register"]
    assert readers_of("recall.yml", tmp_path) == ["recall"]
    assert readers_of("prison_costs.csv", tmp_path) == []
