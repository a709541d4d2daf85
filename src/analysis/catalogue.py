"""The data catalogue: what each series file holds, its coverage, sources and known gaps."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from .claims import figure_args, load_register
from .official_data import DataError, break_between, package_descriptor, read_series_file, series_names
from .official_data import series as load_series
from .pages import HTML
from .paths import data_dir
from .validation import validate_all


def series_coverage() -> pd.DataFrame:
    """One row per series: file, first and last period, figures held, official and secondary counts."""
    rows = []
    for res in package_descriptor()["resources"]:
        name = res["path"].removesuffix(".csv")
        frame = read_series_file(name)
        for sid, grp in frame.groupby("series_id", sort=True):
            periods = sorted(grp["period"])
            rows.append({
                "file": res["path"], "title": res["title"], "series": sid,
                "period type": ", ".join(sorted(grp["period_type"].unique())),
                "from": periods[0], "to": periods[-1], "figures": len(grp),
                "official": int((grp["source_kind"] == "official").sum()),
                "secondary": int((grp["source_kind"] == "secondary").sum()),
                "publishers": "; ".join(sorted(grp["publisher"].unique())),
            })
    return pd.DataFrame(rows)


def catalogue_table() -> HTML:
    """The catalogue as an HTML table grouped by file."""
    cov = series_coverage()
    names = series_names()
    body = []
    for _, r in cov.iterrows():
        body.append(
            f"<tr><td><code>{html.escape(r['file'])}</code></td>"
            f"<td>{html.escape(names.get(r['series'], ''))} <code>{html.escape(r['series'])}</code></td>"
            f"<td>{html.escape(r['period type'])}</td><td>{html.escape(r['from'])}</td><td>{html.escape(r['to'])}</td>"
            f"<td>{r['figures']}</td><td>{r['official']}</td><td>{r['secondary']}</td><td>{html.escape(r['publishers'])}</td></tr>"
        )
    markup = ('<div class="verdict-box wide-table"><table class="verdict-table"><thead><tr><th>File</th><th>Series</th><th>Period type</th>'
              "<th>From</th><th>To</th><th>Figures</th><th>Official</th><th>Secondary</th><th>Publishers</th></tr></thead>"
              f"<tbody>{''.join(body)}</tbody></table></div>")
    return HTML(markup, cov[["series", "from", "to", "figures"]].to_string(index=False))


def gaps_table(assessed: pd.DataFrame) -> HTML:
    """Claims that cannot be verified, with the official table that would settle each and the nearest figures held."""
    officials = {c["id"]: c.get("official", {}) for c in load_register()["claims"]}
    # The book's own gaps: an official table would settle the claim (opinions, pledges not yet due and
    # publisher-only findings are not gaps in the book).
    gaps = assessed[assessed["why_unsettled"] == "not_in_book"] if "why_unsettled" in assessed else \
        assessed[assessed["official_value"].isna()]
    near = {cid: nearest_held(officials.get(cid, {})) for cid in gaps["id"]}
    rows = "".join(f"<tr><td>{html.escape(r['id'])}</td><td>{html.escape(r['claim'])}</td><td>{html.escape(r['reason'])}</td>"
                   f"<td>{html.escape(near[r['id']]) or 'none'}</td></tr>"
                   for _, r in gaps.iterrows())
    markup = ('<table class="verdict-table"><thead><tr><th>Claim</th><th>What it says</th><th>Missing figure and the table that would settle it</th>'
              f"<th>Nearest figures held</th></tr></thead><tbody>{rows}</tbody></table>")
    return HTML(markup, "\n".join(f"{r['id']}: {r['reason']}" + (f" [held nearby: {near[r['id']]}]" if near[r['id']] else "")
                                  for _, r in gaps.iterrows()))


def warnings_table() -> HTML:
    """The validation warnings (flags that are not errors), one row each with file, row and column."""
    folder = data_dir()
    warnings = validate_all(folder, chapters=[]).warnings

    def short(file: str) -> str:
        try:
            return Path(file).resolve().relative_to(folder.resolve().parent).as_posix()
        except ValueError:
            return Path(file).name

    if not warnings:
        return HTML("<p>No warnings: every check of meaning passes.</p>", "No warnings.")
    rows = "".join(f"<tr><td><code>{html.escape(short(w.file))}</code></td><td>{w.row or ''}</td>"
                   f"<td>{html.escape(w.column or '')}</td><td>{html.escape(w.message)}</td></tr>" for w in warnings)
    markup = ('<div class="verdict-box wide-table"><table class="verdict-table"><thead><tr><th>File</th><th>Row</th>'
              f"<th>Column or key</th><th>Warning</th></tr></thead><tbody>{rows}</tbody></table></div>")
    return HTML(markup, "\n".join(f"{short(w.file)}, row {w.row}, {w.column}: {w.message}" for w in warnings))


def _wanted(official: dict) -> tuple[str, list[str], list[str]]:
    """The data file, series and periods a claim's official figure needs, read from its register arguments."""
    reads = figure_args(official)
    file = reads.file or ("recall_population" if reads.function.startswith("recall.") else "")
    series = reads.series_ids
    if not series and file == "recall_population":
        series = ["recall_population"]
    return file, series, list(reads.periods)


def nearest_held(official: dict, folder=None) -> str:
    """The figures held nearest either side of each period a claim needs, e.g. '2022-12-31: 240,000; 2023-12-31: 243,000'.

    Brackets an unsettled claim with what the book does hold (empty when the series itself is not held).
    """
    file, wanted_series, periods = _wanted(official)
    if not file or not wanted_series or not periods:
        return ""
    out = []
    for sid in wanted_series:
        try:
            held = load_series(file, sid, folder)
        except (KeyError, DataError):
            continue
        held = held[held["value"].notna()]
        for period in periods:
            kind = held["period"].str.len() == len(period)
            before = held[kind & (held["period"] < period)].tail(1)
            after = held[kind & (held["period"] > period)].head(1)
            sides = [f"{r['period']}: {r['value']:,.10g}" for frame in (before, after) for _, r in frame.iterrows()]
            if sides:
                out.append(f"{sid} around {period}: " + "; ".join(sides))
            crossed = break_between(sid, [period, *before["period"], *after["period"], *periods])
            if crossed:
                out.append(f"series break in {crossed[0]}: {crossed[1]}")
    return " | ".join(dict.fromkeys(out))
