"""What a dataset covers: which tables were supplied, how many customers, orders and lines, over what span,
and how much of the customer base the optional survey and engagement tables describe."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..contract import TABLES
from ..data import DATE_COLUMN
from .derived import derived

if TYPE_CHECKING:
    from ..data import Dataset

__all__ = ["Coverage", "coverage", "table_summary"]

_DAYS_PER_MONTH = 30.44


@dataclass(frozen=True)
class Coverage:
    """Headline volumes of the transactions and the reach of the optional customer-level tables.

    ``months_covered`` is the span from the first to the last transaction in months of 30.44 days;
    ``survey_share`` and ``engagement_share`` are the fractions (0-1) of customers with transactions who
    appear in that table, ``None`` when the table was not supplied.
    """

    n_customers: int
    n_orders: int
    n_lines: int
    net_revenue: float
    first_date: dt.date
    last_date: dt.date
    months_covered: float
    survey_share: float | None
    engagement_share: float | None


def coverage(ds: Dataset) -> Coverage:
    """The :class:`Coverage` of ``ds`` (orders from the run's order table)."""
    tx = ds.transactions
    customers = derived(ds).customers.index
    first, last = tx["date"].min(), tx["date"].max()

    def share(name: str) -> float | None:
        return float(customers.isin(ds.tables[name]["customer_id"]).mean()) if ds.has(name) else None

    return Coverage(n_customers=len(customers), n_orders=len(derived(ds).orders), n_lines=len(tx),
                    net_revenue=float(tx["amount"].sum()), first_date=first.date(), last_date=last.date(),
                    months_covered=round((last - first).days / _DAYS_PER_MONTH, 1),
                    survey_share=share("surveys"), engagement_share=share("engagement"))


def table_summary(ds: Dataset) -> pd.DataFrame:
    """One row per contract table: supplied or not, rows, columns loaded, first and last date, file name.

    Only the file's name is shown, never its folder, so reports do not expose local paths.
    """
    rows = []
    for name, spec in TABLES.items():
        frame = ds.tables.get(name)
        row = {"table": name, "supplied": frame is not None, "rows": 0, "columns loaded": "",
               "first date": pd.NaT, "last date": pd.NaT, "file": ""}
        if frame is not None:
            row.update({"rows": len(frame), "columns loaded": ", ".join(c for c in spec.column_names if c in frame),
                        "file": Path(ds.sources[name]).name})
            date_column = DATE_COLUMN.get(name)
            if date_column:
                row.update({"first date": frame[date_column].min().date(),
                            "last date": frame[date_column].max().date()})
        rows.append(row)
    return pd.DataFrame(rows)
