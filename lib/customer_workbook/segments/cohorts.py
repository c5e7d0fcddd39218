"""Acquisition cohorts: the share of each month's new customers still buying after 1, 2, ... months
(cells too recent to observe are masked, not shown as drops).

Cohort shares are read only when the cohorts hold at least :data:`MIN_COHORT_CUSTOMERS` customers in all
(``CohortRetention.too_few`` says when they do not)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .enough import MIN_CUSTOMERS, TooFew, too_few

__all__ = ["MIN_COHORT_CUSTOMERS", "CohortRetention", "cohort_retention", "cohort_summary"]

#: Fewest customers in the monthly cohorts for their shares to be read (:data:`~.enough.MIN_CUSTOMERS`: with
#: fewer, the 95% interval of a share is wider than +-18 percentage points).
MIN_COHORT_CUSTOMERS = MIN_CUSTOMERS


@dataclass(frozen=True)
class CohortRetention:
    """Retention of each acquisition-month cohort (:func:`cohort_retention`).

    ``table``: shape (n_cohorts, n_months); index the cohort month (Timestamp, first day), columns 0, 1,
    ... months since acquisition, values the share of the cohort buying in that month (0-1) or NaN
    when the month is not yet observed. ``cohort_size``: customers per cohort (Series, same index);
    ``last_complete_month``: first day of the last month the data cover in full.
    """

    table: pd.DataFrame
    cohort_size: pd.Series
    last_complete_month: pd.Timestamp

    @property
    def too_few(self) -> TooFew | None:
        """Set when the cohorts hold fewer than :data:`MIN_COHORT_CUSTOMERS` customers (their shares are noise)."""
        return too_few(int(self.cohort_size.sum()), MIN_COHORT_CUSTOMERS, "customers in monthly acquisition cohorts")


def _month_index(dates) -> np.ndarray:
    d = pd.DatetimeIndex(dates)
    return (d.year * 12 + d.month - 1).to_numpy()


def cohort_retention(transactions: pd.DataFrame, acquisition: pd.Series | None = None,
                     as_of=None) -> CohortRetention:
    """Share of each acquisition-month cohort that buys in each month since acquisition.

    Cells a cohort has not yet lived through completely are NaN (masked), not zero: the last month is
    complete only if the data reach its last day, and cohort c at month k is shown only when month
    c + k is complete. A customer counts as active in a month with at least one positive line.

    Parameters
    ----------
    transactions
        Contract order lines.
    acquisition
        Optional acquisition date per customer (Series indexed by ``customer_id``, e.g. the signup
        date). Only customers acquired on or after the first transaction month are kept, so cohorts
        are not mixed with customers acquired before the data start; customers acquired but never
        buying count in their cohort's size. Default: each customer's first purchase.
    as_of
        Last date of the data (default: the last transaction).

    Returns
    -------
    CohortRetention
    """
    pos = transactions[transactions["amount"] > 0]
    end = pd.Timestamp(as_of) if as_of is not None else transactions["date"].max()
    last_complete = _month_index([end])[0] - (0 if (end + pd.Timedelta(days=1)).day == 1 else 1)
    first_month = _month_index([transactions["date"].min()])[0]
    buy_month = _month_index(pos["date"])
    if acquisition is None:
        acq = pos.groupby("customer_id", observed=True)["date"].min()
    else:
        acq = pd.to_datetime(acquisition).dropna()
        acq = acq[_month_index(acq) >= first_month]
    acq_month = pd.Series(_month_index(acq), index=acq.index)
    cohort_of_line = pos["customer_id"].map(acq_month)
    keep = cohort_of_line.notna().to_numpy()
    cohort = cohort_of_line.to_numpy()[keep].astype(int)
    k = buy_month[keep] - cohort
    cust = pd.factorize(pos["customer_id"])[0][keep]  # integer codes: a fast drop_duplicates
    ok = k >= 0
    active = pd.DataFrame({"cohort": cohort[ok], "k": k[ok], "c": cust[ok]}).drop_duplicates()
    counts = active.groupby(["cohort", "k"]).size().unstack(fill_value=0)
    size = acq_month.value_counts().sort_index()
    size = size[size.index <= last_complete]
    n_months = int(last_complete - size.index.min() + 1) if len(size) else 0
    table = counts.reindex(index=size.index, columns=range(n_months), fill_value=0).astype(float)
    table = table.div(size, axis=0)
    mask = (table.index.to_numpy()[:, None] + np.arange(n_months)[None, :]) > last_complete
    table = table.mask(mask)
    to_ts = lambda m: pd.Timestamp(year=int(m) // 12, month=int(m) % 12 + 1, day=1)  # noqa: E731
    table.index = pd.DatetimeIndex([to_ts(m) for m in table.index], name="cohort")
    table.columns.name = "months_since_acquisition"
    return CohortRetention(table=table, cohort_size=pd.Series(size.to_numpy(), index=table.index),
                           last_complete_month=to_ts(last_complete))


def cohort_summary(retention: CohortRetention, months: Sequence[int] = (1, 3, 6, 12)) -> pd.DataFrame:
    """Size-weighted mean retention at selected months since acquisition, over cohorts that reached them.

    Returns a DataFrame with ``month``, ``retention`` (0-1, NaN when no cohort is old enough) and
    ``cohorts`` (how many cohorts contribute).
    """
    table = retention.table
    size = retention.cohort_size.astype(float)
    rows = []
    for m in months:
        col = table[m] if m in table.columns else pd.Series(np.nan, index=table.index)
        ok = col.notna()
        w = size[ok]
        rows.append({"month": m, "retention": float((col[ok] * w).sum() / w.sum()) if w.sum() > 0 else np.nan,
                     "cohorts": int(ok.sum())})
    return pd.DataFrame(rows)
