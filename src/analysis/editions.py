"""Editions: the book as of one `as_of` month, handed down from the top and recorded in `data/editions/`.

The top of a run (the build, a notebook's set-up cell, the command line) reads the edition once
with `read_edition`: the as-of month, the chapter pages and the editions already recorded.
Everything below takes it as an argument; nothing below reads `params.yml`.

An edition's record, `<data>/editions/<as_of>.json`, keeps every claim's verdict and figures
and the figures and verdicts that changed since the previous edition; it is never rewritten.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pandas as pd

from .claims import assess_claims
from .official_data import log_read, package_descriptor, read_series_file, series
from .params import Edition, chapter_list, shared_as_of
from .paths import data_dir
from .periods import ends_by, period_type_of


def read_edition(as_of: str | None = None, folder: Path | None = None, params: Path | None = None) -> Edition:
    """The edition a run works on: `as_of` (default: shared.as_of in params.yml), the chapter
    pages from the one chapter list, and the edition records held in the data folder."""
    return Edition(str(as_of or shared_as_of(params)),
                   {c["name"]: c["notebook"] for c in chapter_list(params)},
                   tuple(load_editions(folder)))



EDITIONS_DIR = "editions"


class EditionConflict(RuntimeError):
    """An edition's record already exists with different content; records are never rewritten."""


def _plain(value):
    """A figure as JSON: an integral float as an int, a suppressed figure as null."""
    if value is None or pd.isna(value):
        return None
    value = float(value)
    return int(value) if value.is_integer() else value


def edition_figures(folder: Path) -> list[dict]:
    """Every figure the book resolves to in a data folder, with the publication it comes from."""
    figures = []
    for res in package_descriptor(folder)["resources"]:
        name = res["path"].removesuffix(".csv")
        for sid in sorted(read_series_file(name, folder)["series_id"].unique()):
            for _, row in series(name, sid, folder).iterrows():
                figures.append({"file": name, "series": sid, "period": row["period"], "value": _plain(row["value"]),
                                "publication": row["publication"], "date_published": row["date_published"]})
    return sorted(figures, key=lambda f: (f["file"], f["series"], f["period"]))


def in_reach(figures: list[dict], as_of: str) -> list[dict]:
    """The figures an edition can see: those whose period ends on or before the last day of its as-of
    month.  A figure for a later period (a quarter already in data/, or a secondary parse of one the
    official tables have not reached) belongs to a later edition and never touches this one."""
    return [f for f in figures if ends_by(f["period"], period_type_of(f["period"]), as_of)]


def changes_between(previous: dict | None, record: dict) -> tuple[list[dict], list[dict]]:
    """New and revised figures from one edition to the next, each edition seen at its own month.

    New: in reach of this edition and not of the previous one (a period it did not hold, or held
    only beyond its month).  Revised: in reach of both, with another value.  Deriving both from the
    two records' figures keeps the editions page true to the records themselves.
    """
    if previous is None:
        return [], []
    key = lambda f: (f["file"], f["series"], f["period"])  # noqa: E731
    old = {key(f): f for f in in_reach(previous["figures"], previous["as_of"])}
    new, revised = [], []
    for fig in in_reach(record["figures"], record["as_of"]):
        before = old.get(key(fig))
        if before is None:
            new.append(fig)
        elif before["value"] != fig["value"]:
            revised.append({**fig, "old_value": before["value"], "old_publication": before["publication"]})
    return new, revised


def edition_claims(edition: Edition, folder: Path) -> list[dict]:
    """Every claim's verdict, official and stated values and reason, as the record keeps them."""
    frame = assess_claims(edition, folder=folder)
    claims = []
    for _, row in frame.iterrows():
        claims.append({"id": row["id"], "chapter": row["chapter"], "verdict": row["verdict"],
                       "stated_value": _plain(row["stated_value"]), "official_value": _plain(row["official_value"]),
                       "reason": row["reason"]})
    return sorted(claims, key=lambda c: c["id"])


def edition_path(folder: Path, as_of: str) -> Path:
    """Where the record of the edition as of `as_of` lives."""
    return Path(folder) / EDITIONS_DIR / f"{as_of}.json"


#: Corrections to released editions, one file per edition: `<data>/editions/corrections/<as_of>.json`.
CORRECTIONS_DIR = "corrections"


def _read_json(path: Path):
    log_read(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: not valid JSON (line {err.lineno}, column {err.colno}): {err.msg}") from err


def corrections_path(folder: Path, as_of: str) -> Path:
    """Where the corrections to the released edition as of `as_of` are kept."""
    return Path(folder) / EDITIONS_DIR / CORRECTIONS_DIR / f"{as_of}.json"


def corrected(record: dict, corrections: list[dict]) -> dict:
    """The record as published after its corrections, oldest first: each corrected claim or figure
    takes its new values.  The record's file is never rewritten; this is how the book reads it."""
    claims = {c["id"]: dict(c) for c in record["claims"]}
    figures = {(f["file"], f["series"], f["period"]): dict(f) for f in record["figures"]}
    for correction in corrections:
        for change in correction.get("claims", []):
            claims[change["id"]] = {"id": change["id"], **change["after"]}
        for change in correction.get("figures", []):
            key = (change["file"], change["series"], change["period"])
            figures[key] = {"file": change["file"], "series": change["series"], "period": change["period"],
                            **change["after"]}
    return {**record, "claims": sorted(claims.values(), key=lambda c: c["id"]),
            "figures": sorted(figures.values(), key=lambda f: (f["file"], f["series"], f["period"])),
            "corrections": list(corrections)}


def load_editions(folder: Path | None = None) -> list[dict]:
    """Every edition record in a data folder, oldest first, as published: with its corrections applied
    and listed under `corrections` (empty when none is recorded)."""
    base = Path(folder or data_dir()) / EDITIONS_DIR
    records = []
    for path in sorted(base.glob("*.json")):
        record = _read_json(path)
        fixes = corrections_path(folder or data_dir(), record["as_of"])
        records.append(corrected(record, _read_json(fixes) if fixes.is_file() else []))
    return sorted(records, key=lambda r: r["as_of"])


def differences(published: dict, computed: dict) -> dict:
    """What a record computed now changes in a published one: claims the published record holds whose
    verdict, figures or reason differ, and figures that differ, appear or go.  A claim added to the
    register since is not a difference (it joins the next edition)."""
    now = {c["id"]: c for c in computed["claims"]}
    claims = [{"id": c["id"], "before": {k: v for k, v in c.items() if k != "id"},
               "after": {k: v for k, v in now[c["id"]].items() if k != "id"}}
              for c in published["claims"] if c["id"] in now and now[c["id"]] != c]
    key = lambda f: (f["file"], f["series"], f["period"])  # noqa: E731
    # each side seen at the edition's month: a figure for a later period is not a difference
    reach = published["as_of"]
    old = {key(f): f for f in in_reach(published["figures"], reach)}
    new = {key(f): f for f in in_reach(computed["figures"], reach)}
    figures = [{"file": k[0], "series": k[1], "period": k[2],
                "before": {n: v for n, v in old[k].items() if n not in ("file", "series", "period")} if k in old else None,
                "after": {n: v for n, v in new[k].items() if n not in ("file", "series", "period")} if k in new else None}
               for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]
    return {"claims": claims, "figures": figures}


def edition_record(edition: Edition, folder: Path, previous: dict | None) -> dict:
    """The record of the edition as of `as_of`: every claim and figure, and what changed since `previous`.

    Changes are measured against the previous edition's record (the book as it was last
    published), so the record does not depend on when, or how often, `update` runs.  The first
    edition has no previous one and lists no changes.
    """
    as_of = edition.as_of
    figures = in_reach(edition_figures(folder), as_of)
    claims = edition_claims(edition, folder)
    verdicts = []
    new, revised = changes_between(previous, {"as_of": as_of, "figures": figures})
    if previous is not None:
        old_verdicts = {c["id"]: c["verdict"] for c in previous["claims"]}
        verdicts = [{"id": c["id"], "old": old_verdicts.get(c["id"], "(new claim)"), "new": c["verdict"]}
                    for c in claims if old_verdicts.get(c["id"]) != c["verdict"]]
    return {"edition": as_of, "as_of": as_of, "previous": previous["as_of"] if previous else None,
            "new_figures": new, "revised_figures": revised, "verdicts_changed": verdicts,
            "claims": claims, "figures": figures}


def dump_record(record: dict) -> str:
    """The record as written to disk: sorted keys, one figure or claim per line, newline at the end."""
    lines = ["{"]
    keys = sorted(record)
    for i, key in enumerate(keys):
        comma = "," if i < len(keys) - 1 else ""
        value = record[key]
        if isinstance(value, list) and value:
            items = [json.dumps(item, sort_keys=True, ensure_ascii=False) for item in value]
            lines.append(f" {json.dumps(key)}: [")
            lines += [f"  {item}," for item in items[:-1]] + [f"  {items[-1]}", f" ]{comma}"]
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, sort_keys=True, ensure_ascii=False)}{comma}")
    return "\n".join(lines + ["}"]) + "\n"


def write_edition(edition: Edition, folder: Path, correction: str = "", on: str = "") -> tuple[Path, bool]:
    """Record the edition as of `as_of` in `<folder>/editions/`; never rewrite a released record.

    Returns the path written and whether a file was written.  When a record for `as_of` already
    exists and the book as computed now gives the same claims and figures (its corrections
    applied; claims added since do not count), nothing is written.  When they differ, the change
    is refused (EditionConflict) unless `correction` says what was wrong and why: then it is
    appended, dated `on`, to `<folder>/editions/corrections/<as_of>.json`, as statistics producers
    publish corrections, and the record itself stays as released.  A correction may be published
    to any released edition, the oldest included; a new edition older than the newest recorded
    one is refused.
    """
    if correction and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(on)):
        raise ValueError(f"a correction needs the date it is published, YYYY-MM-DD (got {on!r})")
    as_of = edition.as_of
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(as_of)):
        raise ValueError(f"as_of {as_of!r} is not a month written YYYY-MM")
    path = edition_path(folder, as_of)
    records = [r for r in load_editions(folder) if r["as_of"] != as_of]
    earlier = [r for r in records if r["as_of"] < as_of]
    if not path.is_file() and any(r["as_of"] > as_of for r in records):
        newest = max(r["as_of"] for r in records)
        raise EditionConflict(f"{path}: edition {as_of} is older than the newest recorded edition {newest}; "
                              "editions are added in order")
    record = edition_record(edition, folder, earlier[-1] if earlier else None)
    if path.is_file():
        published = next(r for r in load_editions(folder) if r["as_of"] == as_of)
        changed = differences(published, record)
        if not changed["claims"] and not changed["figures"]:
            return path, False
        if not correction:
            ids = [c["id"] for c in changed["claims"]][:5]
            detail = f"claims that differ include {', '.join(ids)}" if ids else "its figures differ"
            raise EditionConflict(f"{path} already records edition {as_of} with different content ({detail}); "
                                  "an edition's record is never rewritten: publish the change as a correction "
                                  '(`make update ARGS=\'--correction "what was wrong and why"\'`), or set a new '
                                  "as_of in params.yml (or pass --as-of YYYY-MM) for a new edition")
        fixes = corrections_path(folder, as_of)
        entries = _read_json(fixes) if fixes.is_file() else []
        entries.append({"date": str(on), "why": correction, **changed})
        _write_atomically(fixes, json.dumps(entries, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
        return fixes, True
    _write_atomically(path, dump_record(record))
    return path, True


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def corrections_by_claim(records: list[dict]) -> dict[str, list[tuple[str, str, str]]]:
    """For each corrected claim: (edition, date, why) of each correction, oldest first."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    for record in records:
        for correction in record.get("corrections", []):
            for change in correction.get("claims", []):
                found.setdefault(change["id"], []).append((record["as_of"], correction["date"], correction["why"]))
    return found


def verdict_changed(records: list[dict]) -> set[tuple[str, str]]:
    """(claim id, why) of each correction that changed the claim's verdict; the others changed only a figure's
    rounding or the wording of a reason."""
    return {(change["id"], correction["why"]) for record in records for correction in record.get("corrections", [])
            for change in correction.get("claims", [])
            if change.get("before", {}).get("verdict") != change.get("after", {}).get("verdict")}


def verdict_history(records: list[dict]) -> dict[str, list[tuple[str, str]]]:
    """For each claim whose verdict changed across editions: (as_of, verdict) at each change, oldest first."""
    history: dict[str, list[tuple[str, str]]] = {}
    for record in records:
        for claim in record["claims"]:
            steps = history.setdefault(claim["id"], [])
            if not steps or steps[-1][1] != claim["verdict"]:
                steps.append((record["as_of"], claim["verdict"]))
    return {cid: steps for cid, steps in history.items() if len(steps) > 1}
