"""Community sentences: how many people courts give them each year, and on what basis.

The Ministry of Justice changed how it processes court data for its Criminal Justice
System Statistics in 2017 (figures before and after are flagged as not fully comparable),
so a comparison across that year is marked as spanning two bases.
"""

from __future__ import annotations

import pandas as pd

from ..official_data import SERIES_BREAKS, series

COURTS = "court_sentences"
PROBATION = "probation_caseload"
#: First year published on the new court-data processing basis.
PROCESSING_CHANGE_YEAR = int(SERIES_BREAKS["community_sentences"][0])

MEASURES = {
    "court_outcomes": (COURTS, "community_sentences", "People given a community sentence at court"),
    "probation_starts": (PROBATION, "probation_starts_community_sentences", "People starting probation on a community sentence"),
}


def yearly(measure: str = "court_outcomes") -> pd.DataFrame:
    """The chosen measure by calendar year, oldest first, with its basis."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {sorted(MEASURES)}, not {measure!r}")
    file, series_id, _ = MEASURES[measure]
    frame = series(file, series_id)
    frame = frame[frame["period_type"] == "calendar_year"].copy()
    frame["year"] = frame["period"].astype(int)
    frame["basis"] = frame["year"].map(basis_of)
    frame["date"] = pd.to_datetime(frame["period"] + "-12-31")  # a year counts once it is complete
    return frame.sort_values("year").reset_index(drop=True)


def basis_of(year: int) -> str:
    """Which side of the 2017 processing change a year's figure is on."""
    return "before the 2017 change" if year < PROCESSING_CHANGE_YEAR else "from 2017 on"


def same_basis(start: int, end: int) -> bool:
    """Whether two years are on the same side of the processing change."""
    return basis_of(start) == basis_of(end)


def value_in(frame: pd.DataFrame, year: int) -> float | None:
    """The figure for one year, or None when not held."""
    hit = frame.loc[frame["year"] == year, "value"]
    return None if hit.empty or pd.isna(hit.iloc[0]) else float(hit.iloc[0])
