"""Where the value of the base sits: how much of it a top group holds, and its split by segment.

Both read per-customer values from the one scorer (:func:`customer_workbook.clv.score_customers`
``.table``: ``clv_1y``, ``clv_3y`` in currency units). Value is rarely spread evenly; the share a small
top group holds says whom the business cannot afford to lose (a Lorenz-curve reading of CLV, as in
Gupta & Lehmann, *Managing Customers as Investments*, 2005).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["segment_value", "value_concentration"]


def value_concentration(values: pd.Series, top_shares=(0.01, 0.05, 0.20)) -> pd.Series:
    """Share of the total value held by the top ``x`` of customers (ranked by value).

    Parameters
    ----------
    values : Series, shape (n,)
        Non-negative value per customer (currency units).
    top_shares : tuple of float
        Fractions of customers (0-1).

    Returns
    -------
    Series
        Index: the fractions; values: share of total value (0-1), NaN when the total is not positive.
        The top ``x`` are the ``ceil(x * n)`` most valuable customers (at least one).
    """
    v = np.sort(np.asarray(values, dtype=float))[::-1]
    total = v.sum()
    cum = np.cumsum(v)
    res = {s: float(cum[max(int(np.ceil(s * v.size)), 1) - 1] / total) if total > 0 else np.nan for s in top_shares}
    return pd.Series(res, name="value_share")


def segment_value(values: pd.DataFrame, segments: pd.Series, columns=("clv_1y", "clv_3y")) -> pd.DataFrame:
    """Customers, mean and total value and share of total value per segment.

    Parameters
    ----------
    values : DataFrame
        Per-customer values indexed by ``customer_id`` (:func:`customer_workbook.clv.score_customers` ``.table``).
    segments : Series
        Segment label per ``customer_id``; customers without a label are grouped as ``"unknown"``.
    columns : tuple of str
        Value columns to summarise (currency units).

    Returns
    -------
    DataFrame
        One row per segment, sorted by the total of the first column: ``segment``, ``customers``,
        ``mean_<col>``, ``total_<col>`` (currency units), ``share_<col>`` (0-1).
    """
    seg = segments.reindex(values.index).astype("string").fillna("unknown")
    g = values[list(columns)].groupby(seg.to_numpy())
    out = pd.DataFrame({"customers": g.size()})
    for c in columns:
        out[f"mean_{c}"] = g[c].mean()
        out[f"total_{c}"] = g[c].sum()
        out[f"share_{c}"] = out[f"total_{c}"] / values[c].sum()
    out = out.sort_values(f"total_{columns[0]}", ascending=False)
    return out.rename_axis("segment").reset_index()
