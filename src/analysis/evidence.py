"""The evidence section of a claim group, for chapters built from the template.

A chapter's register file (`data/claims/<chapter>.yml`) names its sections (anchor and
title) and gives each claim a `section`.  For each section this module finds the series the
claims' official-figure functions read (their `file` and `series_id`, `part`, `whole` or
`series_ids` arguments) and draws the longest as a chart over time, or, when no series
has enough points, shows the figures used as a small table.  Claim cards give each claim's
words, who said it, the verdict and the figures.  Nothing here is typed: every number
comes from `data/` or from the register's stated values.
"""

from __future__ import annotations

import html

import pandas as pd

from .claims import figure_args, load_register
from .charts import DOWNLOAD_COLUMNS, PALETTE, download_rows, series_chart, source_line, stated_chart, titled
from .formatting import at_period, figure, period_text
from .periods import month_end, period_end
from .official_data import DataError, series, series_name, series_names
from .pages import HTML, archived_link, badge, label, quote_of
from .tables import stated_table, table_specs

#: Fewest points for a chart; with fewer the figures are shown as a table.
MIN_POINTS = 3


def claim_series(claim: dict) -> list[tuple[str, str, list[str]]]:
    """(file, series_id, periods) that a claim's official-figure function reads."""
    reads = figure_args(claim)
    if not reads.file:
        return []
    return [(reads.file, sid, list(reads.periods)) for sid in reads.series_ids]


def points(file: str, series_id: str) -> pd.DataFrame:
    """One series with a `date` for each period (its end), oldest first; empty when not held.

    Only a series the file does not hold gives an empty frame (validation has already
    checked that every such series named by a claim is a declared gap, not a typo);
    any other failure propagates.
    """
    try:
        frame = series(file, series_id)
    except DataError as err:
        if err.column != "series_id":
            raise
        return pd.DataFrame(columns=["date", "value", "source_kind", "period"])
    frame = frame.dropna(subset=["value"]).copy()
    frame["date"] = [period_end(p, t) for p, t in zip(frame["period"], frame["period_type"])]
    return frame.sort_values("date").reset_index(drop=True)


def series_label(series_id: str) -> str:
    """A series as a reader names it (`data/series_names.yml`): 'probation_caseload_total' -> 'People under
    probation supervision'; an id the file lacks reads as its words ('Probation caseload total')."""
    return series_name(series_id)


def section_evidence(claims: list[dict], as_of: str, stated_prefix="", table: str = ""):
    """The evidence for one section: a chart of its longest series, or a table of the figures used.

    The chart runs to the as-of month, or to the latest period a claim in the section names
    when that is later, so the figure being checked is always on it.  Returns (figure,
    caption, frames) where frames are the rows shown, for the sources list.
    """
    refs = [ref for claim in claims for ref in claim_series(claim)]
    best, best_frame = None, None
    for file, sid, periods in refs:
        frame = points(file, sid)
        if frame.empty:
            continue
        dates = dict(zip(frame["period"], frame["date"]))
        named = [dates[p] for p in periods if p in dates]
        cut = max([month_end(as_of), *named])
        frame = frame[frame["date"] <= cut]
        if best_frame is None or len(frame) > len(best_frame):
            best, best_frame = (file, sid, periods), frame
    if best_frame is not None and len(best_frame) >= MIN_POINTS:
        file, sid, _ = best
        label = series_label(sid)
        first, last = best_frame.iloc[0], best_frame.iloc[-1]
        finding = (f"{fmt_value(first['value'], first['unit'])} {at_period(first['period'])}, "
                   f"{fmt_value(last['value'], last['unit'])} {at_period(last['period'])}.")
        chart = titled(series_chart(best_frame, label, PALETTE["recall"]),
                       f"{label}, England and Wales", finding, source_line(best_frame),
                       f"Line chart of {label.lower()} from {period_text(first['period'])} to "
                       f"{period_text(last['period'])}: {finding}", data=download_rows(best_frame, names=series_names()))
        return chart, f"{label}: every figure held, official and secondary marked.", [best_frame]
    rows = []
    for file, sid, periods in refs:
        frame = points(file, sid)
        rows += [r for _, r in frame[frame["period"].isin(periods)].iterrows()]
    used = [pd.DataFrame(rows)] if rows else []
    stated = table_figures(table) if table else stated_figures(claims, stated_prefix) if stated_prefix else None
    if stated is not None:   # a section the register charts as stated: its figures side by side, checked or not
        frame, unit, document, download = stated
        finding = f"{len(frame)} figures as {document} states them, from {frame['value'].min():,g} to {frame['value'].max():,g}."
        order = None if isinstance(stated_prefix, dict) else "-x"   # labelled bars keep the register's order
        checks = "the official figures are given claim by claim" if used else "no official series checks them yet"
        chart = titled(stated_chart(frame, unit, PALETTE["recall"], sort=order), f"The figures as stated: {document}", finding,
                       f"{document} (the document's own figures; {checks})",
                       f"Bar chart of {len(frame)} figures as {document} states them: {finding}", data=download)
        return chart, ("The document's own figures, side by side: each claim below gives the official figure that checks "
                       "it, or says what would settle it." if used else
                       "The document's own figures, side by side: each claim below says what would settle it. "
                       "No official series holds these figures."), used
    if used:
        return figures_table(used[0]), "The official figures the claims are checked against.", used
    return (HTML('<p class="no-series">No official series holds these figures: each claim below says who holds '
                 "the data and what would settle it.</p>", "No official series holds these figures."),
            "No official series holds these figures.", [])


#: How a document's own figure is marked in a chart download: the claim, not evidence.
STATED = "stated by the document (not checked)"


def stated_figures(claims: list[dict], prefix):
    """The claims whose id starts with `prefix` (or is in it, when a list, or a key of it, when a mapping of
    id to bar label), as (frame of label and value, unit, document).

    For a section the register names under `stated_charts` (an inspectorate's own scores, say):
    the document's figures side by side, labelled by the first column of the quoted table row
    (or the claim's words), and the same figures as download rows (`charts.DOWNLOAD_COLUMNS`, marked
    `STATED`).  None when no claim matches.
    """
    named = prefix if isinstance(prefix, dict) else {}
    group = ([c for c in claims if c["id"] in prefix] if isinstance(prefix, (list, tuple, dict))
             else [c for c in claims if c["id"].startswith(prefix)])
    if not group:
        return None
    labels = [named.get(c["id"]) or (str(c["quote"]).split("\t")[0].strip() if "\t" in str(c["quote"]) else c["claim"])[:48]
              for c in group]
    frame = pd.DataFrame({"label": labels, "value": [float(c["stated"]["value"]) for c in group]})
    return _as_stated(frame, str(group[0]["document"]), group[0]["stated"].get("unit", ""))


def _as_stated(frame: pd.DataFrame, key: str, unit: str):
    """A document's figures (label and value) as the stated charts take them: (frame, unit in words, the
    document's short name, download rows in `charts.DOWNLOAD_COLUMNS` marked `STATED`)."""
    doc = load_register()["documents"][key]
    document = doc.get("short", key)
    unit = str(unit).replace("_", " ")
    rows = frame.assign(date=str(doc.get("date", "")), unit=unit, series=frame["label"],
                        source=f"{doc.get('publisher', '')}: {doc.get('title', document)}",
                        official_or_secondary=STATED, publication_url=doc.get("url", ""))[DOWNLOAD_COLUMNS]
    return frame, unit, document, rows


def table_figures(name: str):
    """A document's own table (`tables.stated_table`) as `stated_figures` gives a section's claims: (frame of
    label and value, unit, document, download rows); a row out of the smaller maximum says so in its label."""
    rows = stated_table(name)
    spec = table_specs()[name][1]
    labels = [f"{label} (out of {maximum:g})" if starred else label
              for label, maximum, starred in zip(rows["label"], rows["maximum"], rows["starred"])]
    return _as_stated(pd.DataFrame({"label": labels, "value": rows["value"]}), str(spec["document"]), spec["unit"])


def fmt_value(value: float, unit: str) -> str:
    """A figure as the table and chart text show it."""
    return figure(value, unit)


def figures_table(frame: pd.DataFrame) -> HTML:
    """A small table of the figures used: series, period, value, source."""
    body, lines = [], []
    for _, r in frame.iterrows():
        kind = "" if r["source_kind"] == "official" else " (secondary)"
        body.append(f"<tr><td>{html.escape(series_label(r['series_id']))}</td><td>{html.escape(period_text(r['period']))}</td>"
                    f"<td>{html.escape(fmt_value(r['value'], r['unit']))}</td>"
                    f"<td>{html.escape(r['publisher'])}, {html.escape(r['table_ref'])}{kind}</td></tr>")
        lines.append(f"{r['series_id']} {r['period']}: {r['value']}")
    return HTML('<table class="verdict-table evidence-table"><caption>Figures used</caption><thead><tr>'
                '<th scope="col">Series</th><th scope="col">Period</th><th scope="col">Figure</th>'
                f'<th scope="col">Source</th></tr></thead><tbody>{"".join(body)}</tbody></table>', "\n".join(lines))


def claim_cards(assessed: pd.DataFrame) -> HTML:
    """One card per claim: its words, who said it and where (once for a run of claims from the same
    document), the verdict and the book's conclusion.  The stated and held figures side by side are in
    the page's "Published figure versus ours" table, not repeated here."""
    cards, lines, said = [], [], None
    for _, row in assessed.iterrows():
        words = quote_of(row)
        who = row.get("speaker") or row["claimant"]
        conclusion = row.get("conclusion") or row["reason"]
        source = f"{who}; {row['document_short']} ({row['document_date']})"
        cards.append(
            f'<div class="claim-card" id="evidence-{html.escape(row["id"])}">'
            + (f'<p class="claim-source">{html.escape(source)}</p>' if source != said else "")
            + f'<blockquote class="claim-words">{html.escape(str(words))}</blockquote>'
            f'<p>{badge(row["verdict"], label(row))} {html.escape(str(conclusion))}{in_context(row)}</p></div>')
        said = source
        lines.append(f"{row['id']}: {row['verdict']}")
    return HTML("".join(cards), "\n".join(lines))


def in_context(row) -> str:
    """A link from a claim to the paragraph of the archived document its quote begins in (" In context."), or
    nothing when the quote cannot be found there."""
    address = archived_link(str(row.get("document_file") or ""), str(row.get("quote") or ""))
    return f' <a class="in-context" href="{address}">In context.</a>' if "#p-" in address else ""


def glue_sections(chapter: str, assessed: pd.DataFrame, claims: list[dict], sections: dict[str, str], as_of: str, glue):
    """Glue `<anchor>__cards`, `<anchor>__evidence` and `<anchor>__caption` for every section.

    Returns the frames shown, for the chapter's sources list.
    """
    frames = []
    charts = load_register().get("stated_charts", {}).get(chapter, {})
    tables = {spec["section"]: name for name, (path, spec) in table_specs().items() if path.stem == chapter}
    for anchor in sections:
        in_section = [c for c in claims if c.get("section") == anchor]
        ids = [c["id"] for c in in_section]
        figure, caption, shown = section_evidence(in_section, as_of, charts.get(anchor, ""), tables.get(anchor, ""))
        frames += shown
        glue(f"{anchor}__cards", claim_cards(assessed[assessed["id"].isin(ids)]), display=False)
        glue(f"{anchor}__evidence", figure, display=False)
        glue(f"{anchor}__caption", caption, display=False)
    return frames
