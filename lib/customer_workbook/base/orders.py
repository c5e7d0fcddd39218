"""The order table: one row per order, the unit in which customers buy.

An order is identified by ``order_id`` (the loader derives it from customer and timestamp when the export
has none). A return is a negative line of the order it returns, usually dated later, so an order's
``amount`` is its net value: what the customer finally paid. Analyses of what customers *bought*
(product and service value, delivery speed) use ``sales_only=True``, which leaves return lines out.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..arrays import first_occurrences

__all__ = ["order_table"]


def order_table(transactions: pd.DataFrame, sales_only: bool = False) -> pd.DataFrame:
    """One row per order, sorted by date (ties in order of first appearance).

    Columns: ``order_id``, ``customer_id``, ``date`` (the earliest line), ``amount`` (sum of the lines:
    net of returns, or of the sale lines only when ``sales_only``; currency units), ``lines`` (lines
    summed) and, when the transactions have them, ``channel`` and ``delivery_days`` of the order's first
    line. Shape (n_orders, 5-7). Column-wise operations only (no loop over orders), so a query engine
    can build the same table.
    """
    amount = transactions["amount"].to_numpy(dtype="float64")
    rows = np.flatnonzero(amount >= 0) if sales_only else np.arange(len(transactions))
    codes = pd.factorize(transactions["order_id"].iloc[rows])[0]
    first = rows[first_occurrences(codes)]
    n = len(first)
    dates = transactions["date"].to_numpy()
    earliest = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(earliest, codes, dates[rows].view("int64"))
    out = pd.DataFrame({"order_id": _take(transactions["order_id"], first),
                        "customer_id": _take(transactions["customer_id"], first),
                        "date": earliest.view(dates.dtype),
                        "amount": np.bincount(codes, weights=amount[rows], minlength=n),
                        "lines": np.bincount(codes, minlength=n)})
    for column in ("channel", "delivery_days"):
        if column in transactions:
            out[column] = _take(transactions[column], first)
    return out.sort_values("date", kind="stable").reset_index(drop=True)


def _take(column: pd.Series, positions: np.ndarray):
    """Values at ``positions``; a categorical stays categorical by taking its codes (no re-hashing)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return pd.Categorical.from_codes(column.cat.codes.to_numpy()[positions], dtype=column.dtype)
    return column.to_numpy()[positions]
