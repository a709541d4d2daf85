"""Editions: records in data/editions/ are written once, list what changed, and feed the editions page."""

import json
import shutil

import pytest

from analysis.pages import current_edition_text, editions_html
from analysis.editions import EditionConflict, edition_path, load_editions, read_edition, verdict_history, write_edition

from .conftest import ROOT, first_edition_only
from .test_update import NEW_QUARTER, REVISION


@pytest.fixture
def data(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return first_edition_only(target)


def add_quarter(folder):
    with open(folder / "recall_population.csv", "a", encoding="utf-8") as fh:
        fh.write(NEW_QUARTER + "\n" + REVISION + "\n")


def test_the_first_edition_is_committed_and_matches_the_data(data):
    path = edition_path(ROOT / "data", "2024-06")
    assert path.is_file()
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["previous"] is None and record["new_figures"] == [] and record["verdicts_changed"] == []
    claims = {c["id"]: c for c in record["claims"]}
    assert claims["recall-2024-06-12199"]["verdict"] == "accurate"
    assert claims["recall-2024-06-12199"]["official_value"] == 12199
    # recording the same edition again from the same data writes nothing and changes nothing
    assert write_edition(read_edition("2024-06", data), data) == (edition_path(data, "2024-06"), False)
    assert edition_path(data, "2024-06").read_bytes() == path.read_bytes()


def test_a_new_edition_lists_new_and_revised_figures_and_changed_verdicts(data):
    first = edition_path(data, "2024-06").read_bytes()
    add_quarter(data)
    path, written = write_edition(read_edition("2026-06", data), data)
    assert written and path == data / "editions" / "2026-06.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["previous"] == "2024-06"
    new = [(f["file"], f["series"], f["period"], f["value"]) for f in record["new_figures"]]
    assert ("recall_population", "recall_population", "2026-06-30", 12500) in new
    # new means newly in reach: every period after June 2024 up to June 2026, none before or after
    recall = sorted(p for fl, s, p, _ in new if s == "recall_population")
    assert recall == ["2024-09-30", "2024-12-31", "2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31",
                      "2026-03-31", "2026-06-30"]
    assert ("licence_recalls", "licence_recalls", "2024-Q3", 9975) in new
    assert not [f for f in new if f[2] in ("2024-06-30", "2024-Q2", "2024-Q1")]
    [revised] = record["revised_figures"]
    assert (revised["period"], revised["old_value"], revised["value"]) == ("2024-06-30", 12199, 13000)
    assert revised["publication"].startswith("Offender Management Statistics Quarterly: April to June 2025")
    changed = {v["id"]: (v["old"], v["new"]) for v in record["verdicts_changed"]}
    assert changed["recall-2024-06-12199"] == ("accurate", "understated")
    assert edition_path(data, "2024-06").read_bytes() == first   # the earlier record is untouched


def test_an_edition_is_never_rewritten(data):
    before = edition_path(data, "2024-06").read_bytes()
    add_quarter(data)
    with pytest.raises(EditionConflict, match=r"2024-06.json already records edition 2024-06 .*recall-2024-06-12199"):
        write_edition(read_edition("2024-06", data), data)
    assert edition_path(data, "2024-06").read_bytes() == before
    assert sorted(p.name for p in (data / "editions").glob("*.json")) == ["2024-06.json"]


def test_a_figure_after_the_editions_month_never_touches_a_released_record(data):
    """A quarter beyond the edition's month (a secondary parse the official tables have not reached)
    is not a difference: recording the edition again writes nothing and asks for no correction."""
    with open(data / "recall_population.csv", "a", encoding="utf-8") as fh:
        fh.write(NEW_QUARTER + "\n")
    assert write_edition(read_edition("2024-06", data), data) == (edition_path(data, "2024-06"), False)
    assert not (data / "editions" / "corrections" / "2024-06.json").read_text(encoding="utf-8").count("2026-06-30")


def test_in_reach_cuts_each_period_at_the_last_day_of_the_month():
    from analysis.editions import in_reach, period_type_of

    assert [period_type_of(p) for p in ["2024-Q2", "2024", "2023-24", "2024-06", "2024-06-30", "2024-01-01/2024-06-30"]] \
        == ["quarter", "calendar_year", "financial_year", "year_ending", "date", "date_range"]
    figures = [{"period": p} for p in ["2024-Q2", "2024-Q3", "2024-06-30", "2024-07-01", "2023-24", "2024-25",
                                       "2024", "2023", "2024-01-01/2024-06-30", "2024-01-01/2024-07-01"]]
    assert [f["period"] for f in in_reach(figures, "2024-06")] == [
        "2024-Q2", "2024-06-30", "2023-24", "2023", "2024-01-01/2024-06-30"]


def test_editions_are_added_in_order(data):
    with pytest.raises(EditionConflict, match="older than the newest recorded edition 2024-06"):
        write_edition(read_edition("2023-12", data), data)
    with pytest.raises(ValueError, match="not a month written YYYY-MM"):
        write_edition(read_edition("2026-13", data), data)
    assert not edition_path(data, "2023-12").exists()


def test_verdict_history_and_the_editions_page(data):
    add_quarter(data)
    write_edition(read_edition("2026-06", data), data)
    records = load_editions(data)
    assert [r["as_of"] for r in records] == ["2024-06", "2026-06"]
    history = verdict_history(records)
    assert history["recall-2024-06-12199"] == [("2024-06", "accurate"), ("2026-06", "understated")]
    assert "cpo-mean-35-2" not in history   # unchanged verdicts have no history
    page = editions_html(records)
    assert page.markup.index('id="edition-2026-06"') < page.markup.index('id="edition-2024-06"')   # newest first
    assert 'href="claims-register.html#register-recall-2024-06-12199"' in page.markup
    assert "12,199 &rarr; 13,000" in page.markup and "12,500" in page.markup
    assert "recall-2024-06-12199: accurate (2024-06) -> understated (2026-06)" in page.text
    assert current_edition_text(records).startswith("This is edition 2026-06, which reports official data up to June 2026")
    assert current_edition_text([]) == "No edition has been recorded yet."


def test_a_broken_record_is_named(data):
    (data / "editions" / "2025-01.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match=r"2025-01.json: not valid JSON \(line 1, column 2\)"):
        load_editions(data)


def test_a_chapter_verdict_box_shows_a_changed_verdict_by_edition(data):
    from analysis.claims import assess_claims
    from analysis.pages import verdict_box

    add_quarter(data)
    write_edition(read_edition("2026-06", data), data)
    history = verdict_history(load_editions(data))
    assessed = assess_claims(read_edition(folder=data), "recall", data)
    box = verdict_box(assessed, history)
    assert ('<a href="../book/editions.html#verdict-history">Verdict by edition</a>: accurate (2024-06) &rarr; '
            "understated (2026-06)") in box.markup
    assert "  verdict by edition: accurate -> understated" not in box.text
    assert "  verdict by edition: accurate (2024-06) -> understated (2026-06)" in box.text
    assert "Verdict by edition" not in verdict_box(assessed).markup   # one edition: no history shown


def test_a_corrected_figure_is_published_as_a_dated_correction_and_the_record_stays(data):
    from analysis.editions import corrections_by_claim, corrections_path

    from .conftest import set_value

    record = edition_path(data, "2024-06").read_bytes()
    fixes = corrections_path(data, "2024-06")
    before_fixes = fixes.read_bytes() if fixes.is_file() else b"[]"
    set_value(data / "recall_population.csv", "recall_population", "2024-06-30", "12099", "official")
    with pytest.raises(EditionConflict, match="publish the change as a correction"):
        write_edition(read_edition("2024-06", data), data)
    with pytest.raises(ValueError, match="needs the date"):
        write_edition(read_edition("2024-06", data), data, correction="typed wrong", on="")
    path, written = write_edition(read_edition("2024-06", data), data, correction="12,199 was typed as 12,099",
                                  on="2026-12-05")
    assert (path, written) == (fixes, True)
    assert edition_path(data, "2024-06").read_bytes() == record  # the released record is never rewritten
    entries = json.loads(fixes.read_text())
    assert len(entries) == len(json.loads(before_fixes)) + 1
    last = entries[-1]
    assert last["date"] == "2026-12-05" and last["why"] == "12,199 was typed as 12,099"
    figure = next(f for f in last["figures"] if f["series"] == "recall_population" and f["period"] == "2024-06-30")
    assert (figure["before"]["value"], figure["after"]["value"]) == (12199, 12099)
    claim = next(c for c in last["claims"] if c["id"] == "recall-2024-06-12199")
    assert claim["before"]["official_value"] == 12199 and claim["after"]["official_value"] == 12099
    # the book reads the edition as corrected; recording again writes nothing
    published = next(r for r in load_editions(data) if r["as_of"] == "2024-06")
    assert next(c for c in published["claims"] if c["id"] == "recall-2024-06-12199")["official_value"] == 12099
    assert write_edition(read_edition("2024-06", data), data) == (edition_path(data, "2024-06"), False)
    assert ("2024-06", "2026-12-05", "12,199 was typed as 12,099") in corrections_by_claim(load_editions(data))[
        "recall-2024-06-12199"]
    page = editions_html(load_editions(data)).markup
    assert 'id="corrections-2024-06"' in page and "12,199 was typed as 12,099" in page


def test_adding_a_claim_does_not_touch_a_released_edition(data):
    register = data / "claims" / "recall.yml"
    text = register.read_text(encoding="utf-8")
    start = text.index("- id: recall-2024-06-12199")
    end = text.index("\n- id: ", start + 1)
    copy = text[start:end].replace("- id: recall-2024-06-12199", "- id: recall-2024-06-12199-again", 1)
    register.write_text(text[:end] + "\n" + copy + text[end:], encoding="utf-8")
    assert write_edition(read_edition("2024-06", data), data) == (edition_path(data, "2024-06"), False)
