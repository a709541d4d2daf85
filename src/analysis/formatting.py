"""One place for how the book writes numbers, percentages, money, periods and missing figures.

Every page, reason line, table and chart caption formats through these functions, so that a
figure reads the same everywhere ("12,199", "14.5%", "£600m", "30 June 2024", "not held").
"""

from __future__ import annotations

import math
import re

import pandas as pd

#: What a page shows where the book holds no figure.
NOT_HELD = "not held"


def missing(value) -> bool:
    """True for None and NaN (pandas' missing values included)."""
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def figure(value: float | None, unit: str = "") -> str:
    """A figure in its unit: thousands separators, % for percentages, x-fold for ratios, £ for money.

    A missing figure reads "not held".
    """
    if missing(value):
        return NOT_HELD
    if unit == "percent":
        return percent(value)
    if unit == "percent_of_capacity":
        return f"{value:.0f}% of capacity"
    if unit == "ratio":
        return f"{value:,.1f}"
    if unit == "fold":
        return f"{value:.1f}-fold"
    if unit in ("gbp_millions", "gbp_m"):
        # whole millions, except a fraction of a small sum (£1.5m a year), which rounding would double or halve
        return f"£{value:,.1f}m" if abs(value) < 10 and not float(value).is_integer() else f"£{value:,.0f}m"
    if unit == "gbp":
        return money(value)
    return count(value)


def count(value: float | None) -> str:
    """A count or level: whole numbers with thousands separators, else one decimal place."""
    if missing(value):
        return NOT_HELD
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def percent(value: float | None, decimals: int | None = None) -> str:
    """A percentage: whole numbers as '17%', others to one decimal place ('14.5%') unless `decimals` is given."""
    if missing(value):
        return NOT_HELD
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    return f"{value:.{decimals}f}%"


def money(pounds: float | None) -> str:
    """Pounds: '£38,042' below a million, '£600m' in millions, '£1.9bn' in billions."""
    if missing(pounds):
        return NOT_HELD
    if abs(pounds) >= 1e9:
        return f"£{pounds / 1e9:,.1f}bn".replace(".0bn", "bn")
    if abs(pounds) >= 1e6:
        return f"£{pounds / 1e6:,.0f}m"
    return f"£{pounds:,.0f}"


def period_text(period: str, period_type: str = "") -> str:
    """A period as readers write it: '30 June 2024', '2024 Q2', '2023-24', '2012'; with its period type
    `year_ending`, a date reads 'the year to June 2024'."""
    if period_type == "year_ending":
        return f"the year to {month_text(period[:7])}"
    if len(period) == 10 and period[4] == "-" and period[7] == "-":
        stamp = pd.Timestamp(period)
        return f"{stamp.day} {stamp.strftime('%B %Y')}"
    if "/" in period:
        start, end = period.split("/")
        return f"{period_text(start)} to {period_text(end)}"
    if "-Q" in period:
        return f"{period[:4]} Q{period[-1]}"
    return period


def month_text(as_of: str) -> str:
    """An as-of month written YYYY-MM, as readers write it: 'June 2024'."""
    return pd.Period(as_of, freq="M").strftime("%B %Y")


def at_period(period: str, period_type: str = "") -> str:
    """A period with its preposition: "on 31 December 1996" for a day, "in 2023 Q2" or "in the year to
    June 2024" otherwise (a stock is counted on a day, a flow in a period)."""
    on = re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(period)) and period_type in ("", "date")
    return ("on " if on else "in ") + period_text(period, period_type)
