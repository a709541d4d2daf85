"""The claims register, the CLI output, and agreement with the book."""

import functools
import json
import os
import subprocess
import sys

import nbformat
import pytest

from analysis.claims import assess_claims, load_register
from analysis.params import load_chapters
from analysis.verdicts import Verdict
from analysis.editions import read_edition
from analysis.params import Edition

from .conftest import ROOT, set_value

CHECKLIST_SECTION_1 = [
    "recall-2000-under-1000", "recall-2010-over-5000", "recall-2024-06-12199", "recall-2024-06-share-14",
    "recall-twelve-fold", "recall-now-about-12000", "recall-2000-about-1000", "recall-2024-09-12579",
    "recall-2024-09-share-17", "recall-1995-about-150", "recall-100-times-rate", "recall-rise-after-1998-act",
    "recall-cost-600m",
]


def test_register_holds_every_recall_claim_in_the_checklist():
    ids = {c["id"] for c in load_register()["claims"]}
    assert set(CHECKLIST_SECTION_1) <= ids


def test_verdicts_on_current_data():
    v = assess_claims(read_edition(), "recall").set_index("id")["verdict"]
    assert v["recall-2024-06-12199"] == "accurate"
    assert v["recall-2024-06-share-14"] == "accurate"
    assert v["recall-2024-09-share-17"] == "overstated"
    assert v["recall-2000-under-1000"] == "cannot be verified"


def run_cli(*args, env=None):
    if env is None:  # the data folder a test points at is part of the key
        return _run_cli(args, os.environ.get("ANALYSIS_DATA_DIR", ""))
    out = subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, env=env, check=True)
    return out.stdout


@functools.lru_cache(maxsize=None)
def _run_cli(args: tuple, data_dir: str) -> str:
    """The command's output, run once per session for the same arguments (the data do not change)."""
    out = subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, check=True)
    return out.stdout


def test_json_output_has_the_promised_fields():
    records = json.loads(run_cli("claims", "--format", "json"))
    assert records and {"id", "chapter", "claim", "document", "stated_value", "unit", "official_value",
                        "verdict", "reason", "sources"} <= set(records[0])
    by_id = {r["id"]: r for r in records}
    assert by_id["recall-2024-06-12199"]["official_value"] == 12199
    assert by_id["recall-2000-under-1000"]["official_value"] is None
    assert all(r["verdict"] in {v.value for v in Verdict} for r in records)
    assert all(isinstance(r["stated_value"], (int, float)) for r in records)


def test_changing_one_figure_flips_the_verdict_that_depends_on_it(data_copy):
    before = assess_claims(read_edition(), "recall").set_index("id")["verdict"]
    set_value(data_copy / "recall_population.csv", "recall_population", "2024-06-30", "11000", "official")
    after = assess_claims(read_edition(), "recall").set_index("id")["verdict"]
    assert before["recall-2024-06-12199"] == "accurate"
    assert after["recall-2024-06-12199"] == "overstated"
    changed = {cid for cid in before.index if before[cid] != after[cid]}
    assert "recall-2010-over-5000" not in changed


@pytest.mark.parametrize("notebook", [c.name for c in load_chapters() if c.name != "register"])
def test_json_output_matches_what_the_committed_chapter_shows(notebook):
    records = {r["id"]: r for r in json.loads(run_cli("claims", "--format", "json")) if r["chapter"] == notebook}
    nb = nbformat.read(ROOT / "notebooks" / f"{notebook}.ipynb", as_version=4)
    shown = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            key = out.get("metadata", {}).get("scrapbook", {}).get("name", "")
            if key.endswith("__verdict"):
                shown[key.removesuffix("__verdict")] = out["data"]["application/papermill.record/text/plain"].strip("'")
    # the page shows the verdict, or for a claim without one the label that says what stands in the way
    assert shown == {cid: r.get("label") or r["verdict"] for cid, r in records.items()}


SECTION_CHAPTERS = {1: "recall", 2: "community-sentences", 3: "caseload", 4: "caseload-mix", 5: "recall-flows",
                    6: "workforce", 7: "inspections", 8: "public-protection", 9: "prison-population"}


def checklist_rows() -> dict[int, int]:
    """Claims per numbered section of data/documents/claims-checklist.md (table rows, header excluded)."""
    import re

    path = ROOT / "data" / "documents" / "claims-checklist.md"
    counts, section = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"## (\d+)\. ", line)
        if heading:
            section = int(heading.group(1))
            counts[section] = 0
        elif section and line.startswith("| ") and not line.startswith("| claim") and not line.startswith("|---"):
            counts[section] += 1
    return counts


def test_register_covers_every_checklist_section():
    per_chapter = {}
    for claim in load_register()["claims"]:
        per_chapter[claim["chapter"]] = per_chapter.get(claim["chapter"], 0) + 1
    rows = checklist_rows()
    assert set(rows) == set(SECTION_CHAPTERS)
    for section, n in rows.items():
        assert per_chapter.get(SECTION_CHAPTERS[section], 0) >= n, (section, n, per_chapter)


def test_every_claim_has_a_verdict_and_a_reason():
    frame = assess_claims(read_edition())
    assert len(frame) >= sum(checklist_rows().values())
    assert frame["reason"].str.len().min() > 10
    unverifiable = frame[frame["verdict"] == "cannot be verified"]
    assert unverifiable["official_value"].isna().all()
    # a summary checked against its document's table (counts by category) has no one figure: its reason gives the counts
    on_table = frame["reason"].str.contains("the categories the publisher gave the table", regex=False)
    assert set(frame[on_table]["id"]) == {"insp-31-pdus"} and (frame[on_table]["kind"] == "arithmetic").all()
    numeric = frame[(frame["verdict"] != "cannot be verified") & ~frame["kind"].isin(["law", "inference"]) & ~on_table]
    # a claim judged on the bracket has no figure for its own period: the reason gives both sides instead
    assert numeric[~numeric["bracketed"]]["official_value"].notna().all()
    assert numeric[numeric["bracketed"]]["reason"].str.contains("either side of the period").all()
    # statements of law and inferences are judged on the provision or the reasoning, which the reason names
    ruled = frame[frame["kind"].isin(["law", "inference"]) & (frame["verdict"] != "cannot be verified")]
    assert ruled["reason"].str.contains("correct|reasoning", regex=True).all()


def test_json_output_has_kind_rating_basis_why_unsettled_and_conclusion():
    records = {r["id"]: r for r in json.loads(run_cli("claims", "--format", "json"))}
    kinds = {"level", "bound", "direction", "change", "arithmetic", "inference", "pledge", "law", "opinion", "context"}
    assert all(r["kind"] in kinds for r in records.values())
    assert all(r["basis"] in {"official", "secondary", "arithmetic", "publisher", "none"} for r in records.values())
    for r in records.values():
        settled = r["verdict"] != "cannot be verified"
        assert (r["rating"] is not None) == settled and (r["why_unsettled"] is None) == settled, r["id"]
        assert (r["basis"] == "none") == (not settled), r["id"]
        assert r["conclusion"].endswith(".") and "matches the stated" not in r["conclusion"]
    flows = records["flows-over-2000-a-month"]      # a true but loose lower bound: accurate, rating 4
    assert (flows["kind"], flows["verdict"], flows["rating"], flows["basis"]) == ("bound", "accurate", 4, "official")
    assert flows["conclusion"].startswith("The figure is 3,261: over 2,000 is true, though a loose bound")
    share = records["recall-2024-09-share-17"]
    assert (share["rating"], share["basis"]) == (2, "secondary")
    assert share["conclusion"].startswith("The figure from a secondary source is 14.5%, not 17%")
    assert records["cpo-average-came-down"]["kind"] == "direction"
    assert records["cpo-average-came-down"]["why_unsettled"] == "finding"      # the inspectorate's own published finding
    assert records["recall-2000-under-1000"]["why_unsettled"] == "not_in_book"
    assert records["recall-twelve-fold"]["kind"] == "change"
    assert records["cpo-sum-10996"]["basis"] == "arithmetic"


def test_register_refuses_an_unknown_why_unsettled(tmp_path):
    import shutil

    import yaml

    from analysis.official_data import DataError

    shutil.copytree(ROOT / "data", tmp_path / "data")
    path = tmp_path / "data" / "claims" / "recall.yml"
    reg = yaml.safe_load(path.read_text())
    reg["claims"][0]["why_unsettled"] = "later"
    path.write_text(yaml.safe_dump(reg))
    with pytest.raises(DataError, match="why_unsettled 'later'; use one of not_in_book, unpublished"):
        load_register(tmp_path / "data")


def test_register_refuses_a_claim_whose_function_cannot_take_its_arguments(tmp_path):
    import shutil

    import yaml

    from analysis.official_data import DataError

    shutil.copytree(ROOT / "data", tmp_path / "data")
    path = tmp_path / "data" / "claims" / "recall.yml"
    reg = yaml.safe_load(path.read_text())
    reg["claims"][0]["official"]["args"]["colour"] = "red"
    path.write_text(yaml.safe_dump(reg))
    with pytest.raises(DataError, match="official.args"):
        load_register(tmp_path / "data")


def test_no_verdict_word_is_typed_outside_the_engine():
    import re

    words = "|".join(re.escape(v.value) for v in Verdict)
    quoted = re.compile(rf"[\"']({words})[\"']")
    places = [*(ROOT / "book").glob("*.md"), *(ROOT / "notebooks").glob("*.ipynb"),
              *[p for p in (ROOT / "src" / "analysis").glob("*.py") if p.name != "verdicts.py"]]
    for path in places:
        text = path.read_text()
        if path.suffix == ".ipynb":
            nb = nbformat.reads(text, as_version=4)
            text = "\n".join(c.source for c in nb.cells)
        assert not quoted.search(text), (path.name, quoted.search(text).group(0))


def test_json_carries_the_quote_speaker_date_and_evidence_url():
    frame = assess_claims(read_edition())
    assert frame["quote"].str.len().min() > 0 and frame["speaker"].str.len().min() > 0
    assert frame["claimed_at"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    row = frame.set_index("id").loc["recall-2000-under-1000"]
    assert row["evidence_url"] == "notebooks/recall.html#recall-2000-and-2010"
    assert row["quote"] == "In the year 2000, the recall population was under 1,000 (even then a record high)."
    for _, r in frame.iterrows():   # every evidence URL points at a section the built site will hold
        page, _, anchor = r["evidence_url"].partition("#")
        assert (ROOT / page.replace(".html", ".ipynb")).is_file() and anchor == r["section"], r["id"]


def _one_claim(**changes) -> dict:
    claim = {"id": "t", "chapter": "recall", "section": "", "claim": "c", "claimant": "a", "speaker": "a",
             "document": "01", "claimed_at": "2024-10-01", "quote": "q",
             "stated": {"value": 1000, "unit": "fte", "rounding": "", "text": "1,000"}, "kind": "level"}
    claim.update(changes)
    return claim


@pytest.mark.parametrize("function, args, verdict, rating, kind, why, basis", [
    ("figures.opinion", {"note": "a forecast"}, "cannot be verified", None, "opinion", "not_checkable", "none"),
    ("figures.law", {"correct": True, "provision": "Criminal Justice Act 2003, s.254"}, "accurate", 5, "law", None, "official"),
    ("figures.law", {"correct": False, "provision": "Offender Rehabilitation Act 2014, s.2"}, "wrong", 1, "law", None, "official"),
    ("figures.inference", {"holds": None, "explanation": "true of officers only"}, "misleading without context", 3,
     "inference", None, "arithmetic"),
    ("figures.pledge", {"target": 1000, "due": "2030-03-31", "settled_by": "HMPPS workforce quarterly"},
     "cannot be verified", None, "pledge", "pending", "none"),
    ("figures.pledge", {"target": 1000, "due": "2020-03-31", "settled_by": "HMPPS workforce quarterly, March 2020"},
     "cannot be verified", None, "pledge", "not_in_book", "none"),
])
def test_claims_of_other_kinds_are_judged_by_their_own_rule(function, args, verdict, rating, kind, why, basis):
    from analysis.claims import assess_claim

    claim = _one_claim(kind=kind, official={"function": function, "args": args})
    row = assess_claim(claim, {"01": {"title": "t", "date": "2024-10"}}, Edition("2024-06"))
    assert (row["verdict"], row["rating"], row["kind"], row["why_unsettled"], row["basis"]) == (verdict, rating, kind, why, basis)
    assert not row["conclusion"].lower().startswith("no verdict: no verdict")


def test_a_pledge_turns_from_pending_to_judged_at_its_due_date():
    from analysis import figures

    before = figures.pledge(target=1000, due="2024-06-30", as_of="2024-05").judgement
    after = figures.pledge(target=1000, due="2024-06-30", as_of="2024-07", settled_by="HMPPS workforce, June 2024").judgement
    assert before.why_unsettled == "pending" and after.why_unsettled == "not_in_book"


@pytest.mark.parametrize("kind, rounding, official, message", [
    ("level", "over", "figures.reported", "rounding word 'over' makes it a 'bound' claim"),
    ("bound", "about", "figures.reported", "makes it a 'level' claim"),
    ("opinion", "", "figures.reported", "judge it with figures.opinion"),
    ("pledge", "", "figures.not_in_book", "judge it with figures.pledge"),
])
def test_register_refuses_a_kind_that_does_not_fit_the_claim(data_copy, kind, rounding, official, message):
    import yaml

    from analysis.official_data import DataError

    path = data_copy / "claims" / "recall.yml"
    reg = yaml.safe_load(path.read_text())
    reg["claims"][0]["kind"] = kind
    reg["claims"][0]["stated"]["rounding"] = rounding
    reg["claims"][0]["official"] = {"function": official, "args": {"holder": "x"} if official.endswith("reported")
                                    else {"settled_by": "x"}}
    path.write_text(yaml.safe_dump(reg))
    with pytest.raises(DataError, match=message) as err:
        load_register(data_copy)
    assert "recall.yml" in str(err.value) and "kind" in str(err.value) or "official.function" in str(err.value)


def test_an_explanation_quotes_figures_from_the_data_not_typed():
    from analysis import figures

    text, sources = figures.figures_in_text("from {recall_population:recall_population@2010-06-30} in 2010")
    assert text == "from 5,350 in 2010" and sources[0]["url"].startswith("https://")
    with pytest.raises(LookupError, match="recall_population@1066-10-14"):
        figures.figures_in_text("{recall_population:recall_population@1066-10-14}")


def test_share_of_a_sum_of_categories_reads_each_category_from_the_data():
    from analysis import figures

    reasons = [f"recall_reason_count_{r}" for r in ("further_charge", "non_compliance", "failed_to_keep_in_touch",
                                                     "failed_to_reside", "drugs_alcohol", "other")]
    fig = figures.share_of_sum("recall_reasons", reasons[1], reasons, "2024-Q1")
    assert fig.detail.startswith("5,808 of ") and 0 < fig.value < 100
    assert figures.share_of_sum("recall_reasons", reasons[1], reasons, "1999-Q1", settled_by="x").value is None
    with pytest.raises(ValueError):
        figures.share_of_sum("recall_reasons", "recall_reason_count_other", reasons[:2], "2024-Q1")


def test_at_the_time_and_now():
    """A claim is shown with the latest figure of its series when that is later, and flagged when its figure
    was published after the claim was made (compared by month, since many claims are dated to the month)."""
    from analysis import figures
    from analysis.claims import OfficialFigure, published_after

    later = figures.latest_of("recall_population", "recall_population", "2010-06-30")
    assert later.endswith(")") or " for " in later
    assert figures.latest_of("recall_population", "recall_population", "2999-12-31") == ""
    src = {"date_published": "2024-10-31", "source_kind": "official"}
    assert published_after(OfficialFigure(1.0, sources=[src]), "2024-09-01")
    assert published_after(OfficialFigure(1.0, sources=[src]), "2024-10-03")      # by day: 31 October is after the 3rd
    assert not published_after(OfficialFigure(1.0, sources=[src]), "2024-10-31")  # the same day is not after
    assert not published_after(OfficialFigure(1.0, sources=[src]), "2024-11-01")
    assert not published_after(OfficialFigure(1.0, sources=[src]), "2024-10")     # a month-only date: by month
    month_only = {"date_published": "2024-10", "source_kind": "official"}
    assert not published_after(OfficialFigure(1.0, sources=[month_only]), "2024-10-03")
    assert published_after(OfficialFigure(1.0, sources=[month_only]), "2024-09-30")
    # a claim whose day is not known is dated the first of its month, and compared by month
    assert not published_after(OfficialFigure(1.0, sources=[src]), "2024-10-01", by_day=False)
    from analysis.claims import day_known

    assert not day_known({"occasion": "Statement, October 2024 (month only known; republished on a blog)"})
    assert day_known({"occasion": "Slides of the launch event, Thursday 21 September 2023"})
    assert not published_after(OfficialFigure(1.0, sources=[{"date_published": "unknown"}]), "2020-01-01")
    records = {r["id"]: r for r in json.loads(run_cli("claims", "--format", "json"))}
    flows = records["flows-2024q1-7415"]
    assert flows["latest_figure"] and flows["latest_figure"] in flows["conclusion"]
    assert "published after the claim was made" in records["wf-4000-being-recruited"]["conclusion"]
    assert records["wf-4000-being-recruited"]["published_after_claim"] is True


def test_a_claim_checked_against_its_own_document_or_a_copy_is_refused(data_copy):
    import yaml

    from analysis.validation import check_register

    path = data_copy / "claims" / "prison-population.yml"
    reg = yaml.safe_load(path.read_text())
    first = next(c for c in reg["claims"] if c["id"] == "pp-record-88521")
    first["official"] = {"function": "figures.published", "args": {
        "file": "prison_population_points", "series_id": "prison_population_total", "period": "2024-09-06",
        "settled_by": "x"}}
    path.write_text(yaml.safe_dump(reg, sort_keys=False))
    problems = [str(p) for p in check_register(data_copy).errors]
    assert any("pp-record-88521" in p and "its own document or a copy of it" in p and "prison-population.yml" in p
               for p in problems), problems
    assert len(check_register(ROOT / "data").errors) == 0


def test_community_sentences_headline_is_answered_on_the_bracket():
    """2023 is not held; the year to June 2022 and the year to June 2024 are, both under half of 2012."""
    frame = assess_claims(read_edition(), "community-sentences").set_index("id")
    halved = frame.loc["cs-more-than-halved"]
    assert halved["verdict"] == "accurate" and halved["basis"] == "secondary"
    assert "0.45 times" in halved["reason"] and "0.49 times" in halved["reason"]
    assert "series break" in halved["reason"] and "not confirmed" in halved["reason"]
    level = frame.loc["cs-2023-about-71000"]
    assert level["verdict"] == "accurate" and "68,207" in level["reason"] and "73,425" in level["reason"]


def test_a_bracket_gives_way_to_the_period_itself_and_needs_both_sides(data_copy):
    from analysis.figures import bracketed

    held = bracketed("court_sentences", "community_sentences", "2016", "2015", "2018-09-30", start="2012")
    assert held.bracket == () and round(held.value, 3) == round(102938 / 151183, 3)
    one_side = bracketed("court_sentences", "community_sentences", "2023", "2022-06-30", "2030-06-30",
                         settled_by="a table")
    assert one_side.bracket == () and one_side.value is None and "a table would settle it" in one_side.missing


def test_moving_as_of_changes_the_now_line_never_the_verdict_at_the_time():
    """flows-2024q1-7415 is judged on 2024 Q1 at both editions; only the latest figure and its verdict move."""
    ids = ["flows-2024q1-7415", "cs-2012-about-150000", "mix-2023-06-238264"]
    then, now = ({r["id"]: r for r in assess_claims(read_edition(as_of)).to_dict("records") if r["id"] in ids}
                 for as_of in ("2024-06", "2025-06"))
    assert {i: then[i]["verdict"] for i in ids} == {i: now[i]["verdict"] for i in ids}
    flows = now["flows-2024q1-7415"]
    assert flows["verdict"] == "accurate" and flows["official_value"] == 7415
    assert flows["latest_figure"] == "11,041 for 2025 Q2" and flows["latest_verdict"] == "understated"
    assert "The latest figure the book holds is 11,041 for 2025 Q2; the same words said of 2025 Q2 would be " \
           "understated." in flows["conclusion"]
    assert then["flows-2024q1-7415"]["latest_figure"] == "9,782 for 2024 Q2"
    # an unsettled claim gets the latest figure but no verdict on it
    assert now["mix-2023-06-238264"]["latest_figure"] and not isinstance(now["mix-2023-06-238264"]["latest_verdict"], str)
