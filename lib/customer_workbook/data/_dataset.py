"""The validated data of one run: :class:`Dataset` (the typed tables), its :class:`QualityReport` and the
error an analysis raises when it needs a table the data do not have."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..contract import TABLES
from ..engine import DEFAULT_ENGINE
from ._values import UNIT_CURRENCY

__all__ = ["Dataset", "MissingTableError", "QualityReport"]


class MissingTableError(LookupError):
    """An analysis asked for an optional table the dataset does not have."""


@dataclass
class QualityReport:
    """Recoverable data issues: accepted, counted and explained rather than silently dropped."""

    notes: list[dict] = field(default_factory=list)

    def add(self, table: str, issue: str, count: int, rows: int, handling: str, examples: tuple[str, ...] = ()) -> None:
        """Note ``count`` of ``rows`` rows of ``table`` (nothing when ``count`` is 0); ``examples``: up to five
        places in the file such as ``line 7``."""
        if count:
            note = {"table": table, "issue": issue, "rows": int(count), "share": round(count / max(rows, 1), 4),
                    "handling": handling}
            if examples:
                note["examples"] = ", ".join(examples)
            self.notes.append(note)

    def to_frame(self) -> pd.DataFrame:
        """One row per note; an ``examples`` column (file places) only when some note has examples."""
        columns = ["table", "issue", "rows", "share", "handling"]
        if any("examples" in note for note in self.notes):
            columns.append("examples")
        return pd.DataFrame(self.notes, columns=columns).fillna({"examples": ""})


@dataclass
class Dataset:
    """The validated tables. ``transactions`` is always present; other tables may be ``None``."""

    tables: dict[str, pd.DataFrame]
    sources: dict[str, str]
    quality: QualityReport
    #: What ``transactions.amount`` measures: ``"currency units"``, or ``"purchases"`` when the data had no
    #: revenue column and every line counts as one purchase. Reports print value figures in this unit.
    value_unit: str = UNIT_CURRENCY
    #: Where the derived tables (orders, the per-customer table ...) are built: one of
    #: :data:`customer_workbook.engine.ENGINES`.
    engine: str = DEFAULT_ENGINE
    #: Tables derived from these (orders, the per-customer table ...), built once on first use by
    #: :func:`customer_workbook.base.derived`. Treat the tables as read-only once loaded.
    derived_cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def has(self, name: str) -> bool:
        """True when the optional table ``name`` was supplied and is not empty."""
        frame = self.tables.get(name)
        return frame is not None and len(frame) > 0

    def require(self, name: str) -> pd.DataFrame:
        """Return table ``name`` or raise :class:`MissingTableError` saying what it would enable."""
        if not self.has(name):
            raise MissingTableError(f"This needs the optional '{name}' table: {TABLES[name].description}")
        return self.tables[name]

    def __getattr__(self, name: str) -> pd.DataFrame | None:
        if name in TABLES:
            return self.tables.get(name)
        raise AttributeError(name)

    @property
    def missing(self) -> list[str]:
        """Optional contract tables that were not supplied."""
        return [name for name in TABLES if not self.has(name)]
