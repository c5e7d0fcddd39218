"""Weekly and monthly series of the whole business, built from the order table.

The week is the calendar's (:mod:`.calendar`: Monday start, full weeks only), so a partial first or last
week never looks like a drop. Money is in the data's currency units; shares are fractions 0-1.
"""
from __future__ import annotations

import pandas as pd

from .calendar import week_start

__all__ = ["SEASONAL_MIN_WEEKS", "channel_shares", "seasonality_index", "weekly_volumes"]

#: Fewest full weeks from which a seasonal rhythm is estimated: two years, so every calendar month is seen at
#: least twice. With less, a one-off spike (a launch, an acquisition campaign) would pass for the season.
SEASONAL_MIN_WEEKS = 104


def weekly_volumes(orders: pd.DataFrame, weeks: pd.DatetimeIndex) -> pd.DataFrame:
    """Key volumes per full week, indexed by week start (Monday).

    Parameters
    ----------
    orders
        The order table (:func:`customer_workbook.base.order_table`, net of returns).
    weeks
        The weeks to report: the full weeks of the data (:func:`customer_workbook.base.full_weeks`).

    Returns
    -------
    DataFrame, shape (len(weeks), 5)
        ``orders``, ``active_customers`` (distinct customers with an order), ``revenue`` (net),
        ``new_customers`` (customers whose first order falls in the week) and ``avg_basket`` (revenue per
        order; missing in a week without orders).
    """
    week = week_start(orders["date"])
    first_week = week.groupby(orders["customer_id"], observed=True).transform("min")
    weekly = orders.assign(week=week).groupby("week").agg(
        orders=("order_id", "size"), active_customers=("customer_id", "nunique"), revenue=("amount", "sum"))
    weekly["new_customers"] = orders[week == first_week].groupby(week)["customer_id"].nunique()
    weekly = weekly.reindex(weeks).fillna({"orders": 0, "active_customers": 0, "revenue": 0.0, "new_customers": 0})
    weekly = weekly.astype({"orders": int, "active_customers": int, "new_customers": int}).rename_axis("week")
    weekly["avg_basket"] = weekly["revenue"] / weekly["orders"].where(weekly["orders"] > 0)
    return weekly


def channel_shares(orders: pd.DataFrame, freq: str = "MS") -> pd.DataFrame:
    """Share of orders by sales channel per period (rows: period start, columns: channels, rows sum to 1).

    ``orders`` is the order table with its ``channel`` column; ``freq`` a pandas period alias ("MS": months).
    """
    counts = (orders.groupby([pd.Grouper(key="date", freq=freq), "channel"], observed=True).size()
              .unstack(fill_value=0))
    return counts.div(counts.sum(axis=1), axis=0)


def seasonality_index(weekly: pd.DataFrame, column: str = "revenue",
                      min_weeks: int = SEASONAL_MIN_WEEKS) -> pd.Series:
    """Mean of ``column`` per calendar month relative to the mean over months (1.0 = an average month).

    ``weekly`` is :func:`weekly_volumes` output. Index: calendar month 1-12 (only months with data). Empty
    when ``weekly`` has fewer than ``min_weeks`` weeks (:data:`SEASONAL_MIN_WEEKS`, two years) or the
    column's mean over months is not positive: then there is no seasonal rhythm to tell apart.
    """
    if len(weekly) < min_weeks:
        return pd.Series(dtype=float)
    by_month = weekly[column].groupby(weekly.index.month).mean()
    if not by_month.mean() > 0:
        return pd.Series(dtype=float)
    return by_month / by_month.mean()
