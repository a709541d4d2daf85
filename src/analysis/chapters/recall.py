"""The recall population: prisoners in custody because they were recalled from licence.

Small pure functions over the series in `data/recall_population.csv`,
`data/prison_population.csv` and `data/prison_costs.csv`, plus the official-figure
functions the claims register names for the recall chapter.
"""

from __future__ import annotations

import pandas as pd


from ..figures import OfficialFigure, fold, latest_row, percent_change, prison_population, series_words
from ..formatting import figure, period_text
from ..official_data import dated_series, series, source_of, value_on
from ..verdicts import Verdict, judge

RECALLS = "recall_population"
COSTS = "prison_costs"


def recall_population() -> pd.DataFrame:
    """The recall population at each date held, oldest first."""
    return dated_series(RECALLS, "recall_population")


def recall_shares() -> pd.DataFrame:
    """Recall population beside the total and sentenced populations on the same dates, with shares (%)."""
    recalls = recall_population()[["date", "period", "value", "source_kind"]].rename(
        columns={"value": "recall", "source_kind": "recall_source_kind"})
    total = prison_population("total")[["date", "value"]].rename(columns={"value": "total"})
    sentenced = prison_population("sentenced")[["date", "value"]].rename(columns={"value": "sentenced"})
    merged = recalls.merge(total, on="date", how="left").merge(sentenced, on="date", how="left")
    merged["share_of_total"] = 100 * merged["recall"] / merged["total"]
    merged["share_of_sentenced"] = 100 * merged["recall"] / merged["sentenced"]
    return merged


# --- official-figure functions named in the claims register -------------------------------


def recall_population_on(date: str, settled_by: str = "", as_of: str = "") -> OfficialFigure:
    """The recall population on a date, with its source and the latest figure held up to `as_of`
    (the "now" line); missing says which table would settle it."""
    frame = recall_population()
    value = value_on(frame, date)
    latest, latest_value, when = latest_row(RECALLS, "recall_population", date, as_of) if as_of else ("", None, "")
    now = {"latest": latest, "latest_value": latest_value, "latest_when": when}
    if value is None:
        return OfficialFigure(None, missing=f"no figure for {period_text(date)} is held; {settled_by} would settle it", **now)
    src = source_of(frame, date)
    kind = "" if src["source_kind"] == "official" else ", secondary source"
    return OfficialFigure(value, f"{period_text(date)}{kind}", [src], **now)


def population_bases(date: str) -> dict[str, float | None]:
    """Prison population on a date on each basis a share can be taken of.

    'total' is everyone in prison; 'sentenced' is sentenced prisoners where published;
    'not on remand' is total minus remand (sentenced plus the few held for non-criminal
    reasons), an upper bound on the sentenced population when that is not held.
    """
    total, remand = value_on(prison_population("total"), date), value_on(prison_population("remand"), date)
    return {
        "total": total,
        "sentenced": value_on(prison_population("sentenced"), date),
        "not on remand": None if total is None or remand is None else total - remand,
    }


def recall_share_on(date: str, basis: str = "total", settled_by: str = "") -> OfficialFigure:
    """The recall population as a % of the total (or other basis) prison population on a date.

    The other bases are offered as alternatives, so a share that is right only on the
    sentenced population is judged as needing context (Verdict.MISLEADING).
    """
    recalls = recall_population()
    rec = value_on(recalls, date)
    bases = population_bases(date)
    shares = {b: (None if rec is None or v is None else 100 * rec / v) for b, v in bases.items()}
    if shares[basis] is None:
        why = "recall population" if rec is None else f"{basis} prison population"
        return OfficialFigure(None, missing=f"no {why} figure for {period_text(date)} is held; {settled_by} would settle it")
    sources = [source_of(recalls, date), source_of(prison_population(basis), date)]
    context = [source_of(prison_population(kind), date) for kind in ("sentenced", "remand", "total") if kind != basis]
    others = {f"share of the {b} prison population": v for b, v in shares.items() if b != basis}
    return OfficialFigure(shares[basis], f"{figure(rec)} of {figure(bases[basis])} {basis}, {period_text(date)}",
                          sources, alternatives=others, alternative_sources=[c for c in context if c])


def recall_fold_rise(start: str, end: str, settled_by: str = "") -> OfficialFigure:
    """How many times larger the recall population was at `end` than at `start`."""
    frame = recall_population()
    first, last = value_on(frame, start), value_on(frame, end)
    if first is None or last is None:
        missing = period_text(start) if first is None else period_text(end)
        return OfficialFigure(None, missing=f"no recall figure for {missing} is held; {settled_by} would settle it")
    return OfficialFigure(fold(first, last), f"{figure(first)} to {figure(last)}",
                          [source_of(frame, start), source_of(frame, end)])


def recall_growth_against_prison_growth(start: str, end: str, settled_by: str = "") -> OfficialFigure:
    """The recall population's percentage rise divided by the whole prison population's.

    One reading of "rising at 100 times the rate": growth in the recall population as a
    multiple of growth in the prison population over the same years.  The other reading,
    a hundred-fold rise, is offered as the alternative.
    """
    recalls, total = recall_population(), prison_population("total")
    r0, r1, t0, t1 = value_on(recalls, start), value_on(recalls, end), value_on(total, start), value_on(total, end)
    if None in (r0, r1, t0, t1):
        return OfficialFigure(None, missing=f"the recall and prison populations on {period_text(start)} and "
                                            f"{period_text(end)} are not both held; {settled_by} would settle it")
    ratio = percent_change(r0, r1) / percent_change(t0, t1)
    return OfficialFigure(
        ratio, f"recalls +{percent_change(r0, r1):,.0f}% against prisoners +{percent_change(t0, t1):,.0f}%",
        [source_of(recalls, start), source_of(recalls, end), source_of(total, start), source_of(total, end)],
        alternatives={"fold rise in the recall population itself": fold(r0, r1)})


def cost_per_prisoner(year: str = "latest", measure: str = "cost_per_prisoner_overall") -> tuple[str, float | None, dict | None]:
    """The annual cost per prisoner for a financial year ('latest' = the newest held), with its source."""
    frame = series(COSTS, measure).dropna(subset=["value"])
    if year == "latest":
        if frame.empty:
            return year, None, None
        year = frame.sort_values("period")["period"].iloc[-1]
    return year, value_on(frame, year), source_of(frame, year)


def recall_population_annual_cost(population_date: str, cost_year: str = "latest",
                                  measure: str = "cost_per_prisoner_overall", settled_by: str = "") -> OfficialFigure:
    """The recall population on a date times the annual cost per prisoner, in GBP millions."""
    recalls = recall_population()
    population = value_on(recalls, population_date)
    year, cost, src = cost_per_prisoner(cost_year, measure)
    if population is None or cost is None:
        return OfficialFigure(None, missing=f"no figure of {series_words(measure)} for {year} is held; {settled_by} would settle it")
    kind = "" if src["source_kind"] == "official" else ", secondary source"
    return OfficialFigure(population * cost / 1e6,
                          f"{figure(population)} x £{figure(cost)} per prisoner in {year}{kind}",
                          [source_of(recalls, population_date), src])


def recall_rise_after(event_year: int, years: int = 3, settled_by: str = "") -> OfficialFigure:
    """Annual growth in the `years` after 30 June of `event_year` divided by growth in the years before.

    Above 1 means the recall population rose faster after the event than before it.
    """
    frame = recall_population()
    dates = [f"{event_year + k}-06-30" for k in (-years, 0, years)]
    before, at, after = (value_on(frame, d) for d in dates)
    if None in (before, at, after):
        return OfficialFigure(None, missing=f"30 June figures for {event_year - years}, {event_year} and "
                                            f"{event_year + years} are not all held; {settled_by} would settle it")
    rate_before = (at / before) ** (1 / years) - 1
    rate_after = (after / at) ** (1 / years) - 1
    ratio = rate_after / rate_before if rate_before > 0 else float("inf")
    return OfficialFigure(ratio, f"{100 * rate_before:.0f}% a year before, {100 * rate_after:.0f}% after",
                          [source_of(frame, d) for d in dates])


def share_bases(dates: list[str]) -> pd.DataFrame:
    """The recall share on every basis for each date: one row per date and basis, None where not held."""
    recalls = recall_population()
    rows = []
    for date in dates:
        rec = value_on(recalls, date)
        for basis, population in population_bases(date).items():
            share = None if rec is None or population is None else 100 * rec / population
            rows.append({"date": date, "basis": basis, "recall": rec, "population": population, "share": share})
    return pd.DataFrame(rows)


def bases_matching(stated: float, table: pd.DataFrame) -> list[str]:
    """The date-and-basis pairs whose share rounds to a stated whole-number percentage."""
    hits = table.dropna(subset=["share"])
    return [f"{r['basis']} population on {period_text(r['date'])}" for _, r in hits.iterrows()
            if judge(stated, r["share"], "", "percent").verdict == Verdict.ACCURATE]
