"""Units in one place: the table schema (`data/schemas/series.json`) lists every unit a figure may have.

Code never keeps its own list of data units: the schema's enum is the list, and the only
classification kept here is which units are shares (bounded by 0 and 100) or ratios; every
other unit is a count, which cannot be negative.  `series-units.json` says which of the
schema's units each series uses, and a test checks it names no other unit.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from .paths import data_dir

#: Units that are percentages (of a whole, or of capacity).
PERCENT_UNITS = frozenset({"percent", "percent_of_capacity"})
#: Units that are ratios or multiples (a claim's "twelve-fold" is a `fold`).
RATIO_UNITS = frozenset({"ratio", "fold"})


@lru_cache(maxsize=8)
def _schema_units(path: str) -> tuple[str, ...]:
    schema = json.loads(Path(path).read_text(encoding="utf-8"))
    field = next(f for f in schema["fields"] if f["name"] == "unit")
    return tuple(field["constraints"]["enum"])


def data_units(folder: Path | None = None) -> tuple[str, ...]:
    """Every unit a data row may use, in the schema's order."""
    return _schema_units(str((folder or data_dir()) / "schemas" / "series.json"))


def count_units(folder: Path | None = None) -> frozenset[str]:
    """The schema's units that count things (people, cases, days, pounds): never negative."""
    return frozenset(data_units(folder)) - PERCENT_UNITS - RATIO_UNITS
