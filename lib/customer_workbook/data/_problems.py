"""What the loader says when data breaks the contract: one :class:`Problem` per violation, all of them
raised together in one :class:`DataValidationError`, and where each offending row sits in its file."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["DataValidationError", "MAX_EXAMPLES", "Problem", "RowPlaces"]

MAX_EXAMPLES = 5
#: Columns whose values never appear in a message (messages can end up in a shared report).
PERSONAL_COLUMNS = frozenset({"customer_id", "prospect_id"})
_MAX_SHOWN_CHARS = 60


@dataclass(frozen=True)
class Problem:
    """One contract violation: where it is, how many rows, examples and what was expected."""

    table: str
    column: str | None
    issue: str
    expected: str
    count: int = 0
    examples: tuple[str, ...] = ()
    file: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        col = f", column '{self.column}'" if self.column else ""
        rows = f" in {self.count:,} row(s)" if self.count else ""
        text = f"{where}table '{self.table}'{col}: {self.issue}{rows}; expected {self.expected}."
        if self.examples:
            text += " Examples: " + "; ".join(self.examples)
        return text


class DataValidationError(ValueError):
    """The data breaks the contract. ``problems`` lists every violation found, for every table."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"The data does not meet the workbook's data contract ({len(problems)} problem(s)):\n{lines}")


def shown(value) -> str:
    """A value as it appears in a message: text quoted, on one line, long text cut; a missing value as
    ``(empty)``, a date as ``2024-03-01`` (with the time when it has one), a number as written."""
    text = _plain(value)
    return text if len(text) <= _MAX_SHOWN_CHARS else text[: _MAX_SHOWN_CHARS - 4] + "…'"


def _plain(value) -> str:
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "(empty)"
    if isinstance(value, (dt.date, np.datetime64)):
        stamp = pd.Timestamp(value)
        if stamp is pd.NaT:
            return "(empty)"
        return stamp.strftime("%Y-%m-%d %H:%M:%S" if stamp != stamp.normalize() else "%Y-%m-%d")
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, bool) or isinstance(value, (int, float)):
        return str(value)
    return repr(value)


@dataclass(frozen=True)
class RowPlaces:
    """Where each row of a table sits in its file, for messages: ``line 7`` of a CSV file (header on
    line 1), ``row 7`` of a spreadsheet (header in row 1) or of a Parquet file (first row 1).

    ``numbers`` holds one place per row when rows and lines do not correspond one to one (a quoted
    value spanning lines, a skipped blank line); otherwise the place is the row position plus ``first``.
    """

    unit: str = "line"
    first: int = 2
    numbers: np.ndarray | None = None

    def of(self, positions: np.ndarray) -> np.ndarray:
        positions = np.asarray(positions, dtype=np.int64)
        return self.numbers[positions] if self.numbers is not None else positions + self.first

    def examples(self, values, mask: np.ndarray, column: str) -> tuple[str, ...]:
        """Up to :data:`MAX_EXAMPLES` offending rows as ``line N: column='value'``."""
        positions = np.flatnonzero(mask)[:MAX_EXAMPLES]
        if values is None:
            array = [""] * len(positions)
        elif hasattr(values, "iloc"):
            array = values.iloc[positions].tolist()
        else:
            array = [values[i] for i in positions]
        if column in PERSONAL_COLUMNS:  # messages reach reports: show where, not who
            return tuple(f"{self.unit} {n}" for n in self.of(positions))
        return tuple(f"{self.unit} {n}: {column}={shown(v)}" for n, v in zip(self.of(positions), array))
