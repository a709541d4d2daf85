"""General official-figure functions for the claims register.

Each returns an `OfficialFigure` for one claim: a published value, a change between two
periods, a share, a sum, an average over years, a recomputation from the claim's own
figures, or a finding that only its publisher holds.  When a figure is not held, the
result says so and names the official table that would settle it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

import pandas as pd

from .formatting import at_period, count, figure, period_text
from .official_data import DataError, _parsed, break_between, dated_series, point, series, series_name
from .periods import ends_by, month_end, period_end, period_start, period_type_of
from .tables import row_key, stated_table, table_heading
from .verdicts import judge_context, judge_inference, judge_law, judge_opinion, judge_pledge, judge_reconciliation


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
    unsettled: str = "not_in_book"
    precision: float = 0.0
    #: A verdict already reached by a non-numeric rule (opinion, law, inference, pledge).
    judgement: object = None
    #: The latest figure of the same series the book holds, when it is for a later period ("12,579 for 30 September 2024").
    latest: str = ""
    #: The value of that latest figure and its period as text (for the "now" line: would the claim still hold?).
    latest_value: float | None = None
    latest_when: str = ""
    #: When the claim's own period is not held: (label, value) of the figures either side, for `judge_bracket`.
    bracket: tuple = ()
    #: A series break or change of source the bracket crosses.
    bracket_note: str = ""

    @property
    def urls(self) -> list[str]:
        """The source URLs, each once, in order."""
        seen: list[str] = []
        for src in [*self.sources, *self.alternative_sources]:
            if src and src.get("url") and src["url"] not in seen:
                seen.append(src["url"])
        return seen


def series_words(series_id: str) -> str:
    """A series as a reason names it, mid-sentence: its reader-facing name (`data/series_names.yml`) with a
    small first letter ('people in prison on recall'), or its id in words for a series still to be added."""
    name = series_name(series_id)
    return name if name[1:2].isupper() else name[:1].lower() + name[1:]


def _missing(what: str, settled_by: str) -> OfficialFigure:
    return OfficialFigure(None, missing=f"no {what} is held; {settled_by or 'an official table'} would settle it")


def _kind(src: dict | None) -> str:
    return "" if not src or src["source_kind"] == "official" else ", secondary source"


def _lookup(file: str, series_id: str, period: str, settled_by: str = "") -> tuple[float | None, dict | None]:
    """The figure and its source for one period, or (None, None) when it is not held.

    A series the file does not hold is an error (a typo must not pass as a gap), unless the
    claim names the table that would settle it (`settled_by`): a series still to be added.
    Any other failure (a missing file, a malformed row) always propagates.
    """
    try:
        return point(file, series_id, period)
    except DataError as err:
        if settled_by and err.column == "series_id":
            return None, None
        raise


def published(file: str, series_id: str, period: str, settled_by: str = "", as_of: str = "") -> OfficialFigure:
    """A figure as published for one period, with the latest figure of the series held up to `as_of`
    when that is for a later period."""
    value, src = _lookup(file, series_id, period, settled_by)
    latest, latest_value, latest_when = latest_row(file, series_id, period, as_of)
    if value is None:
        missing = _missing(f"figure of {series_words(series_id)} for {period_text(period)}", settled_by)
        missing.latest, missing.latest_value, missing.latest_when = latest, latest_value, latest_when
        return missing
    return OfficialFigure(value, f"{period_text(period)}{_kind(src)}", [src], latest=latest, latest_value=latest_value,
                          latest_when=latest_when)


def latest_row(file: str, series_id: str, after: str, as_of: str = "") -> tuple[str, float | None, str]:
    """The latest figure of a series up to the end of the as-of month, as (text with its period, value,
    period as text), when its period ends after `after` ends (('', None, '') otherwise).

    Every period form counts (a year ending June 2024 is later than calendar 2016); a period counts as
    held at `as_of` when it ends on or before the as-of month's last day.
    """
    try:
        key = (_parsed(file, None)[0], series_id, as_of)
        if key not in _LATEST:
            _LATEST[key] = _last_held(series(file, series_id), as_of)
    except DataError:  # a series still to be added: nothing later is held
        return "", None, ""
    end, text, value, when = _LATEST[key]
    if end is None or end <= period_end(after, period_type_of(after)):
        return "", None, ""
    return text, value, when


#: The last figure of each series held at each as-of month, by the data file's content (see `latest_row`).
_LATEST: dict = {}


def _last_held(frame: pd.DataFrame, as_of: str) -> tuple[pd.Timestamp | None, str, float | None, str]:
    """(end of its period, text, value, period as text) of the figure whose period ends last by the
    as-of month; (None, '', None, '') when there is none."""
    held = frame.dropna(subset=["value"])
    ends = pd.Series([period_end(p, t) for p, t in zip(held["period"], held["period_type"])], index=held.index,
                     dtype="datetime64[ns]")
    if as_of:
        ends = ends[ends <= month_end(as_of)]
    if ends.empty:
        return None, "", None, ""
    row = held.loc[ends.idxmax()]
    when = period_text(row["period"], row["period_type"])
    return ends.max(), f"{figure(row['value'], row['unit'])} for {when}{_kind(row.to_dict())}", float(row["value"]), when


def latest_of(file: str, series_id: str, after: str, as_of: str = "") -> str:
    """The latest figure's text alone (see `latest_row`)."""
    return latest_row(file, series_id, after, as_of)[0]


def per_month(file: str, series_id: str, period: str, months: int = 3, settled_by: str = "") -> OfficialFigure:
    """A quarterly (or other) total divided by the months it covers, to the nearest whole number: an average
    of a count carries no meaningful decimal (9,782 in a quarter is 3,261 a month, not 3,260.7)."""
    value, src = _lookup(file, series_id, period, settled_by)
    if value is None:
        return _missing(f"figure of {series_words(series_id)} for {period_text(period)}", settled_by)
    return OfficialFigure(float(round(value / months)), f"{value:,.0f} {at_period(period)} over {months} months{_kind(src)}", [src])


def changed(first: float, last: float, how: str = "percent") -> float:
    """The change from `first` to `last`: 'percent' change, 'ratio' last/first, or 'difference'."""
    return {"percent": 100 * (last / first - 1), "ratio": last / first, "difference": last - first}[how]


def change(file: str, series_id: str, start: str, end: str, how: str = "percent", settled_by: str = "") -> OfficialFigure:
    """Change between two periods: 'percent' change, 'ratio' end/start, or 'difference'."""
    first, src0 = _lookup(file, series_id, start, settled_by)
    last, src1 = _lookup(file, series_id, end, settled_by)
    if first is None or last is None:
        gap = period_text(start) if first is None else period_text(end)
        return _missing(f"figure of {series_words(series_id)} for {gap}", settled_by)
    value = changed(first, last, how)
    kind = _kind(src0) or _kind(src1)
    return OfficialFigure(value, f"{first:,.0f} {at_period(start)} to {last:,.0f} {at_period(end)}{kind}",
                          [src0, src1])


def bracketed(file: str, series_id: str, period: str, before: str, after: str, start: str = "",
              how: str = "ratio", settled_by: str = "", as_of: str = "") -> OfficialFigure:
    """A figure for `period` (or its change from `start`) when it is held; when it is not, the figures of
    the same series held `before` and `after` it, for the bracket rule (`verdicts.judge_bracket`).

    Once the period itself is added to `data/`, the claim is judged on it and the bracket falls away.
    A series break the bracket spans (`SERIES_BREAKS`) is named.
    """
    if start:
        exact = change(file, series_id, start, period, how, settled_by)
    else:
        exact = published(file, series_id, period, settled_by, as_of)
    if exact.value is not None:
        return exact
    base, src0 = _lookup(file, series_id, start, settled_by) if start else (None, None)
    sides = [(p, *_lookup(file, series_id, p, settled_by)) for p in (before, after)]
    if (start and base is None) or any(v is None for _, v, _ in sides):
        return exact  # not even the bracket is held: the claim stays unsettled, naming the table
    types = dict(zip(*(series(file, series_id)[c] for c in ("period", "period_type"))))

    def when(p: str) -> str:
        return period_text(p, types.get(p, ""))

    labels = [f"{when(p)} ({value:,.0f}{_kind(src)})" if start else f"{when(p)}{_kind(src)}" for p, value, src in sides]
    bracket = tuple((label, changed(base, value, how) if start else value) for label, (_, value, _) in zip(labels, sides))
    crossed = break_between(series_id, [start or period, before, after, period])
    note = f"the bracket crosses a series break ({crossed[1]})" if crossed else ""
    sources = [s for s in [src0, *(src for _, _, src in sides)] if s]
    detail = (f"{period_text(period)} not held; bracketed by {when(before)} and {when(after)}"
              + (f", against {base:,.0f} in {period_text(start)}{_kind(src0)}" if start else ""))
    return OfficialFigure(None, detail, sources, missing=exact.missing, latest=exact.latest,
                          latest_value=exact.latest_value, latest_when=exact.latest_when, bracket=bracket,
                          bracket_note=note)


#: The figures `either_side` can bracket, by name, with the argument that names the period each is for.
BRACKETABLE = {"published": "period", "share": "period", "total": "period", "change": "start"}


def either_side(of: str, before: str, after: str, settled_by: str = "", **args) -> OfficialFigure:
    """Any one-period figure (`of`: 'share', 'total', 'published', or 'change' whose start is the period not
    held) for its period when that is held; when it is not, the same figure worked out for the periods held
    `before` and `after` it, for the bracket rule (`verdicts.judge_bracket`).

    For a figure of several series (a share of the caseload) where `bracketed`, which follows one series,
    cannot: every series must be held on both sides, or the claim stays unsettled, naming its table.  A series
    break the bracket spans is named.
    """
    if of not in BRACKETABLE:
        raise ValueError(f"either_side brackets {', '.join(BRACKETABLE)}, not {of!r}")
    func = {"published": published, "share": share, "total": total, "change": change}[of]
    at = BRACKETABLE[of]
    exact = func(settled_by=settled_by, **args)
    if exact.value is not None:
        return exact
    sides = [func(settled_by=settled_by, **{**args, at: p}) for p in (before, after)]
    if any(side.value is None for side in sides):
        return exact  # not even the bracket is held: the claim stays unsettled, naming the table
    def kind(side: OfficialFigure) -> str:
        return next((_kind(src) for src in side.sources if _kind(src)), "")

    bracket = tuple((f"{period_text(p)}{kind(side)}", side.value) for p, side in zip((before, after), sides))
    ids = [sid for key in ("series_id", "part", "whole") if args.get(key) for sid in [args[key]]] + list(args.get("series_ids") or [])
    spans = [args.get(at), before, after, args.get("end") or args.get(at)]
    crossed = next((found for sid in ids if (found := break_between(sid, spans))), None)
    note = f"the bracket crosses a series break ({crossed[1]})" if crossed else ""
    worked = [f" ({side.detail})" if of != "published" else "" for side in sides]   # a share or change shows its working
    detail = (f"{period_text(args[at])} not held; bracketed by {period_text(before)}{worked[0]} and "
              f"{period_text(after)}{worked[1]}")
    return OfficialFigure(None, detail, [src for side in sides for src in side.sources if src], missing=exact.missing,
                          bracket=bracket, bracket_note=note)


def share(file: str, part: str, whole: str, period: str, settled_by: str = "") -> OfficialFigure:
    """One series as a percentage of another in the same period."""
    num, src0 = _lookup(file, part, period, settled_by)
    den, src1 = _lookup(file, whole, period, settled_by)
    if num is None or den is None:
        return _missing(f"figure of {series_words(part if num is None else whole)} for {period_text(period)}", settled_by)
    return OfficialFigure(100 * num / den, f"{num:,.0f} of {den:,.0f}, {period_text(period)}{_kind(src0) or _kind(src1)}",
                          [src0, src1])


def total(file: str, series_ids: list[str], period: str, settled_by: str = "") -> OfficialFigure:
    """The sum of several series in one period."""
    parts = [_lookup(file, sid, period, settled_by) for sid in series_ids]
    if any(v is None for v, _ in parts):
        missing = [sid for sid, (v, _) in zip(series_ids, parts) if v is None]
        return _missing(f"figure of {'; '.join(series_words(m) for m in missing)} for {period_text(period)}", settled_by)
    return OfficialFigure(sum(v for v, _ in parts), f"sum for {period_text(period)}", [s for _, s in parts])


def share_of_sum(file: str, part: str, parts: list[str], period: str = "", settled_by: str = "",
                 periods: list[str] | None = None) -> OfficialFigure:
    """One series as a percentage of the sum of several, in one period or summed over `periods`.

    For a table that gives every category but no total (recalls by recorded reason: a recall
    can have several reasons, so the reasons sum to more than the recalls).  Every category must
    be held in every period; `part` must be one of `parts`.  A share of a year is the year's counts
    summed (the four quarters to March 2024), not one quarter's share: a speaker who gives shares
    for a year means the year.
    """
    if part not in parts:
        raise ValueError(f"{part!r} is not one of the parts it is a share of")
    spans = list(periods) if periods else [period]
    found = {sid: [_lookup(file, sid, p, settled_by) for p in spans] for sid in parts}
    missing = [sid for sid, rows in found.items() if any(v is None for v, _ in rows)]
    if missing:
        when = period_text(spans[0]) if len(spans) == 1 else f"{period_text(spans[0])} to {period_text(spans[-1])}"
        return _missing(f"figure of {'; '.join(series_words(m) for m in missing)} for {when}", settled_by)
    totals = {sid: sum(v for v, _ in rows) for sid, rows in found.items()}
    whole, value = sum(totals.values()), totals[part]
    sources = [s for rows in found.values() for _, s in rows]
    kind = next((_kind(s) for s in sources if _kind(s)), "")
    when = (period_text(spans[0]) if len(spans) == 1
            else f"the {len(spans)} quarters {period_text(spans[0])} to {period_text(spans[-1])} summed")
    return OfficialFigure(100 * value / whole,
                          f"{value:,.0f} of {whole:,.0f}, the sum of the {len(parts)} categories for {when}{kind}",
                          sources)


def average(file: str, series_id: str, periods: list[str], per: float = 1.0, settled_by: str = "") -> OfficialFigure:
    """The mean of a series over several periods (divided by `per`, e.g. 52 for a weekly rate)."""
    found = [(p, *_lookup(file, series_id, p, settled_by)) for p in periods]
    held = [(p, v, s) for p, v, s in found if v is not None]
    if len(held) < len(periods):
        gaps = ", ".join(period_text(p) for p, v, _ in found if v is None)
        return _missing(f"figure of {series_words(series_id)} for {gaps}", settled_by)
    mean = sum(v for _, v, _ in held) / len(held) / per
    kind = next((_kind(s) for _, _, s in held if _kind(s)), "")
    return OfficialFigure(mean, f"mean of {period_text(periods[0])} to {period_text(periods[-1])}{kind}",
                          [s for _, _, s in held])


def recomputed(op: str, values: list[float], note: str = "") -> OfficialFigure:
    """Recompute a figure from the document's own figures: sum, difference, product, ratio, percent.

    These check a claim's arithmetic, not the data: the detail says so.
    """
    if op == "sum":
        value = sum(values)
    elif op == "difference":
        value = values[0] - sum(values[1:])
    elif op == "product":
        value = math.prod(values)
    elif op == "ratio":
        value = values[0] / values[1]
    elif op == "percent":
        value = 100 * values[0] / values[1]
    else:
        raise ValueError(f"unknown operation {op!r}")
    shown = {"sum": " + ", "difference": " - ", "product": " x ", "ratio": " / ", "percent": " / "}[op]
    detail = "recomputed from the document's own figures: " + shown.join(f"{v:,g}" for v in values)
    return OfficialFigure(value, detail + (f" ({note})" if note else ""), label="recomputed figure")


def context(op: str, values: list[float], note: str = "") -> OfficialFigure:
    """A figure the book works out itself from a document's numbers, shown as context beside the claims it
    explains: no figure to judge against and no verdict (`verdicts.judge_context`), since no one in the
    document claims it; the reason gives the working and its result."""
    worked = recomputed(op, values, note)
    working = worked.detail.split(": ", 1)[1].split(" (", 1)[0]
    judged = judge_context(f"{working} = {worked.value:,.1f}{'%' if op == 'percent' else ''}" + (f" ({note})" if note else ""))
    return OfficialFigure(None, worked.detail, label="book's own arithmetic", unsettled="context", judgement=judged)


def reported(holder: str, settled_by: str = "", published_in: str = "") -> OfficialFigure:
    """A finding only its publisher holds (an inspection sample, a leaked snapshot, a pledge).

    When the holder published the finding itself (`published_in`: an inspectorate's report of its own case
    sample), it is reported as that publication's finding, not as unpublished: no independent series can
    check it, and the label says whose finding it is and where it was published.
    """
    if published_in:
        why = f"the finding of {holder}, as published in {published_in}; no independent series can check it"
        return OfficialFigure(None, missing=why + (f" ({settled_by})" if settled_by else ""), unsettled="finding")
    why = f"a finding held only by {holder}; no published series can check it"
    return OfficialFigure(None, missing=why + (f" ({settled_by})" if settled_by else ""), unsettled="unpublished")


def table_finding(table: str, holder: str, published_in: str, settled_by: str = "") -> OfficialFigure:
    """A document's table of a publisher's own findings (an inspectorate's scores of the units it inspected),
    as one entry: reported as that publisher's finding, with what the table holds read from the document
    itself (`tables.stated_table`): how many rows, the range of their figures and their maximums."""
    rows = stated_table(table)
    maxima = rows.groupby("maximum").size().sort_index(ascending=False)
    out_of = ", ".join(f"{n} of them out of {m:g}" for m, n in maxima.items())
    what = (f"{len(rows)} rows under '{table_heading(table)}', scored from {rows['value'].min():g} to "
            f"{rows['value'].max():g} ({out_of})")
    why = f"the finding of {holder}, as published in {published_in}: {what}; no independent series can check it"
    return OfficialFigure(None, missing=why + (f" ({settled_by})" if settled_by else ""), unsettled="finding")


def _rated_rows(rows: pd.DataFrame, scope: int, ratings: str, series_prefix: str, names: list[str],
                counted: dict[str, list[str]]):
    """The categories held for a table's rows (see `reconciled`): counts within the first `scope` rows and after
    them, the rows within them not held, how many after them are not held, the held rows' (start, end) dates in
    the table's order, and the sources read."""
    together = {label: prefix for prefix, labels in counted.items() for label in labels}
    unknown = set(together) - set(rows["label"])
    if unknown:
        raise ValueError(f"counted_together names rows the table does not hold: {sorted(unknown)}")
    counts: dict[str, float] = {}
    not_held, later_missing, spans, sources, later, groups_done = [], 0, [], [], {}, set()
    for position, label in enumerate(rows["label"]):
        inside = position < scope
        tally = counts if inside else later
        if label in together:
            prefix = together[label]
            members = [i for i, name in enumerate(rows["label"]) if together.get(name) == prefix]
            if (min(members) < scope) != (max(members) < scope):
                raise ValueError(f"the rows counted together as {prefix!r} straddle the summary's {scope} rows")
            if prefix not in groups_done:
                groups_done.add(prefix)
                for name in names:
                    sid = f"{prefix}_{row_key(name)}"
                    value, src = _lookup(ratings, sid, _only_period(ratings, sid), "a group count")
                    if value is not None:
                        tally[name] = tally.get(name, 0) + value
                        sources.append(src)
            continue
        sid = f"{series_prefix}{row_key(label)}"
        period = _only_period(ratings, sid)
        value, src = _lookup(ratings, sid, period, "a row's category") if period else (None, None)
        if value is None or math.isnan(value):
            if inside:
                not_held.append(label)
            later_missing += not inside
            continue
        tally[names[int(value)]] = tally.get(names[int(value)], 0) + 1
        sources.append(src)
        spans.append((period_start(period, period_type_of(period)), period_end(period, period_type_of(period))))
    return counts, later, not_held, later_missing, spans, sources


def reconciled(table: str, summary: dict, holder: str, published_in: str, settled_by: str = "", ratings: str = "",
               series_prefix: str = "", categories: list[str] | None = None,
               counted_together: dict[str, list[str]] | None = None) -> OfficialFigure:
    """A summary a document gives of its own table (its rows counted by category), checked against the table
    as a whole (`verdicts.judge_reconciliation`); the table's rows are read from the document itself.

    With `ratings`, the data file holding the category the publisher gave each row (series `series_prefix` +
    the row's label as `tables.row_key` writes it, valued by its place in `categories`: 0 for the first), the
    summary is set against the table's first rows, as many as it counts; rows the publisher rated only as a group
    (`counted_together`: a series prefix and the rows' labels) count by the group's own series, one per category.
    The table must list its rows in the order of the dates held (each row's period starts no later than any
    later row's ends), or there is no verdict.
    """
    rows = stated_table(table)
    stated = {str(k): float(v) for k, v in summary.items()}
    finding = f"the finding of {holder}, as published in {published_in}"
    if not ratings:
        judged = judge_reconciliation(stated, len(rows), None, finding, settled_by)
        return OfficialFigure(None, missing=judged.reason, unsettled="finding", judgement=judged)
    scope = int(sum(stated.values()))   # the summary covers the table's first rows, as many as it counts
    counts, later, not_held, later_missing, spans, sources = _rated_rows(rows, scope, ratings, series_prefix,
                                                                          list(categories or []), counted_together or {})
    in_order = all(start <= end for i, (start, _) in enumerate(spans) for _, end in spans[i + 1:])
    out = [label for position, label in enumerate(rows["label"]) if position >= scope]
    rest = (f"the other {len(out)} rows ({', '.join(out)}) give "
            + ", ".join(f"{later.get(name, 0):g} {name}" for name in stated)
            + (f" and {later_missing} not held" if later_missing else "") if out else "")
    judged = judge_reconciliation(stated, len(rows), counts, finding, settled_by, tuple(not_held), rest, in_order)
    return OfficialFigure(None, missing="" if judged.rating else judged.reason, sources=sources, unsettled="finding",
                          judgement=judged)


def _only_period(file: str, series_id: str) -> str:
    """The period of a series held for one period only (a rating given once), or '' when the series is not held."""
    try:
        frame = series(file, series_id)
    except DataError as err:
        if err.column == "series_id":
            return ""
        raise
    return str(frame["period"].iloc[-1])


def opinion(note: str = "") -> OfficialFigure:
    """An opinion, prediction or the speaker's own estimate: no official figure can check it.

    The claim is registered so a reader sees it was considered; the verdict says why there is none.
    """
    judged = judge_opinion(note)
    return OfficialFigure(None, missing=judged.reason, unsettled="not_checkable", judgement=judged)


def law(correct: bool, provision: str, url: str = "") -> OfficialFigure:
    """A statement of law or policy, judged against the provision it describes (with its legislation.gov.uk address)."""
    src = {"url": url, "source_kind": "official", "publication": provision} if url else None
    return OfficialFigure(None, "", [src] if src else [], label="provision", judgement=judge_law(bool(correct), provision))


FIGURE_IN_TEXT = r"\{([a-z_]+):([a-z0-9_]+)@([0-9A-Za-z/-]+)\}"


def figures_in_text(text: str) -> tuple[str, list[dict]]:
    """Replace each `{file:series_id@period}` in a sentence with the figure held in data/, and return the sources.

    So that an explanation quotes figures from the data, never typed by hand; a figure that is
    not held is an error naming the placeholder.
    """
    sources: list[dict] = []

    def one(match):
        file, series_id, period = match.groups()
        value, src = _lookup(file, series_id, period)
        if value is None:
            raise LookupError(f"{match.group(0)}: no {series_id} figure for {period} in data/{file}.csv")
        sources.append(src)
        return count(value)

    return re.sub(FIGURE_IN_TEXT, one, text), sources


def inference(holds: bool | None, explanation: str) -> OfficialFigure:
    """A conclusion drawn from figures: does the reasoning hold (true), hold only in part (null), or not (false)?

    Figures from the data are written `{file:series_id@period}` in the explanation and filled in
    from data/ (see `figures_in_text`).
    """
    text, sources = figures_in_text(explanation)
    return OfficialFigure(None, label="reasoning", sources=sources, judgement=judge_inference(holds, text))


def pledge(target: float, due: str, settled_by: str = "", file: str = "", series_id: str = "",
           period: str = "", periods: list[str] | None = None, as_of: str = "") -> OfficialFigure:
    """A pledge or target: met, not met, or due later than the book's as-of month.

    The achieved figure comes from `file`/`series_id`/`period` when the book holds it, or is
    the sum over `periods` (for example recruits in each year of a programme; every period
    must be held).  `as_of` is the edition's month, handed down by `claims.assess_claims`.
    """
    if not as_of:
        raise ValueError("a pledge is judged at the edition's as-of month: pass as_of (assess_claims does)")
    achieved, src = (None, None)
    sources: list[dict] = []
    if file and series_id and periods:
        found = [_lookup(file, series_id, p, settled_by) for p in periods]
        if all(v is not None for v, _ in found):
            achieved = sum(v for v, _ in found)
            sources = [s for _, s in found]
            period = f"{periods[0]}/{periods[-1]}" if len(periods) > 1 else periods[0]
            src = sources[0]
    elif file and series_id and period:
        achieved, src = _lookup(file, series_id, period, settled_by)
        sources = [src] if src else []
    as_of_day = str(month_end(as_of).date())
    judged = judge_pledge(float(target), achieved, str(due), as_of_day)
    if judged.why_unsettled == "not_in_book" and settled_by:
        judged = replace(judged, reason=f"{judged.reason}; {settled_by} would settle it")
    if periods and src:
        detail = f"sum of {', '.join(periods)}{_kind(src)}"
    else:
        detail = f"{period_text(period)}{_kind(src)}" if src else ""
    return OfficialFigure(achieved, detail, sources, judgement=judged,
                          unsettled=judged.why_unsettled or "not_in_book")


# --- general helpers for every chapter ---------------------------------------------------


def prison_population(kind: str = "total") -> pd.DataFrame:
    """The prison population ('total', 'sentenced' or 'remand') at each date held."""
    return dated_series("prison_population", f"prison_population_{kind}")


def up_to(frame: pd.DataFrame, as_of: str) -> pd.DataFrame:
    """Rows dated on or before the end of the as-of month."""
    return frame[frame["date"] <= month_end(as_of)].reset_index(drop=True)


def held_at(frame: pd.DataFrame, as_of: str) -> pd.DataFrame:
    """Rows of a series (as `official_data.series` returns it) whose period ends by the end of the
    as-of month: what the edition can see, whatever later quarters data/ already holds."""
    keep = [ends_by(p, t, as_of) for p, t in zip(frame["period"], frame["period_type"])]
    return frame[keep].reset_index(drop=True)


def latest(frame: pd.DataFrame, as_of: str) -> pd.Series:
    """The latest row on or before the end of the as-of month."""
    rows = up_to(frame, as_of)
    if rows.empty:
        raise LookupError(f"no figure on or before {as_of}")
    return rows.iloc[-1]


def fold(start: float | None, end: float | None) -> float | None:
    """How many times larger `end` is than `start` (None when either is missing)."""
    if start is None or end is None or start == 0:
        return None
    return end / start


def percent_change(start: float | None, end: float | None) -> float | None:
    """Percentage change from `start` to `end` (None when either is missing)."""
    ratio = fold(start, end)
    return None if ratio is None else 100 * (ratio - 1)


def not_in_book(settled_by: str) -> OfficialFigure:
    """A figure an official table publishes but the book does not hold yet: the claim names the table."""
    return OfficialFigure(None, missing=f"the book does not hold this figure yet; {settled_by} would settle it")
