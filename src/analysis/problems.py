"""One type for everything wrong (or worth a warning) in the inputs, located by file, row and column.

Validation of form (`validation`), checks of meaning (`meaning`) and checks of parameters
(`params`) all report `Problem`s, so that the command line prints them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, located by file, row and column (or key)."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        structured = self.file.endswith((".yml", ".yaml", ".json"))
        row = "line" if self.file.endswith(".json") else "row"
        where = (self.file + (f", {row} {self.row}" if self.row else "")
                 + (f", {'key' if structured else 'column'} {self.column!r}" if self.column else ""))
        return f"{where}: {self.message}"
