"""The period calendar, written once: which days each form of period covers.

Periods in `data/` are written in six forms (see `validation.PERIOD_FORMS`): a date, a date range,
a calendar year '2024', a financial year '2023-24' (April to March), a quarter '2024-Q2', and a
year ending '2024-06' (the twelve months to the end of June 2024).  An as-of month is 'YYYY-MM'.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd


def month_end(as_of: str) -> pd.Timestamp:
    """The last day of an as-of month written YYYY-MM."""
    return pd.Period(as_of, freq="M").end_time.normalize()


def period_start(period: str, period_type: str) -> pd.Timestamp:
    """The first day a period covers.

    date and date_range: the (first) date; calendar_year '2024': 1 January; financial_year
    '2015-16': 1 April 2015; quarter '2024-Q3': 1 July; year_ending '2024-06': 1 July 2023.
    """
    text = str(period).split("/")[0]
    if period_type == "quarter":
        year, quarter = text.split("-Q")
        return pd.Timestamp(int(year), 3 * int(quarter) - 2, 1)
    if period_type == "financial_year":
        return pd.Timestamp(int(text[:4]), 4, 1)
    if period_type == "calendar_year":
        return pd.Timestamp(int(text[:4]), 1, 1)
    if period_type == "year_ending":
        end = pd.Period(text[:7], freq="M")
        return (end - 11).start_time
    return pd.Timestamp(text)


def period_end(period: str, period_type: str) -> pd.Timestamp:
    """The last day a period covers: the date a point is drawn at.

    date: itself; date_range: its end; quarter '2024-Q2': 30 June 2024; financial_year
    '2023-24': 31 March 2024; calendar_year '2023': 31 December; year_ending '2024-06': 30 June 2024.
    """
    text = str(period)
    if "/" in text:
        return pd.Timestamp(text.split("/")[1])
    if period_type == "quarter":
        return pd.Period(text.replace("-Q", "Q"), freq="Q").end_time.normalize()
    if period_type == "financial_year":
        return pd.Timestamp(int(text[:4]) + 1, 3, 31)
    if period_type == "calendar_year":
        return pd.Timestamp(int(text[:4]), 12, 31)
    if period_type == "year_ending":
        return month_end(text[:7])
    return pd.Timestamp(text)


def ends_by(period: str, period_type: str, as_of: str) -> bool:
    """Whether a period ends on or before the last day of an as-of month: held in that month's edition."""
    return period_end(period, period_type) <= month_end(as_of)


def period_bounds(period: str, period_type: str) -> tuple[dt.date, dt.date]:
    """The first and last day a period covers, as dates."""
    return period_start(period, period_type).date(), period_end(period, period_type).date()


def period_type_of(period: str) -> str:
    """The form of a period as the records write it (they keep no period_type): '2024-Q2' quarter,
    '2024' calendar_year, '2023-24' financial_year, '2024-06' year_ending, a date or a date range."""
    text = str(period)
    if "/" in text:
        return "date_range"
    if "-Q" in text:
        return "quarter"
    if re.fullmatch(r"\d{4}", text):
        return "calendar_year"
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        return "financial_year" if int(m.group(2)) == (int(m.group(1)) + 1) % 100 else "year_ending"
    return "date"
