"""The claims register and its assessment.

The register (`data/claims/`: `documents.yml` and one `<chapter>.yml` per chapter) holds each claim in the book's own words, the figure it
states with unit and rounding word, the document it comes from, and the name of the
function in this package that produces the official figure to compare.  `assess_claims`
runs those functions and the verdict engine; the CLI and every chapter page call it, so
the JSON output and the book show the same verdicts.
"""

from __future__ import annotations

import importlib
import inspect
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .figures import OfficialFigure
from .official_data import DataError, read_yaml
from .paths import data_dir, using_data
from .periods import period_end, period_type_of
from .tables import stated_table, table_specs
from .verdicts import KINDS as CLAIM_KINDS
from .verdicts import UNSETTLED, Verdict, judge, judge_bracket, judge_cohort, kind_for, label_of, rule_for, still_holds

REGISTER_DIR = "claims"
DOCUMENTS_FILE = "documents.yml"
REQUIRED_KEYS = ["id", "claimant", "speaker", "claimed_at", "document", "quote", "claim", "stated", "kind", "official"]
#: Register kinds: where the figure comes from (series, reported, context) or a claim kind the verdict engine knows.
KINDS = {"series", "arithmetic", "reported", "context"} | set(CLAIM_KINDS)


def load_left_out(folder: Path | None = None) -> list[dict]:
    """Statements with a number that were left out of the register on purpose, each with its reason.

    Read from `data/documents/left-out.yml`; an entry without a known document, a quote or a
    reason is refused with the file, the entry and the key.
    """
    path = (folder or data_dir()) / "documents" / "left-out.yml"
    if not path.exists():
        return []
    entries = read_yaml(path).get("left_out") or []
    documents = load_register(folder)["documents"]
    for i, entry in enumerate(entries, start=1):
        for key in ("document", "quote", "reason"):
            if not isinstance(entry, dict) or not str(entry.get(key) or "").strip():
                raise DataError(path, i, key, f"left-out entry #{i} has no {key!r}")
        if str(entry["document"]) not in documents:
            raise DataError(path, i, "document", f"left-out entry #{i} cites unknown document {entry['document']!r}")
    return entries


def register_files(folder: Path | None = None) -> list[Path]:
    """The chapter files of the register, in name order (documents.yml excluded)."""
    directory = (folder or data_dir()) / REGISTER_DIR
    return sorted(p for p in directory.glob("*.yml") if p.name != DOCUMENTS_FILE)


def load_register(folder: Path | None = None) -> dict:
    """Read and check the claims register; errors name the file, claim and key.

    Returns {"documents": {...}, "claims": [...]}, each claim with its `chapter` (the name
    of the file it is in) and its `occasion` key replaced by the text `documents.yml` gives it.
    """
    directory = (folder or data_dir()) / REGISTER_DIR
    if not directory.is_dir():
        raise DataError(directory, None, None, "the claims register folder is missing")
    index = read_yaml(directory / DOCUMENTS_FILE)
    documents = index.get("documents") or {}
    occasions = index.get("occasions") or {}
    claims: list[dict] = []
    sections: dict[str, dict[str, str]] = {}
    caveats: dict[str, list[str]] = {}
    #: Per chapter, sections whose figures are charted as the document states them: {anchor: claim id prefix}.
    stated_charts: dict[str, dict[str, str]] = {}
    seen: dict[str, Path] = {}
    for path in register_files(folder):
        content = read_yaml(path)
        entries = content.get("claims")
        if not isinstance(entries, list):
            raise DataError(path, None, "claims", "has no list under the key 'claims'")
        sections[path.stem] = dict(content.get("sections") or {})
        caveats[path.stem] = list(content.get("caveats") or [])
        stated_charts[path.stem] = dict(content.get("stated_charts") or {})
        for i, claim in enumerate(entries, start=1):
            _check_claim(path, i, claim, documents, seen)
            if "occasion" in claim:  # written once in documents.yml, named by key in each claim
                if claim["occasion"] not in occasions:
                    raise DataError(path, i, "occasion", f"claim {claim['id']!r} names occasion {claim['occasion']!r}, "
                                    f"which is not a key under 'occasions' in {DOCUMENTS_FILE}")
                claim = {**claim, "occasion": occasions[claim["occasion"]]}
            if sections[path.stem] and claim.get("section") not in sections[path.stem]:
                raise DataError(path, i, "section", f"claim {claim['id']!r} names section {claim.get('section')!r}, "
                                f"which is not under 'sections' ({', '.join(sections[path.stem])})")
            claims.append({**claim, "chapter": path.stem})
    for name, charts in stated_charts.items():
        for anchor in charts:
            if anchor not in sections.get(name, {}):
                raise DataError(directory / f"{name}.yml", None, "stated_charts",
                                f"section {anchor!r} is not under 'sections'")
    for name, (path, spec) in table_specs(folder).items():
        if spec.get("section") not in sections.get(path.stem, {}):
            raise DataError(path, None, f"stated_tables.{name}.section",
                            f"table {name!r} names section {spec.get('section')!r}, which is not under 'sections'")
        stated_table(name, folder)   # every row read, or refused with the document and line
    return {"documents": documents, "claims": claims, "sections": sections, "caveats": caveats,
            "stated_charts": stated_charts}


def _check_claim(path: Path, i: int, claim: dict, documents: dict, seen: dict) -> None:
    """Check one register entry; `i` is its position in the file (claim #i)."""
    if not isinstance(claim, dict):
        raise DataError(path, i, None, f"claim #{i} is not a mapping of keys to values")
    where = claim.get("id", f"claim #{i}")
    for key in REQUIRED_KEYS:
        if key not in claim:
            raise DataError(path, i, key, f"claim {where!r} has no {key!r}")
    if "chapter" in claim and claim["chapter"] != path.stem:
        raise DataError(path, i, "chapter", f"claim {where!r} says chapter {claim['chapter']!r} but is in {path.name}")
    if claim["id"] in seen:
        raise DataError(path, i, "id", f"claim id {where!r} appears twice (also in {seen[claim['id']].name})")
    seen[claim["id"]] = path
    if claim["document"] not in documents:
        raise DataError(path, i, "document", f"claim {where!r} cites unknown document {claim['document']!r}")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(claim["claimed_at"])):
        raise DataError(path, i, "claimed_at", f"claim {where!r}: claimed_at must be a date written YYYY-MM-DD")
    if claim["kind"] not in KINDS:
        raise DataError(path, i, "kind", f"claim {where!r} has kind {claim['kind']!r}; use one of {sorted(KINDS)}")
    if claim.get("why_unsettled", UNSETTLED[0]) not in UNSETTLED:
        raise DataError(path, i, "why_unsettled", f"claim {where!r} has why_unsettled {claim['why_unsettled']!r}; "
                        f"use one of {', '.join(UNSETTLED)}")
    stated = claim["stated"]
    if not isinstance(stated, dict) or isinstance(stated.get("value"), bool) or not isinstance(stated.get("value"), (int, float)):
        raise DataError(path, i, "stated.value", f"claim {where!r}: the stated value must be a number")
    try:
        rule_for(stated.get("rounding", ""))
    except ValueError as err:
        raise DataError(path, i, "stated.rounding", str(err)) from None
    numeric = {"level", "bound", "direction", "change"}
    if claim["kind"] in numeric and claim["kind"] != kind_for(stated.get("rounding", "")):
        raise DataError(path, i, "kind", f"claim {where!r} has kind {claim['kind']!r} but its rounding word "
                        f"{stated.get('rounding', '')!r} makes it a {kind_for(stated.get('rounding', ''))!r} claim")
    spec = claim["official"]
    ruled = {"opinion": "figures.opinion", "law": "figures.law", "pledge": "figures.pledge", "inference": "figures.inference"}
    if claim["kind"] in ruled and spec.get("function") != ruled[claim["kind"]]:
        raise DataError(path, i, "official.function", f"claim {where!r} is a {claim['kind']} claim: "
                        f"judge it with {ruled[claim['kind']]}, not {spec.get('function')!r}")
    try:
        func = official_function(spec["function"])
    except (ImportError, AttributeError, ValueError, KeyError, TypeError):
        raise DataError(path, i, "official.function", f"claim {where!r} names {spec.get('function')!r}, "
                        "which is not a function in the analysis package") from None
    try:
        inspect.signature(func).bind(**(spec.get("args") or {}))
    except TypeError as err:
        raise DataError(path, i, "official.args", f"claim {where!r}: {err}") from None


#: Register arguments that name a series, and those that name a period, of a claim's official figure.
SERIES_ARGS = ("series_id", "part", "whole", "series_ids")
PERIOD_ARGS = ("period", "start", "end", "periods", "date", "before", "after")


def listed(value) -> list:
    """A register argument that may be one value or a list of them, as a list (empty when absent)."""
    return value if isinstance(value, list) else [] if value is None else [value]


@dataclass(frozen=True)
class FigureArgs:
    """What a claim's official-figure function reads, from its register arguments: the one typed
    reader that validation, the evidence sections and the catalogue all use."""

    function: str
    file: str
    #: (argument, series id) in argument order: which argument named which series.
    named: tuple[tuple[str, str], ...]
    periods: tuple[str, ...]
    settled_by: str
    args: dict

    @property
    def series_ids(self) -> list[str]:
        return list(dict.fromkeys(sid for _, sid in self.named))


def figure_args(claim: dict) -> FigureArgs:
    """Read a claim's `official` block (or the block itself) into `FigureArgs`."""
    official = claim.get("official", claim) if isinstance(claim, dict) else {}
    args = dict(official.get("args") or {})
    named = tuple((key, str(sid)) for key in SERIES_ARGS for sid in listed(args.get(key)) if sid)
    periods = tuple(str(p) for key in PERIOD_ARGS for p in listed(args.get(key)) if p)
    return FigureArgs(str(official.get("function", "")), str(args.get("file") or ""), named, periods,
                      str(args.get("settled_by") or ""), args)


def official_function(dotted: str):
    """Resolve 'module.function': a chapter module (`analysis.chapters.<module>`) or a general one."""
    module, _, name = dotted.rpartition(".")
    if not module:
        raise ValueError(f"{dotted!r} is not 'module.function'")
    try:
        found = importlib.import_module(f"analysis.chapters.{module}")
    except ModuleNotFoundError:
        found = importlib.import_module(f"analysis.{module}")
    return getattr(found, name)


def official_figure(claim: dict, as_of: str) -> OfficialFigure:
    """Run the claim's official-figure function with its arguments, and the as-of month when it takes one
    (a pledge is judged at `as_of`; a published figure names the latest figure held up to `as_of`)."""
    spec = claim["official"]
    func = official_function(spec["function"])
    args = dict(spec.get("args") or {})
    if "as_of" in inspect.signature(func).parameters:
        args.setdefault("as_of", as_of)
    return func(**args)


def claim_kind(claim: dict) -> str:
    """The claim's kind: its register `kind` when that is a verdict-engine kind, else the one its rounding word implies."""
    if claim["kind"] in CLAIM_KINDS:
        return claim["kind"]
    return kind_for(claim["stated"].get("rounding", ""))


def basis(figure: OfficialFigure, kind: str) -> str:
    """What the verdict rests on: official, secondary, arithmetic (the document's own figures), publisher, or none."""
    ruled = getattr(figure.judgement, "kind", None)
    if ruled == "law" and figure.judgement.rating is not None:
        return "official"
    if ruled == "inference" and figure.judgement.rating is not None:
        return "arithmetic"
    if ruled == "arithmetic" and figure.judgement.rating is not None and figure.sources:   # a table checked on held rows
        kinds = {src.get("source_kind") for src in figure.sources if src}
        return "secondary" if "secondary" in kinds else "official"
    if (figure.value is None or (isinstance(figure.value, float) and math.isnan(figure.value))) and not figure.bracket:
        return "none"
    if figure.label == "recomputed figure":
        return "arithmetic"
    kinds = {src.get("source_kind") for src in figure.sources if src}
    for rests_on in ("secondary", "publisher", "official"):
        if rests_on in kinds:
            return rests_on
    return "arithmetic" if kind == "arithmetic" else "official"


#: Words in an occasion that say the claim's day is not known (its claimed_at is the first of the month).
DAY_UNKNOWN = ("month only known", "first of month used", "first of the month", "day not shown", "exact day not shown")


def day_known(claim: dict) -> bool:
    """Whether the claim's day is known: its occasion does not say the day was not shown or that the
    first of the month stands in for it."""
    occasion = str(claim.get("occasion", "")).lower()
    return not any(words in occasion for words in DAY_UNKNOWN)


def published_after(figure: OfficialFigure, claimed_at: str, by_day: bool = True) -> bool:
    """True when a figure the verdict uses was published after the claim was made (so the speaker could not have seen it).

    Compared by day when both dates have one and the claim's day is known (a bulletin of 31 October
    is after a statement of 3 October); by month when either is known only to the month.
    """
    said = str(claimed_at) if by_day else str(claimed_at)[:7]
    dates = [str(src.get("date_published", "")) for src in figure.sources if src]
    return any(d[:4].isdigit() and (d[:10] > said[:10] if len(d) >= 10 and len(said) >= 10 else d[:7] > said[:7])
               for d in dates)


def about_the_present(claim: dict) -> bool:
    """True when the claim's period ends within the year before it was made: the figure was the current
    one then ("the recall population now stands at 12,199"), so asking whether it still holds makes
    sense.  A claim about a past period ("150 in June 1995") is not set against today's figure."""
    periods = figure_args(claim).periods
    claimed = str(claim.get("claimed_at", ""))
    if len(periods) != 1 or not re.match(r"\d{4}-\d{2}", claimed):
        return False
    end = period_end(periods[0], period_type_of(periods[0]))
    said = pd.Timestamp(claimed[:10] if len(claimed) >= 10 else claimed[:7] + "-01")
    return end <= said and (said - end).days <= 366


def now_line(claim: dict, figure: OfficialFigure, judgement, kind: str) -> tuple[str, str]:
    """The "now" line and the verdict the claim would get on the latest figure ('' when not judged).

    Only a level or bound claim about the present when it was made (`about_the_present`), judged on
    its own period's figure, is set against the latest one (a change or a bracket is about its
    periods, not about now); the at-the-time verdict is never changed by it.
    """
    if not figure.latest:
        return "", ""
    text = f"The latest figure the book holds is {figure.latest}"
    if figure.value is None or figure.latest_value is None or kind not in ("level", "bound") \
            or not about_the_present(claim):
        return text + ".", ""
    stated = claim["stated"]
    now = judge(stated["value"], figure.latest_value, stated.get("rounding", ""), stated.get("unit", ""))
    clause = still_holds(judgement, now)
    return (f"{text}; the same words said of {figure.latest_when} {clause}." if clause else text + "."), \
        (now.verdict.value if clause else "")


def conclusion(reason: str, settled: bool, figure: OfficialFigure, rests_on: str, after: bool = False,
               now_text: str | None = None) -> str:
    """A plain sentence giving the right figure (or why there is none), its period and its basis.

    When the figure was published after the claim was made, the sentence says so; when the book
    holds a later figure of the same series, the sentence gives it too, and for a level or bound
    claim whether it would still hold on it ("at the time and now", `now_line`).
    """
    text = reason.strip().rstrip(".")
    if now_text is None:
        now_text = f"The latest figure the book holds is {figure.latest}." if figure.latest else ""
    now = f" {now_text}" if now_text else ""
    if not settled:
        if text.lower().startswith("no verdict"):
            return text[:1].upper() + text[1:] + "." + now
        return "No verdict: " + text + "." + now
    extras = [figure.detail] if figure.detail else []
    if rests_on == "secondary" and "secondary" not in figure.detail:
        extras.append("from a secondary compilation, not an official table")
    if after:
        extras.append("published after the claim was made")
    return text[:1].upper() + text[1:] + (f" ({'; '.join(extras)})" if extras else "") + "." + now


def evidence_url(claim: dict, pages: dict[str, str | None]) -> str | None:
    """Where the claim's evidence is, relative to the site root: its chapter page and section anchor.

    None while the chapter has no page.  `pages` is the edition's chapter pages (`Edition.pages`).
    """
    page = pages.get(claim["chapter"])
    if not page:
        return None
    anchor = f"#{claim['section']}" if claim.get("section") else ""
    return page.removesuffix(".ipynb") + ".html" + anchor


def judgement_of(claim: dict, figure: OfficialFigure):
    """The verdict on a claim and its kind: a rule's own (opinion, law, inference, pledge), the bracket
    rule when the period is not held but both sides are, or the rule for the claim's rounding word; a claim
    the register marks `cohort_mismatch` (two counts that are not the same people) then goes through
    `judge_cohort`."""
    judged, kind = _judgement_of(claim, figure)
    if claim.get("cohort_mismatch"):
        return judge_cohort(judged, str(claim["cohort_mismatch"])), kind
    return judged, kind


def _judgement_of(claim: dict, figure: OfficialFigure):
    stated = claim["stated"]
    if figure.judgement is not None:
        return figure.judgement, figure.judgement.kind
    if figure.value is None and figure.bracket:
        return judge_bracket(stated["value"], list(figure.bracket), stated.get("rounding", ""),
                             stated.get("unit", ""), figure.bracket_note), claim_kind(claim)
    why = claim.get("why_unsettled") or figure.unsettled
    return judge(stated["value"], figure.value, stated.get("rounding", ""), stated.get("unit", ""),
                 alternatives=figure.alternatives, missing_reason=figure.missing, why_unsettled=why,
                 official_precision=figure.precision), claim_kind(claim)


def assess_claim(claim: dict, documents: dict, edition) -> dict:
    """Judge one claim as of the edition (`params.Edition`) and return a flat record for tables, JSON and pages."""
    stated = claim["stated"]
    figure = official_figure(claim, edition.as_of)
    judgement, kind = judgement_of(claim, figure)
    rests_on = basis(figure, kind) if judgement.verdict != Verdict.UNVERIFIABLE else "none"   # no verdict rests on nothing
    after = published_after(figure, str(claim.get("claimed_at", "")), day_known(claim))
    now_text, latest_verdict = now_line(claim, figure, judgement, kind)
    reason = judgement.reason
    label = figure.label
    if rests_on == "secondary":
        label = "figure from a secondary source"
    if label != "official figure":
        reason = reason.replace("the figure", f"the {label}", 1)
    doc = documents[claim["document"]]
    value = figure.value
    if value is not None and isinstance(value, float) and math.isnan(value):
        value = None
    return {
        "id": claim["id"],
        "chapter": claim["chapter"],
        "section": claim.get("section", ""),
        "claim": claim["claim"],
        "claimant": claim["claimant"],
        "quote": claim.get("quote", ""),
        "speaker": claim.get("speaker", claim["claimant"]),
        "occasion": claim.get("occasion", ""),
        "claimed_at": str(claim.get("claimed_at", "")),
        "evidence_url": evidence_url(claim, edition.pages),
        "document": doc["title"],
        "document_short": doc.get("short", doc["title"]),
        "document_id": claim["document"],
        "document_file": Path(str(doc.get("archive", ""))).name,
        "document_url": str(doc.get("url", "")),
        "document_date": str(doc["date"]),
        "stated_text": stated.get("text", ""),
        "stated_value": float(stated["value"]),
        "rounding": stated.get("rounding", "") or "exact",
        "unit": stated.get("unit", ""),
        "kind": kind,
        "register_kind": claim["kind"],
        "official_value": None if value is None else float(value),
        "official_detail": figure.detail,
        "verdict": judgement.verdict.value,
        "rating": judgement.rating,
        "why_unsettled": judgement.why_unsettled,
        "basis": rests_on,
        "reason": reason,
        "conclusion": conclusion(reason, judgement.verdict != Verdict.UNVERIFIABLE, figure, rests_on, after, now_text),
        "published_after_claim": after,
        "bracketed": bool(figure.bracket) and figure.judgement is None and figure.value is None,
        "label": label_of(judgement.verdict.value, judgement.why_unsettled, kind),
        "headline": bool(claim.get("headline", False)),
        "latest_figure": figure.latest or None,
        "latest_verdict": latest_verdict or None,
        "sources": figure.urls,
    }


def assess_claims(edition, chapter: str | None = None, folder: Path | None = None) -> pd.DataFrame:
    """Judge every claim in the register (or one chapter's) as of the edition handed down
    (`editions.read_edition()`), and return one row per claim."""
    with using_data(folder):
        register = load_register(folder)
        claims = [c for c in register["claims"] if chapter is None or c["chapter"] == chapter]
        rows = [assess_claim(c, register["documents"], edition) for c in claims]
    frame = pd.DataFrame(rows)
    if "rating" in frame:
        frame["rating"] = frame["rating"].astype("Int64")
    return frame


def verdict_counts(assessed: pd.DataFrame) -> dict[str, int]:
    """How many claims got each verdict, in the vocabulary's order (zeros included)."""
    counts = assessed["verdict"].value_counts()
    return {v.value: int(counts.get(v.value, 0)) for v in Verdict}
