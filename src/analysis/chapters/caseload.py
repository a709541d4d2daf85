"""Caseload per probation officer: the official mean, the inspectorate's threshold, and a model.

A mean of about 35 cases per officer and many officers above 50 are compatible when
caseloads are spread out.  The model here treats individual caseloads as lognormal with
the official mean and a coefficient of variation (the dispersion, an assumption), and
reports the share of officers above any threshold.  Calibration finds the dispersion at
which the model reproduces a published share (for example 33% of NPS staff above 40).
"""

from __future__ import annotations

import math

import pandas as pd

from ..official_data import series, value_on

CASELOAD = "caseload_per_officer"
WORKFORCE = "probation_workforce"
PROBATION = "probation_caseload"


def official_means() -> pd.DataFrame:
    """The three annual mean caseloads per probation officer from the written answer."""
    frame = series(CASELOAD, "mean_caseload_per_probation_officer")
    frame = frame[frame["period_type"] == "date_range"].copy()
    frame["year"] = frame["period"].map(lambda p: f"{p[:7]} to {p[11:18]}")
    frame["label"] = frame["period"].map(lambda p: f"Jul {p[:4]} - Jun {p[11:15]}")
    frame["date"] = pd.to_datetime(frame["period"].str[11:])  # the end of each year: what `as_of` cuts on
    return frame.reset_index(drop=True)


def lognormal_parameters(mean: float, cv: float) -> tuple[float, float]:
    """(mu, sigma) of a lognormal with the given mean and coefficient of variation."""
    sigma2 = math.log(1 + cv * cv)
    return math.log(mean) - sigma2 / 2, math.sqrt(sigma2)


def share_above(threshold: float, mean: float, cv: float) -> float:
    """Modelled share (0-1) of officers holding more than `threshold` cases."""
    if cv <= 0:
        return 1.0 if mean > threshold else 0.0
    mu, sigma = lognormal_parameters(mean, cv)
    return 0.5 * math.erfc((math.log(threshold) - mu) / (sigma * math.sqrt(2)))


def share_table(mean: float, cvs: list[float], thresholds: list[float]) -> pd.DataFrame:
    """Modelled shares above each threshold for each dispersion, in percent (long format)."""
    rows = [{"cv": cv, "threshold": t, "share": 100 * share_above(t, mean, cv)} for cv in cvs for t in thresholds]
    return pd.DataFrame(rows)


def calibrate_cv(target_share: float, threshold: float, mean: float, lo: float = 0.01, hi: float = 3.0) -> float | None:
    """The dispersion at which the modelled share above `threshold` equals `target_share` (0-1).

    Returns None when no dispersion can give that share at this mean (for example 86% above
    40 cannot happen with a lognormal whose mean is 35: its median is below its mean).
    """
    f = lambda cv: share_above(threshold, mean, cv) - target_share  # noqa: E731
    grid = [lo + (hi - lo) * i / 400 for i in range(401)]
    for a, b in zip(grid, grid[1:]):
        if f(a) == 0:
            return a
        if f(a) * f(b) < 0:
            for _ in range(80):
                m = (a + b) / 2
                a, b = (a, m) if f(a) * f(m) <= 0 else (m, b)
            return (a + b) / 2
    return None


def max_share_above(threshold: float, mean: float) -> tuple[float, float]:
    """The largest share (0-1) above `threshold` any dispersion can give at this mean, and that dispersion."""
    best = max((share_above(threshold, mean, cv / 100), cv / 100) for cv in range(1, 301))
    return best


def implied_caseload(staff: float, cases_each: float) -> float:
    """Cases implied by a number of staff each holding the same caseload."""
    return staff * cases_each


def reconciliation(officers: float, psos: float, mean: float, caseload: float) -> pd.DataFrame:
    """The reader's arithmetic, step by step, against the official caseload.

    Rows: both grades at the officer mean; officers only; and the cases left for PSOs.
    """
    both = implied_caseload(officers + psos, mean)
    only = implied_caseload(officers, mean)
    left = caseload - only
    return pd.DataFrame([
        {"step": "officers and PSOs, each at the officer mean", "implied cases": both,
         "against caseload": 100 * (both / caseload - 1)},
        {"step": "officers only, at the officer mean", "implied cases": only,
         "against caseload": 100 * (only / caseload - 1)},
        {"step": "cases left for PSOs, per PSO", "implied cases": left / psos if psos else float("nan"),
         "against caseload": float("nan")},
    ])


def staffing_on(date: str) -> dict[str, float | None]:
    """Official FTE band 4 officers and band 3 PSOs on a date (None where not held)."""
    return {"officers": value_on(series(WORKFORCE, "fte_probation_officers_band4"), date),
            "psos": value_on(series(WORKFORCE, "fte_pso_band3"), date)}


def caseload_on(date: str) -> float | None:
    """The official total probation caseload on a date."""
    return value_on(series(PROBATION, "probation_caseload_total"), date)
