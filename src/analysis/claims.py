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
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from .official_data import DataError, log_read
from .paths import data_dir, using_data
from .verdicts import Verdict, judge, rule_for

REGISTER_DIR = "claims"
DOCUMENTS_FILE = "documents.yml"
REQUIRED_KEYS = ["id", "claimant", "speaker", "claimed_at", "document", "quote", "claim", "stated", "kind", "official"]
# The researched claim kinds (issue 9); the older evidence kinds stay accepted for now.
KINDS = {"series", "arithmetic", "reported", "context",
         "level", "bound", "direction", "change", "inference", "pledge", "law", "opinion"}


@dataclass
class OfficialFigure:
    """What an official-figure function returns for one claim."""

    value: float | None
    detail: str = ""
    sources: list[dict] = field(default_factory=list)
    alternatives: dict[str, float | None] = field(default_factory=dict)
    missing: str = ""
    alternative_sources: list[dict] = field(default_factory=list)
    label: str = "official figure"

    @property
    def urls(self) -> list[str]:
        """The source URLs, each once, in order."""
        seen: list[str] = []
        for src in [*self.sources, *self.alternative_sources]:
            if src and src.get("url") and src["url"] not in seen:
                seen.append(src["url"])
        return seen


def _read_yaml(path: Path) -> dict:
    """Read one register file; malformed or empty YAML is refused with the file named."""
    log_read(path)
    try:
        with open(path, encoding="utf-8") as fh:
            content = yaml.safe_load(fh)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise DataError(path, (mark.line + 1) if mark else None, None, f"not valid YAML: {getattr(err, 'problem', err)}") from None
    except UnicodeDecodeError as err:
        raise DataError(path, None, None, f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    if not isinstance(content, dict):
        raise DataError(path, None, None, "empty, or not a mapping of keys to values")
    return content


def register_files(folder: Path | None = None) -> list[Path]:
    """The chapter files of the register, in name order (documents.yml excluded)."""
    directory = (folder or data_dir()) / REGISTER_DIR
    return sorted(p for p in directory.glob("*.yml") if p.name != DOCUMENTS_FILE)


def load_register(folder: Path | None = None) -> dict:
    """Read and check the claims register; errors name the file, claim and key.

    Returns {"documents": {...}, "claims": [...]}, each claim with its `chapter` (the name
    of the file it is in) and `file` (that file's path).
    """
    directory = (folder or data_dir()) / REGISTER_DIR
    if not directory.is_dir():
        raise DataError(directory, None, None, "the claims register folder is missing")
    documents = _read_yaml(directory / DOCUMENTS_FILE).get("documents") or {}
    claims: list[dict] = []
    sections: dict[str, dict[str, str]] = {}
    caveats: dict[str, list[str]] = {}
    seen: dict[str, Path] = {}
    for path in register_files(folder):
        content = _read_yaml(path)
        entries = content.get("claims")
        if not isinstance(entries, list):
            raise DataError(path, None, "claims", "has no list under the key 'claims'")
        sections[path.stem] = dict(content.get("sections") or {})
        caveats[path.stem] = list(content.get("caveats") or [])
        for i, claim in enumerate(entries, start=1):
            _check_claim(path, i, claim, documents, seen)
            if sections[path.stem] and claim.get("section") not in sections[path.stem]:
                raise DataError(path, i, "section", f"claim {claim['id']!r} names section {claim.get('section')!r}, "
                                f"which is not under 'sections' ({', '.join(sections[path.stem])})")
            claims.append({**claim, "chapter": path.stem})
    return {"documents": documents, "claims": claims, "sections": sections, "caveats": caveats}


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
    stated = claim["stated"]
    if not isinstance(stated, dict) or isinstance(stated.get("value"), bool) or not isinstance(stated.get("value"), (int, float)):
        raise DataError(path, i, "stated.value", f"claim {where!r}: the stated value must be a number")
    try:
        rule_for(stated.get("rounding", ""))
    except ValueError as err:
        raise DataError(path, i, "stated.rounding", str(err)) from None
    spec = claim["official"]
    try:
        func = official_function(spec["function"])
    except (ImportError, AttributeError, ValueError, KeyError, TypeError):
        raise DataError(path, i, "official.function", f"claim {where!r} names {spec.get('function')!r}, "
                        "which is not a function in the analysis package") from None
    try:
        inspect.signature(func).bind(**(spec.get("args") or {}))
    except TypeError as err:
        raise DataError(path, i, "official.args", f"claim {where!r}: {err}") from None


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


def official_figure(claim: dict) -> OfficialFigure:
    """Run the claim's official-figure function with its arguments."""
    spec = claim["official"]
    return official_function(spec["function"])(**spec.get("args", {}))


def assess_claim(claim: dict, documents: dict) -> dict:
    """Judge one claim and return a flat record for tables, JSON and pages."""
    stated = claim["stated"]
    figure = official_figure(claim)
    judgement = judge(stated["value"], figure.value, stated.get("rounding", ""), stated.get("unit", ""),
                      alternatives=figure.alternatives, missing_reason=figure.missing)
    reason = judgement.reason
    label = figure.label
    if any(src and src.get("source_kind") == "secondary" for src in figure.sources):
        label = "figure from a secondary source"
    reason = reason.replace("official figure", label, 1)
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
        "document": doc["title"],
        "document_short": doc.get("short", doc["title"]),
        "document_id": claim["document"],
        "document_date": str(doc["date"]),
        "stated_text": stated.get("text", ""),
        "stated_value": float(stated["value"]),
        "rounding": stated.get("rounding", "") or "exact",
        "unit": stated.get("unit", ""),
        "kind": claim["kind"],
        "official_value": None if value is None else float(value),
        "official_detail": figure.detail,
        "verdict": judgement.verdict.value,
        "reason": reason,
        "sources": figure.urls,
    }


def assess_claims(chapter: str | None = None, folder: Path | None = None) -> pd.DataFrame:
    """Judge every claim in the register (or one chapter's) and return one row per claim."""
    with using_data(folder):
        register = load_register(folder)
        claims = [c for c in register["claims"] if chapter is None or c["chapter"] == chapter]
        rows = [assess_claim(c, register["documents"]) for c in claims]
    return pd.DataFrame(rows)


def verdict_counts(assessed: pd.DataFrame) -> dict[str, int]:
    """How many claims got each verdict, in the vocabulary's order (zeros included)."""
    counts = assessed["verdict"].value_counts()
    return {v.value: int(counts.get(v.value, 0)) for v in Verdict}
